package dev.dbstack.render;

import static dev.dbstack.render.InfluxdbTypeTest.assertNoSecretsOutsideSecrets;
import static dev.dbstack.render.InfluxdbTypeTest.pod;
import static dev.dbstack.render.InfluxdbTypeTest.secretEnv;
import static dev.dbstack.render.InfluxdbTypeTest.secretValue;
import static dev.dbstack.render.InfluxdbTypeTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.StackModel;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CockroachDB as rendered: the vendor's image in secure single-node mode, its tags, the root pod without
 * fsGroup, lost+found removed before cockroach.sh looks, and its URIs read by the PostgreSQL JDBC driver.
 */
class CockroachdbTypeTest {
    /** Every character a URI reserves, the escape character and a space. */
    static final String RESERVED = ":/?#[]@!$&'()*+,;=% x";

    private static String stackFile(String salt, String secure) {
        return """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox, clusterDomain: cluster.example}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: roach, type: cockroachdb, version: "26.2", storage: 10, database: orders, user: shop}
                        - {name: pinned, type: cockroachdb, version: "25.4.3", storage: 10, password: {secure: "%s"}}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1.0
                          env:
                            DATABASE_URL: "{{.spectro.app.$appDeploymentName.roach.COCKROACHDB_URI}}"
                            DB_HOST: "{{.spectro.app.$appDeploymentName.roach.COCKROACHDBMSTR_SVC}}"
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(salt, secure);
    }

    private static RenderedStack stack;

    @BeforeAll
    static void render(@TempDir Path dir) {
        PassphraseCrypter crypter = PassphraseCrypter.create("pw");
        TestProject project = TestProject.create(dir, stackFile(crypter.encryptionSalt(), crypter.encrypt(RESERVED)));
        StackModel model = new StackLoader(project.catalog(), "pw").load(StackLoader.loadProject(dir), TestProject.STACK);
        FixedCredentials fixed = new FixedCredentials();
        stack = new Renderer(project.catalog(), (id, name, spec, supplied) -> supplied.isPresent() ? supplied.get()
                : fixed.credential(id, name, spec, supplied), (id, env) -> "x").render(ServiceGraph.build(model, project.catalog()));
    }

    @Test
    void aFamilyRunsItsNewestReleaseTagAndAReleaseItsOwn() {
        assertThat(pod(stack, "roach").getContainers().get(0).getImage()).isEqualTo("docker.io/cockroachdb/cockroach:latest-v26.2");
        assertThat(pod(stack, "pinned").getContainers().get(0).getImage()).isEqualTo("docker.io/cockroachdb/cockroach:v25.4.3");
        assertThat(pod(stack, "pinned").getInitContainers().get(0).getImage()).isEqualTo("docker.io/cockroachdb/cockroach:v25.4.3");
    }

    @Test
    void secureSingleNodeKeepsItsCertificatesOnTheVolume() {
        PodSpec pod = pod(stack, "roach");
        Container c = pod.getContainers().get(0);
        // Root (the image has no other user) without fsGroup, which would make the keys group-readable.
        assertThat(pod.getSecurityContext().getRunAsUser()).isZero();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isFalse();
        assertThat(pod.getSecurityContext().getFsGroup()).isNull();
        assertThat(pod.getSecurityContext().getFsGroupChangePolicy()).isNull();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/cockroach/cockroach-data"));
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("remove-lost-found");
            assertThat(String.join(" ", init.getCommand())).contains("rmdir '/cockroach/cockroach-data/lost+found'");
        });
        assertThat(c.getCommand()).containsExactly("/bin/bash", "-c");
        assertThat(c.getArgs()).singleElement().asString()
                .contains("exec /cockroach/cockroach.sh start-single-node --certs-dir=cockroach-data/certs")
                .doesNotContain("$(").doesNotContain("--insecure");
        assertThat(InfluxdbTypeTest.plainEnv(c)).containsExactlyInAnyOrderEntriesOf(Map.of("COCKROACH_USER", "shop",
                "COCKROACH_DATABASE", "orders"));
        assertThat(secretEnv(c)).containsExactly(Map.entry("COCKROACH_PASSWORD", "roach-credentials/COCKROACHDBMSTR_PASSWORD"));

        assertThat(c.getLivenessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(String.join(" ", c.getReadinessProbe().getExec().getCommand()))
                .contains("[ ! -f /cockroach/init_success ]").contains("cockroach sql").contains("--user=root");
        assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("sql:26257", "http:8080");
    }

    @Test
    void paletteOutputsAndCredentialsOnlyInTheSecret() {
        assertThat(service(stack, "roach").outputs().keySet()).containsExactly("COCKROACHDBMSTR_USERNAME",
                "COCKROACHDBMSTR_PASSWORD", "COCKROACHDBMSTR_DB_NAME", "COCKROACHDBMSTR_SVC", "COCKROACHDBMSTR_SVC_PORT",
                "COCKROACHDBMSTR_SVC_NAMESPACE", "COCKROACHDB_URI", "COCKROACHDB_JDBC_URL");
        Map<String, OutputValue> out = service(stack, "roach").outputs();
        assertThat(out.get("COCKROACHDBMSTR_SVC").value()).isEqualTo("roach.a.svc.cluster.example");
        assertThat(out.get("COCKROACHDBMSTR_SVC_PORT").value()).isEqualTo("26257");
        assertThat(out.get("COCKROACHDBMSTR_SVC_NAMESPACE").value()).isEqualTo("a");
        assertThat(out.get("COCKROACHDBMSTR_DB_NAME").value()).isEqualTo("orders");
        assertThat(out.get("COCKROACHDBMSTR_PASSWORD").isSecret()).isTrue();
        assertNoSecretsOutsideSecrets(stack);
        assertThat(Manifests.toYaml(stack.allObjects().stream().filter(o -> !(o instanceof io.fabric8.kubernetes.api.model.Secret))
                .toList())).doesNotContain("[]@!$&'()*+,;=%");
    }

    @Test
    void theJdbcUrlGivesThePostgresqlDriverEveryCharacterOfThePassword() {
        for (String layer : new String[] {"roach", "pinned"}) {
            String password = secretValue(stack, layer, "COCKROACHDBMSTR_PASSWORD");
            Properties p = org.postgresql.Driver.parseURL(secretValue(stack, layer, "COCKROACHDB_JDBC_URL"), new Properties());
            assertThat(p).as(layer).isNotNull();
            assertThat(p.getProperty("PGHOST")).isEqualTo(layer + ".a.svc.cluster.example");
            assertThat(p.getProperty("PGPORT")).isEqualTo("26257");
            assertThat(p.getProperty("PGDBNAME")).isEqualTo(layer.equals("roach") ? "orders" : "app");
            assertThat(p.getProperty("sslmode")).isEqualTo("require");
            assertThat(p.getProperty("user")).isEqualTo(layer.equals("roach") ? "shop" : "app");
            assertThat(p.getProperty("password")).isEqualTo(password);
        }
        assertThat(secretValue(stack, "pinned", "COCKROACHDBMSTR_PASSWORD")).isEqualTo(RESERVED);
    }

    @Test
    void theLibpqUriCarriesTheSameUserAndPasswordPercentEncoded() {
        String text = secretValue(stack, "pinned", "COCKROACHDB_URI");
        URI uri = URI.create(text); // a valid URI: every reserved character of the password is encoded
        assertThat(uri.getScheme()).isEqualTo("postgresql");
        assertThat(uri.getHost()).isEqualTo("pinned.a.svc.cluster.example");
        assertThat(uri.getPort()).isEqualTo(26257);
        assertThat(uri.getPath()).isEqualTo("/app");
        assertThat(uri.getQuery()).isEqualTo("sslmode=require");
        String[] userInfo = uri.getRawUserInfo().split(":", 2);
        assertThat(URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8)).isEqualTo("app");
        assertThat(URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8)).isEqualTo(RESERVED);
    }
}
