package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the golden files of non-default settings encode, stated as the rules they follow. */
class RenderTest {
    private static RenderedStack stack;

    @BeforeAll
    static void render(@TempDir Path dir) throws IOException {
        stack = GoldenRenderTest.render(dir, GoldenRenderTest.settingsYaml());
    }

    private static RenderedService service(String layer) {
        return stack.service(new ServiceId("golden", layer));
    }

    private static <T extends HasMetadata> T object(String layer, Class<T> type, String name) {
        return service(layer).objects().stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private static String secretValue(String layer, String key) {
        Secret s = object(layer, Secret.class, layer + "-credentials");
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void outputsUsePaletteNamesAndSecretsStayInSecrets() {
        assertThat(service("postgresql-17").outputs().keySet())
                .containsExactly("USERNAME", "PASSWORD", "POSTGRESMSTR_SVC", "POSTGRESMSTR_SVC_PORT", "POSTGRES_URI", "POSTGRES_READ_HOST", "POSTGRES_READ_URI");
        assertThat(service("mysql-84").outputs().keySet())
                .containsExactly("ROOT_PASSWORD", "MYSQLMSTR_SVC", "MYSQLMSTR_SVC_PORT", "MYSQLMSTR_SVC_NAMESPACE", "MYSQL_READ_SVC", "MYSQL_URI", "MYSQL_READ_URI");
        assertThat(service("mongodb-80").outputs().keySet()).containsExactly("USERNAME", "PASSWORD", "MONGO_URI", "MONGO_URI_SRV");
        assertThat(service("redis-82").outputs().keySet())
                .containsExactly("USERNAME", "PASSWORD", "REDISMSTR_SVC", "REDISMSTR_SVC_PORT", "REDISMSTR_NS", "REDIS_URI", "REDIS_READ_HOST");

        OutputValue host = service("postgresql-17").outputs().get("POSTGRESMSTR_SVC");
        assertThat(host.value()).isEqualTo("postgresql-17.golden-ns.svc.cluster.example");
        OutputValue password = service("postgresql-17").outputs().get("PASSWORD");
        assertThat(password.isSecret()).isTrue();
        assertThat(password.value()).isNull();
        assertThat(password.display()).isEqualTo("[secret]");
        assertThat(service("mysql-84").outputs().get("MYSQLMSTR_SVC_NAMESPACE").value()).isEqualTo("golden-ns");
    }

    @Test
    void connectionUrisPercentEncodeCredentials() {
        assertThat(secretValue("postgresql-17", "POSTGRES_URI")).isEqualTo(
                "postgresql://orders_owner:postgresql-17-password-s3cr3t%2F%26%3F@postgresql-17.golden-ns.svc.cluster.example:5432/orders");
        assertThat(secretValue("mongodb-80", "MONGO_URI_SRV")).isEqualTo(
                "mongodb+srv://root:mongodb-80-password-s3cr3t%2F%26%3F@mongodb-80-headless.golden-ns.svc.cluster.example/?authSource=admin&tls=false");
        assertThat(secretValue("redis-82", "PASSWORD")).isEqualTo("redis-82-password-s3cr3t/&?");
    }

    @Test
    void mongoSrvNeedsAHeadlessServiceWithAPortNamedMongodb() {
        Service headless = object("mongodb-80", Service.class, "mongodb-80-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("mongodb");
        assertThat(object("mongodb-80", StatefulSet.class, "mongodb-80").getSpec().getServiceName()).isEqualTo("mongodb-80-headless");
    }

    @Test
    void postgresDataPathDependsOnTheMajorVersion() {
        Map<String, String> env17 = env(object("postgresql-17", StatefulSet.class, "postgresql-17"));
        assertThat(mountPath("postgresql-17")).isEqualTo("/var/lib/postgresql/data");
        assertThat(env17).containsEntry("PGDATA", "/var/lib/postgresql/data/pgdata");
        assertThat(mountPath("postgresql-18")).isEqualTo("/var/lib/postgresql");
        assertThat(env(object("postgresql-18", StatefulSet.class, "postgresql-18"))).doesNotContainKey("PGDATA");
    }

    @Test
    void statefulSetsClaimTheLayersStorageAndRunAsNonRoot() {
        StatefulSet sts = object("postgresql-18", StatefulSet.class, "postgresql-18");
        var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(999L);
        assertThat(pod.getContainers().get(0).getReadinessProbe().getExec().getCommand()).isNotEmpty();
        assertThat(pod.getContainers().get(0).getLivenessProbe().getTcpSocket()).isNotNull();
        assertThat(pod.getContainers().get(0).getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void consumersGetSecretOutputsOnlyAsSecretKeyRefs() {
        Deployment app = object("app", Deployment.class, "app");
        List<EnvVar> env = app.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        Map<String, EnvVar> byName = env.stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

        assertThat(byName.get("DATABASE_URL").getValueFrom().getSecretKeyRef().getName()).isEqualTo("postgresql-17-credentials");
        assertThat(byName.get("DATABASE_URL").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("POSTGRES_URI");
        assertThat(byName.get("DSN").getValue())
                .isEqualTo("host=postgresql-18.golden-ns.svc.cluster.example password=$(DBSTACK_POSTGRESQL_18_PASSWORD)");
        assertThat(env.get(0).getName()).as("helper variables come first so $(...) can see them")
                .isEqualTo("DBSTACK_POSTGRESQL_18_PASSWORD");
        assertThat(byName.get("API_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("app-env");
        assertThat(Manifests.toYaml(app)).doesNotContain("s3cr3t").doesNotContain("plaintext-of");
    }

    @Test
    void withheldSecretsKeepTheirKeysNamesButNoValues() {
        List<HasMetadata> withheld = Manifests.withholdSecretValues(stack.allObjects());
        String yaml = Manifests.toYaml(withheld);
        assertThat(yaml).contains("dbstack.dev/values: \"withheld: PASSWORD,POSTGRES_READ_URI,POSTGRES_URI\"");
        // Secrets only: a ConfigMap (a layer's parameters file) keeps its data.
        List<io.fabric8.kubernetes.api.model.Secret> secrets = withheld.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.Secret)
                .map(o -> (io.fabric8.kubernetes.api.model.Secret) o).toList();
        assertThat(secrets).isNotEmpty().allSatisfy(sec -> {
            assertThat(sec.getData()).as(sec.getMetadata().getName()).isNullOrEmpty();
            assertThat(sec.getStringData()).as(sec.getMetadata().getName()).isNullOrEmpty();
        });
        assertThat(stack.allObjects()).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(io.fabric8.kubernetes.api.model.Secret.class,
                sec -> assertThat(sec.getData() == null ? sec.getStringData() : sec.getData()).isNotEmpty()));
    }

    private static String mountPath(String layer) {
        return object(layer, StatefulSet.class, layer).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getVolumeMounts().get(0).getMountPath();
    }

    private static Map<String, String> env(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
