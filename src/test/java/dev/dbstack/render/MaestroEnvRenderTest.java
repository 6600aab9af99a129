package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maestro-style environment variables and database groups, rendered: the exact variables of a container above three
 * MySQL groups (one of them MariaDB, which keeps the MYSQL prefix) and two PostgreSQL groups, each secret one a
 * {@code secretKeyRef} to its database's credentials Secret; the group Services; autoEnv narrowing and turning off.
 */
class MaestroEnvRenderTest {
    static final String GROUPS = """
            config:
              dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
              dbstack:profiles:
                - name: shop
                  layers:
                    - {name: main-db, type: mysql, storage: 1, group: main, primary: true}
                    - {name: spare-db, type: mysql, engine: mariadb, storage: 1, group: spare}
                    - {name: archive-db, type: mysql, storage: 1, group: archive}
                    - {name: orders, type: postgresql, storage: 1, group: orders, primary: true}
                    - {name: reports, type: postgresql, storage: 1, group: reports}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1
                      env: {MODE: "prod"}
              dbstack:apps: [{name: shop, profile: shop}]
            """;

    static final List<String> MYSQL = List.of("ADDRESS", "PORT", "USERNAME", "PASSWORD", "DATABASE", "URL");
    static final List<String> POSTGRESQL = MYSQL;

