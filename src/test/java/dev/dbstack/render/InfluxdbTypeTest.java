package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.sun.net.httpserver.HttpServer;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.VersionChange;
import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Query;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InfluxDB as rendered: 2.x in the image's setup mode, 1.x (a version variant) with HTTP authentication,
 * and their outputs read by InfluxData's own clients (influxdb-client-java for 2.x, influxdb-java for 1.x).
 */
class InfluxdbTypeTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox, clusterDomain: cluster.example}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: metrics, type: influxdb, version: "2.9", storage: 5, org: acme, bucket: telemetry, retention: 30d}
                    - {name: legacy, type: influxdb, version: "1.12.4", storage: 5, database: telegraf}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      env:
                        INFLUX: "{{.spectro.app.$appDeploymentName.metrics.INFLUXDB_URI}}"
                        LEGACY_URL: "{{.spectro.app.$appDeploymentName.legacy.INFLUXDB_URL}}"
                        LEGACY_PASSWORD: "{{.spectro.app.$appDeploymentName.legacy.PASSWORD}}"
              dbstack:apps: [{name: a, profile: p}]
            """;
    private static RenderedStack stack;

    @BeforeAll
    static void render(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    static RenderedService service(RenderedStack stack, String layer) {
        return stack.service(new ServiceId("a", layer));
    }

    static <T extends HasMetadata> T object(RenderedStack stack, String layer, Class<T> type) {
        return service(stack, layer).objects().stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    static String secretValue(RenderedStack stack, String layer, String key) {
        Secret s = object(stack, layer, Secret.class);
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    static PodSpec pod(RenderedStack stack, String layer) {
        return object(stack, layer, StatefulSet.class).getSpec().getTemplate().getSpec();
    }

    static Map<String, String> plainEnv(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue,
                (a, b) -> a, TreeMap::new));
    }

    static Map<String, String> secretEnv(Container c) {
        return c.getEnv().stream().filter(e -> e.getValueFrom() != null).collect(Collectors.toMap(EnvVar::getName,
                e -> e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey(),
                (a, b) -> a, TreeMap::new));
    }

    /** No object but the credentials Secret holds a credential as text ({@link FixedCredentials}' marker). */
    static void assertNoSecretsOutsideSecrets(RenderedStack stack) {
        for (HasMetadata o : stack.allObjects()) {
            if (o instanceof Secret) continue;
            assertThat(Manifests.toYaml(o)).as(o.getKind() + " " + o.getMetadata().getName()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void twoXRunsTheImagesSetupModeWithSecretsFromTheCredentialsSecret() {
        PodSpec pod = pod(stack, "metrics");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("docker.io/library/influxdb:2.9");
        assertThat(plainEnv(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "DOCKER_INFLUXDB_INIT_MODE", "setup", "DOCKER_INFLUXDB_INIT_USERNAME", "admin",
                "DOCKER_INFLUXDB_INIT_ORG", "acme", "DOCKER_INFLUXDB_INIT_BUCKET", "telemetry",
                "DOCKER_INFLUXDB_INIT_RETENTION", "30d", "INFLUXD_REPORTING_DISABLED", "true"));
        assertThat(secretEnv(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "DOCKER_INFLUXDB_INIT_PASSWORD", "metrics-credentials/PASSWORD",
                "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "metrics-credentials/INFLUXDB_TOKEN"));
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/influxdb2"));
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
        // 8086 opens only after setup (it runs on 9999): /health there is the real readiness.
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/ping");

        assertThat(service(stack, "metrics").outputs().keySet()).containsExactly("USERNAME", "PASSWORD", "INFLUXDBMSTR_SVC",
                "INFLUXDBMSTR_SVC_PORT", "INFLUXDB_URL", "INFLUXDB_ORG", "INFLUXDB_BUCKET", "INFLUXDB_TOKEN", "INFLUXDB_URI");
        Map<String, OutputValue> out = service(stack, "metrics").outputs();
        assertThat(out.get("INFLUXDBMSTR_SVC").value()).isEqualTo("metrics.a.svc.cluster.example");
        assertThat(out.get("INFLUXDBMSTR_SVC_PORT").value()).isEqualTo("8086");
        assertThat(out.get("INFLUXDB_URL").value()).isEqualTo("http://metrics.a.svc.cluster.example:8086");
        assertThat(out.get("INFLUXDB_TOKEN").isSecret()).isTrue();
        assertThat(out.get("INFLUXDB_URI").isSecret()).isTrue();
    }

    @Test
    void oneXIsAVariantWithItsOwnPathUserAndVariables() {
        PodSpec pod = pod(stack, "legacy");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("docker.io/library/influxdb:1.12.4");
        assertThat(plainEnv(c)).containsExactlyInAnyOrderEntriesOf(Map.of("INFLUXDB_HTTP_AUTH_ENABLED", "true",
                "INFLUXDB_ADMIN_USER", "admin", "INFLUXDB_DB", "telegraf", "INFLUXDB_REPORTING_DISABLED", "true"));
        assertThat(secretEnv(c)).containsExactly(Map.entry("INFLUXDB_ADMIN_PASSWORD", "legacy-credentials/PASSWORD"));
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/influxdb"));
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1500L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1500L);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ping");
        assertThat(service(stack, "legacy").outputs().keySet()).containsExactly("USERNAME", "PASSWORD", "INFLUXDBMSTR_SVC",
                "INFLUXDBMSTR_SVC_PORT", "INFLUXDB_URL", "INFLUXDB_DB");
        assertThat(object(stack, "legacy", Secret.class).getData()).containsOnlyKeys("PASSWORD");
    }

    @Test
    void credentialsAreNeverTextInASpec() {
        assertNoSecretsOutsideSecrets(stack);
    }

    @Test
    void theConnectionStringIsReadByTheInfluxDb2Client() {
        String uri = secretValue(stack, "metrics", "INFLUXDB_URI");
        assertThat(uri).startsWith("http://metrics.a.svc.cluster.example:8086?token=metrics-token-s3cr3t%2F%26%3F&");

        InfluxDBClientOptions options = InfluxDBClientOptions.builder().connectionString(uri).build();
        assertThat(options.getUrl()).startsWith("http://metrics.a.svc.cluster.example:8086");
        assertThat(new String(options.getToken())).isEqualTo("metrics-token-s3cr3t/&?");
        assertThat(options.getOrg()).isEqualTo("acme");
        assertThat(options.getBucket()).isEqualTo("telemetry");
        try (InfluxDBClient client = InfluxDBClientFactory.create(uri)) {
            assertThat(client).isNotNull(); // the factory takes the same string; it connects only when used
        }
    }

    @Test
    void oneXUrlUserAndPasswordReachAServerThroughInfluxdbJava() throws IOException {
        String url = service(stack, "legacy").outputs().get("INFLUXDB_URL").value();
        URI parsed = URI.create(url);
        assertThat(parsed.getHost()).isEqualTo("legacy.a.svc.cluster.example");
        assertThat(parsed.getPort()).isEqualTo(8086);
        String user = service(stack, "legacy").outputs().get("USERNAME").value();
        String password = secretValue(stack, "legacy", "PASSWORD");

        // A loopback stand-in for the server (same scheme and path, another host): what the client sends.
        Map<String, String> seen = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) seen.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
                seen.put("u", decoded.substring(0, decoded.indexOf(':')));
                seen.put("p", decoded.substring(decoded.indexOf(':') + 1));
            }
            byte[] body = "{\"results\":[{\"statement_id\":0}]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Influxdb-Version", "1.12.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String local = parsed.getScheme() + "://127.0.0.1:" + server.getAddress().getPort() + parsed.getRawPath();
            try (InfluxDB influx = InfluxDBFactory.connect(local, user, password)) {
                influx.query(new Query("SHOW DATABASES", "telegraf"));
            }
        } finally {
            server.stop(0);
        }
        assertThat(seen).containsEntry("u", "admin").containsEntry("p", "legacy-password-s3cr3t/&?");
    }

    @Test
    void oneXDataIsNeverUpgradedToTwoXInPlace() {
        var c = Catalog.builtIn().get("influxdb");
        VersionChange.Judgement j = VersionChange.judge(c, "1.12", "2.9");
        assertThat(j.verdict()).isEqualTo(VersionChange.Verdict.REFUSED);
        assertThat(j.explanation()).contains("InfluxDB 2.7 starts a new on-disk format");
        assertThat(VersionChange.migrationPath(c, "legacy", "2.9")).contains("influxd upgrade");
        assertThat(VersionChange.judge(c, "1.11", "1.12").verdict()).isEqualTo(VersionChange.Verdict.SAFE);
        assertThat(VersionChange.judge(c, "2.7", "2.9").verdict()).isEqualTo(VersionChange.Verdict.SAFE);
        assertThat(VersionChange.judge(c, "2.9", "1.12").verdict()).isEqualTo(VersionChange.Verdict.REFUSED);
    }
}
