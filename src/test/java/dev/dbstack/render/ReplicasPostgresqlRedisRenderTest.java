package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replicas of PostgreSQL and Redis, both {@code replication: primary}: with one replica a layer renders exactly as
 * without the key (no read Service, no init container, no wrapper); with several, PostgreSQL seeds each replica from
 * pod 0 in an init container and reads a pg_hba.conf that admits replication, Redis runs a wrapper that makes every pod
 * but 0 a replica of pod 0. Every object validates against the Kubernetes schema.
 */
class ReplicasPostgresqlRedisRenderTest {
    private static final String NS = "shop";
    private static final String DOMAIN = "cluster.local";

    private static String stack(String layers) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(layers.indent(8).stripTrailing());
    }

    private static LayerRender render(Path dir, String layer) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return LayerRender.of(TestProject.create(dir, stack(layer)), new FixedCredentials(), "shop", "db");
    }

    private static void assertValid(List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }

    private static List<String> serviceNames(LayerRender r) {
        return r.service().objects().stream().filter(Service.class::isInstance).map(o -> o.getMetadata().getName()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "redis"})
    void oneReplicaRendersAsWithoutTheKey(String type, @TempDir Path dir) {
        LayerRender without = render(dir.resolve("without"), "- {name: db, type: " + type + ", storage: 1}");
        LayerRender one = render(dir.resolve("one"), "- {name: db, type: " + type + ", storage: 1, replicas: 1}");
        assertThat(Manifests.toYaml(one.service().objects())).isEqualTo(Manifests.toYaml(without.service().objects()));
        assertThat(serviceNames(one)).containsExactly("db-headless", "db", type); // the last: Maestro's plain <type> name
        assertThat(one.pod().getInitContainers()).isEmpty();
        assertThat(one.service().objects()).noneMatch(ConfigMap.class::isInstance);
        assertThat(one.server().getReadinessProbe().getExec().getCommand().get(2)).doesNotContain("HOSTNAME");
        String readOutput = type.equals("postgresql") ? "POSTGRES_READ_HOST" : "REDIS_READ_HOST";
        assertThat(one.service().outputs().get(readOutput).value()).isEqualTo("db." + NS + ".svc." + DOMAIN);
    }

    @Test
    void postgresqlReplicasSeedFromPodZeroAndPodZeroAdmitsReplication(@TempDir Path dir) {
        LayerRender r = render(dir, """
                - name: db
                  type: postgresql
                  version: "17"
                  storage: 1
                  replicas: 3
                  parameters: {max_connections: 200}
                """);
        assertThat(r.statefulSet().getSpec().getReplicas()).isEqualTo(3);
        assertThat(serviceNames(r)).containsExactlyInAnyOrder("db-headless", "db-read", "db", "postgresql");
        assertThat(service(r, "postgresql").getSpec().getSelector()).containsEntry(Labels.POD_NAME, "db-0");
        Service client = service(r, "db");
        assertThat(client.getSpec().getSelector()).containsEntry(Labels.POD_NAME, "db-0");
        assertThat(service(r, "db-read").getSpec().getSelector()).doesNotContainKey(Labels.POD_NAME);
        assertThat(r.service().outputs().get("POSTGRES_READ_HOST").value()).isEqualTo("db-read." + NS + ".svc." + DOMAIN);
        assertThat(r.service().outputs().get("POSTGRESMSTR_SVC").value()).isEqualTo("db." + NS + ".svc." + DOMAIN);

        // hba_file first, the layer's parameters after it.
        Container server = r.server();
        assertThat(server.getArgs()).containsExactly("-c", "hba_file=/etc/dbstack/postgresql/pg_hba.conf", "-c",
                "max_connections=200");
        assertThat(server.getVolumeMounts()).anyMatch(m -> m.getName().equals("pg-hba")
                && m.getMountPath().equals("/etc/dbstack/postgresql") && Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(r.pod().getVolumes()).anyMatch(v -> v.getName().equals("pg-hba") && v.getConfigMap() != null
                && v.getConfigMap().getName().equals("db-pg-hba"));
        ConfigMap hba = r.object(ConfigMap.class);
        assertThat(hba.getMetadata().getName()).isEqualTo("db-pg-hba");
        String hbaText = hba.getData().get("pg_hba.conf");
        assertThat(hbaText.lines().map(l -> String.join(" ", l.trim().split("\\s+"))))
                .contains("local all all trust", "host all all 127.0.0.1/32 trust", "host all all all scram-sha-256",
                        "host replication all all scram-sha-256");

        Container seed = r.pod().getInitContainers().stream().filter(c -> c.getName().equals("seed-replica")).findFirst()
                .orElseThrow();
        assertThat(seed.getImage()).isEqualTo(server.getImage());
        String script = seed.getCommand().get(2);
        assertThat(seed.getCommand().subList(0, 2)).containsExactly("sh", "-c");
        assertThat(script).contains("[ \"${HOSTNAME##*-}\" != 0 ] || exit 0")
                .contains("[ ! -s \"$PGDATA/PG_VERSION\" ] || exit 0")
                .contains("pg_basebackup -h db-0.db-headless." + NS + ".svc." + DOMAIN + " -p 5432 -U \"$POSTGRES_USER\" -w"
                        + " -D \"$PGDATA.seed\" -R -X stream")
                .contains("mv \"$PGDATA.seed\" \"$PGDATA\"")
                .doesNotContain("$(");
        // The seed comes first, never after the data exists: the check for PG_VERSION precedes pg_basebackup.
        assertThat(script.indexOf("PG_VERSION")).isLessThan(script.indexOf("pg_basebackup"));
        EnvVar password = seed.getEnv().stream().filter(e -> e.getName().equals("PGPASSWORD")).findFirst().orElseThrow();
        assertThat(password.getValue()).isNull();
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("db-credentials");
        assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("PASSWORD");
        assertThat(seed.getEnv()).anyMatch(e -> e.getName().equals("PGDATA") && e.getValue().equals("/var/lib/postgresql/data/pgdata"));
        assertThat(seed.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getName()).isEqualTo("data"));
        assertThat(seed.getSecurityContext()).isEqualTo(server.getSecurityContext());

        assertThat(server.getReadinessProbe().getExec().getCommand().get(2)).contains("pg_isready")
                .contains("pg_stat_wal_receiver").contains("grep -qx streaming");
        assertThat(r.specsYaml()).doesNotContain(r.secret("PASSWORD"));
        assertValid(r.service().objects());
    }

    @Test
    void postgresql18SeedsIntoTheImagesOwnDataDirectory(@TempDir Path dir) {
        LayerRender r = render(dir, "- {name: db, type: postgresql, version: \"18\", storage: 1, replicas: 2}");
        Container seed = r.pod().getInitContainers().get(r.pod().getInitContainers().size() - 1);
        // 18's image sets PGDATA itself (/var/lib/postgresql/18/docker): the init container, of the same image, has it.
        assertThat(seed.getEnv()).noneMatch(e -> e.getName().equals("PGDATA"));
        assertThat(seed.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/postgresql"));
        assertValid(r.service().objects());
    }

    @Test
    void redisReplicasFollowPodZeroThroughAWrapper(@TempDir Path dir) {
        LayerRender r = render(dir, """
                - name: db
                  type: redis
                  storage: 1
                  replicas: 2
                  parameters: {maxmemory: 100mb}
                """);
        Container server = r.server();
        assertThat(server.getCommand()).hasSize(3).startsWith("sh", "-c");
        String script = server.getCommand().get(2);
        assertThat(script).contains("if [ \"${HOSTNAME##*-}\" = 0 ]; then exec \"$0\" \"$@\"; fi")
                .contains("--replicaof db-0.db-headless." + NS + ".svc." + DOMAIN + " 6379")
                .contains("--masterauth \"$REDIS_PASSWORD\"").contains("--replica-read-only yes")
                .doesNotContain("$(");
        assertThat(server.getArgs()).containsExactly("redis-server", "--requirepass", "$(REDIS_PASSWORD)", "--appendonly",
                "yes", "--dir", "/data", "--maxmemory", "100mb");
        assertThat(serviceNames(r)).containsExactlyInAnyOrder("db-headless", "db-read", "db", "redis");
        assertThat(service(r, "db").getSpec().getSelector()).containsEntry(Labels.POD_NAME, "db-0");
        assertThat(r.service().outputs().get("REDIS_READ_HOST").value()).isEqualTo("db-read." + NS + ".svc." + DOMAIN);
        assertThat(server.getReadinessProbe().getExec().getCommand().get(2)).contains("master_link_status:up");
        assertThat(r.pod().getInitContainers()).isEmpty();
        assertThat(r.specsYaml()).doesNotContain(r.secret("PASSWORD"));
        assertValid(r.service().objects());
    }

    private static Service service(LayerRender r, String name) {
        return r.service().objects().stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }
}