    private static RenderedStack render(Path dir, String yaml) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TestProject project = TestProject.create(dir, yaml);
        ServiceGraph graph = project.graph();
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(graph);
    }

    private static List<HasMetadata> objects(RenderedStack stack, String layer) {
        return stack.service(new ServiceId("shop", layer)).objects();
    }

    static Deployment deployment(RenderedStack stack, String layer) {
        return objects(stack, layer).stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
    }

    static List<String> names(String prefix, List<String> vars) {
        return vars.stream().map(v -> prefix + "_" + v).toList();
    }

    /** The variables the api container of {@link #GROUPS} must receive, in order, then its own. */
    static List<String> expectedNames() {
        List<String> all = new ArrayList<>();
        Stream.of("MYSQL", "MYSQL_MAIN", "MYSQL_SPARE", "MYSQL_ARCHIVE").forEach(p -> all.addAll(names(p, MYSQL)));
        Stream.of("POSTGRESQL", "POSTGRESQL_ORDERS", "POSTGRESQL_REPORTS").forEach(p -> all.addAll(names(p, POSTGRESQL)));
        all.add("MODE");
        return all;
    }

    /** Secret variables as "Secret/key", plain ones by value. */
    static Map<String, String> values(List<EnvVar> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EnvVar e : env) {
            if (e.getValueFrom() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                out.put(e.getName(), "secretKeyRef " + ref.getName() + "/" + ref.getKey());
            } else {
                out.put(e.getName(), e.getValue());
            }
        }
        return out;
    }

    @Test
    void aContainerAboveThreeMysqlAndTwoPostgresqlGroupsReceivesEachFamilyWithSecretsOnlyAsSecretKeyRefs(@TempDir Path dir) {
        RenderedStack stack = render(dir, GROUPS);
        Deployment api = deployment(stack, "api");
        List<EnvVar> env = api.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).extracting(EnvVar::getName).containsExactlyElementsOf(expectedNames());

        Map<String, String> v = values(env);
        String ns = ".shop.svc.cluster.local";
        assertThat(v).containsEntry("MYSQL_ADDRESS", "mysql" + ns)
                .containsEntry("MYSQL_MAIN_ADDRESS", "mysql-main" + ns)
                .containsEntry("MYSQL_SPARE_ADDRESS", "mysql-spare" + ns)
                .containsEntry("MYSQL_ARCHIVE_ADDRESS", "mysql-archive" + ns)
                .containsEntry("MYSQL_PORT", "3306")
                .containsEntry("MYSQL_USERNAME", "root")
                .containsEntry("MYSQL_DATABASE", "app")
                .containsEntry("MYSQL_PASSWORD", "secretKeyRef main-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_URL", "secretKeyRef main-db-credentials/MYSQL_URI")
                .containsEntry("MYSQL_MAIN_PASSWORD", "secretKeyRef main-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_SPARE_PASSWORD", "secretKeyRef spare-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_SPARE_URL", "secretKeyRef spare-db-credentials/MYSQL_URI")
                .containsEntry("MYSQL_ARCHIVE_PASSWORD", "secretKeyRef archive-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_ARCHIVE_URL", "secretKeyRef archive-db-credentials/MYSQL_URI")
                .containsEntry("POSTGRESQL_ADDRESS", "postgresql" + ns)
                .containsEntry("POSTGRESQL_REPORTS_ADDRESS", "postgresql-reports" + ns)
                .containsEntry("POSTGRESQL_PORT", "5432")
                .containsEntry("POSTGRESQL_USERNAME", "app")
                .containsEntry("POSTGRESQL_PASSWORD", "secretKeyRef orders-credentials/PASSWORD")
                .containsEntry("POSTGRESQL_URL", "secretKeyRef orders-credentials/POSTGRES_URI")
                .containsEntry("POSTGRESQL_ORDERS_URL", "secretKeyRef orders-credentials/POSTGRES_URI")
                .containsEntry("POSTGRESQL_REPORTS_PASSWORD", "secretKeyRef reports-credentials/PASSWORD")
                .containsEntry("POSTGRESQL_REPORTS_URL", "secretKeyRef reports-credentials/POSTGRES_URI");
        // No credential is written anywhere in the Deployment.
        assertThat(Serialization.asJson(api)).doesNotContain("s3cr3t");
        assertThat(KubernetesSchema.load().validate(api)).isEmpty();
        // The container waits for every database it gets variables of.
        assertThat(stack.graph().providersOf(new ServiceId("shop", "api"))).extracting(d -> d.provider().layer())
                .containsExactlyInAnyOrder("main-db", "spare-db", "archive-db", "orders", "reports");
    }

    @Test
    void eachGroupGetsItsServiceAndThePrimaryThePlainNameAllSelectingTheLayersPods(@TempDir Path dir) {
        RenderedStack stack = render(dir, GROUPS);
        Map<String, List<String>> services = new LinkedHashMap<>();
        for (String layer : List.of("main-db", "spare-db", "archive-db", "orders", "reports")) {
            List<Service> own = objects(stack, layer).stream().filter(Service.class::isInstance).map(Service.class::cast)
                    .toList();
            Service client = own.stream().filter(s -> s.getMetadata().getName().equals(layer)).findFirst().orElseThrow();
            for (Service s : own) {
                assertThat(s.getSpec().getSelector()).as(s.getMetadata().getName()).isEqualTo(client.getSpec().getSelector());
            }
            services.put(layer, own.stream().map(s -> s.getMetadata().getName()).toList());
        }
        assertThat(services).containsEntry("main-db", List.of("main-db-headless", "main-db", "mysql-main", "mysql"))
                .containsEntry("spare-db", List.of("spare-db-headless", "spare-db", "mysql-spare"))
                .containsEntry("archive-db", List.of("archive-db-headless", "archive-db", "mysql-archive"))
                .containsEntry("orders", List.of("orders-headless", "orders", "postgresql-orders", "postgresql"))
                .containsEntry("reports", List.of("reports-headless", "reports", "postgresql-reports"));
    }

    @Test
    void autoEnvListNarrowsAndFalseTurnsItOff(@TempDir Path dir) {
        RenderedStack narrowed = render(dir.resolve("list"), GROUPS.replace("env: {MODE: \"prod\"}",
                "env: {MODE: \"prod\"}\n          autoEnv: [reports]"));
        assertThat(deployment(narrowed, "api").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(EnvVar::getName).containsExactlyElementsOf(Stream.concat(
                        names("POSTGRESQL_REPORTS", POSTGRESQL).stream(), Stream.of("MODE")).toList());
        assertThat(narrowed.graph().providersOf(new ServiceId("shop", "api"))).extracting(d -> d.provider().layer())
                .containsExactly("reports");

        RenderedStack off = render(dir.resolve("off"), GROUPS.replace("env: {MODE: \"prod\"}",
                "env: {MODE: \"prod\"}\n          autoEnv: false"));
        assertThat(deployment(off, "api").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(EnvVar::getName).containsExactly("MODE");
        assertThat(off.graph().providersOf(new ServiceId("shop", "api"))).isEmpty();
    }

    @Test
    void anExplicitEnvEntryWinsAndTheShadowedVariableIsNoted(@TempDir Path dir) {
        RenderedStack stack = render(dir, GROUPS.replace("env: {MODE: \"prod\"}",
                "env: {MODE: \"prod\", MYSQL_SPARE_ADDRESS: \"db.example.com\"}"));
        List<EnvVar> env = deployment(stack, "api").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).filteredOn(e -> e.getName().equals("MYSQL_SPARE_ADDRESS")).singleElement()
                .extracting(EnvVar::getValue).isEqualTo("db.example.com");
        assertThat(stack.warnings()).contains("app 'shop', layer 'api': env MYSQL_SPARE_ADDRESS is set explicitly and"
                + " shadows the automatic MYSQL_SPARE_ADDRESS of layer 'spare-db'");
    }

    @Test
    void severalLayersOfATypeWithoutAPrimaryHaveNoPlainNameAndPreviewSaysWhichToMark(@TempDir Path dir) {
        RenderedStack stack = render(dir, GROUPS.replace(", primary: true}", "}"));
        assertThat(deployment(stack, "api").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(EnvVar::getName).doesNotContain("MYSQL_ADDRESS", "POSTGRESQL_URL").contains("MYSQL_MAIN_ADDRESS");
        assertThat(objects(stack, "main-db")).extracting(o -> o.getMetadata().getName()).doesNotContain("mysql");
        assertThat(stack.warnings()).contains("app 'shop' has 3 mysql layers (main-db, spare-db, archive-db) and none is"
                + " primary: true, so there is no Service 'mysql' and no mysql variables without a group; mark one of"
                + " them primary: true");
    }

    @Test
    void aSoleLayerWithoutAGroupGetsThePlainNameOnlyAndSqliteItsPathAndUrl(@TempDir Path dir) {
        RenderedStack stack = render(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: cache, type: redis, storage: 1}
                        - {name: local, type: sqlite, storage: 1}
                        - {name: api, type: container, image: ghcr.io/acme/api:1}
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        Map<String, String> v = values(deployment(stack, "api").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv());
        assertThat(v.keySet()).containsExactly("REDIS_ADDRESS", "REDIS_PORT", "REDIS_USERNAME", "REDIS_PASSWORD",
                "REDIS_DATABASE", "REDIS_URL", "SQLITE_PATH", "SQLITE_URL");
        assertThat(v).containsEntry("REDIS_ADDRESS", "redis.shop.svc.cluster.local")
                .containsEntry("REDIS_URL", "secretKeyRef cache-credentials/REDIS_URI")
                .containsEntry("SQLITE_PATH", "/var/lib/sqlite/local/app.db")
                .containsEntry("SQLITE_URL", "file:/var/lib/sqlite/local/app.db");
        // The file is there: the container mounts the SQLite layer's volume.
        assertThat(deployment(stack, "api").getSpec().getTemplate().getSpec().getVolumes())
                .extracting(vol -> vol.getPersistentVolumeClaim().getClaimName()).contains(Renderer.sharedClaimName("local"));
        assertThat(objects(stack, "cache")).filteredOn(Service.class::isInstance).extracting(o -> o.getMetadata().getName())
                .containsExactly("cache-headless", "cache", "redis");
    }
}
