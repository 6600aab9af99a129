package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackLoader;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MySQL and Percona Server with {@code replicas > 1}: pod 0 the source, the others clones of it that replicate by GTID,
 * read-only; a read Service and output; MariaDB one server. A layer of one server renders as before whatever its engine.
 */
class ReplicasMysqlRenderTest {
    private static final String HOST0 = "db-0.db-headless.shop.svc.cluster.local";

    private static String stack(String layer) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(layer.indent(8).stripTrailing());
    }

    private static LayerRender render(Path dir, String engine, int replicas) {
        String layer = "- {name: db, type: mysql, engine: " + engine + ", storage: 1"
                + (replicas == 0 ? "" : ", replicas: " + replicas) + "}";
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return LayerRender.of(TestProject.create(dir, stack(layer)), new FixedCredentials(), "shop", "db");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "percona", "mariadb"})
    void oneServerRendersAsWithoutReplicas(String engine, @TempDir Path dir) {
        LayerRender one = render(dir.resolve("one"), engine, 1);
        LayerRender unset = render(dir.resolve("unset"), engine, 0);
        assertThat(Manifests.toYaml(one.service().objects())).isEqualTo(Manifests.toYaml(unset.service().objects()));
        assertThat(one.pod().getContainers()).extracting(Container::getName).containsExactly("mysql");
        assertThat(one.server().getCommand()).isEmpty();
        assertThat(one.service().objects()).noneMatch(o -> o.getMetadata().getName().equals("db-read"));
        assertThat(one.service().outputs().get("MYSQL_READ_SVC").value()).isEqualTo("db.shop.svc.cluster.local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "percona"})
    void replicasCloneAndFollowPodZero(String engine, @TempDir Path dir) {
        LayerRender r = render(dir, engine, 3);
        assertThat(r.statefulSet().getSpec().getReplicas()).isEqualTo(3);

        // The server: its id from the ordinal, GTIDs, and the supervisor exit a clone's restart needs.
        Container server = r.server();
        assertThat(server.getCommand()).hasSize(4).startsWith("sh", "-c").endsWith("mysqld");
        String wrapper = server.getCommand().get(2);
        assertThat(wrapper).contains("ordinal=${HOSTNAME##*-}", "--server-id=$((ordinal + 1))", "--gtid-mode=ON",
                "--enforce-gtid-consistency=ON", "export MYSQLD_PARENT_PID=$PPID", "\"$0\"", "\"$@\"")
                .contains(engine.equals("percona") ? "exec /docker-entrypoint.sh " : "exec docker-entrypoint.sh ");

        // Ready: pod 0 answers; a replica replicates, both threads running, and is read-only.
        String probe = String.join(" ", server.getReadinessProbe().getExec().getCommand());
        assertThat(probe).contains("\"${HOSTNAME##*-}\" = 0", "SELECT 1", "SHOW REPLICA STATUS\\G",
                "Replica_IO_Running: Yes", "Replica_SQL_Running: Yes", "@@global.super_read_only')\" = 1");
        assertThat(server.getReadinessProbe().getPeriodSeconds()).isEqualTo(10);

        // The sidecar: clones only an empty server, points a cloned one at pod 0, never touches pod 0's data.
        Container sidecar = r.pod().getContainers().get(1);
        assertThat(sidecar.getName()).isEqualTo("replication");
        assertThat(sidecar.getImage()).isEqualTo(server.getImage());
        String script = sidecar.getCommand().get(2);
        assertThat(script).contains("source=" + HOST0, "INSTALL PLUGIN clone SONAME 'mysql_clone.so'",
                "[ \"${HOSTNAME##*-}\" = 0 ] && continue", "SHOW REPLICA STATUS", "performance_schema.clone_status",
                "CLONE INSTANCE FROM 'root'@'$source':3306 IDENTIFIED BY '$pw'",
                "SET GLOBAL clone_valid_donor_list = '$source:3306'", "SOURCE_AUTO_POSITION = 1", "GET_SOURCE_PUBLIC_KEY = 1",
                "SET GLOBAL super_read_only = ON");
        // pod 0 is skipped before anything that clones or configures replication
        assertThat(script.indexOf("= 0 ] && continue")).isLessThan(script.indexOf("CLONE INSTANCE"))
                .isLessThan(script.indexOf("CHANGE REPLICATION SOURCE"));
        // cloning only when no table outside the system schemas exists
        assertThat(script).contains("elif [ \"$tables\" = 0 ]; then");
        assertThat(sidecar.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("MYSQL_ROOT_PASSWORD");
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("db-credentials");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ROOT_PASSWORD");
        });

        // Clients: the layer's Service reaches pod 0, the read Service every pod; the read output names the latter.
        Map<String, String> client = service(r, "db").getSpec().getSelector();
        assertThat(client).containsEntry("statefulset.kubernetes.io/pod-name", "db-0");
        assertThat(service(r, "db-read").getSpec().getSelector()).doesNotContainKey("statefulset.kubernetes.io/pod-name");
        assertThat(r.service().outputs().get("MYSQL_READ_SVC").value()).isEqualTo("db-read.shop.svc.cluster.local");

        // No secret as text in any spec: the password is only in the credentials Secret.
        String specs = r.specsYaml();
        assertThat(specs).doesNotContain("s3cr3t");
        assertThat(server.getArgs()).isEmpty();
        for (Container c : r.pod().getContainers()) {
            for (EnvVar e : c.getEnv()) if (e.getName().contains("PASSWORD")) assertThat(e.getValue()).isNull();
        }
        assertValid(r.service().objects());
    }

    @Test
    void scalingDoesNotChangeThePodTemplate(@TempDir Path dir) {
        // 3 → 2 removes pod 2 only: the template of the pods that stay must not depend on the count.
        LayerRender three = render(dir.resolve("three"), "mysql", 3);
        LayerRender two = render(dir.resolve("two"), "mysql", 2);
        assertThat(three.statefulSet().getSpec().getTemplate()).isEqualTo(two.statefulSet().getSpec().getTemplate());
    }

    @Test
    void mariadbStaysOneServerAndSaysWhy(@TempDir Path dir) {
        TestProject project = TestProject.create(dir,
                stack("- {name: db, type: mysql, engine: mariadb, storage: 1, replicas: 3}"));
        assertThatThrownBy(() -> new StackLoader(project.catalog(), null).load(StackLoader.loadProject(project.dir()),
                TestProject.STACK))
                .hasMessageContaining("layers[db].replicas: MariaDB runs as a single server in dbstack (replicas need engine"
                        + " mysql or percona); replicas must be 1, got a number '3'");
    }

    @Test
    void mysqlAllowsFiveServers(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, stack("- {name: db, type: mysql, storage: 1, replicas: 6}"));
        assertThatThrownBy(() -> new StackLoader(project.catalog(), null).load(StackLoader.loadProject(project.dir()),
                TestProject.STACK))
                .hasMessageContaining("layers[db].replicas: replicas must be a whole number from 1 to 5");
    }

    @Test
    void aSuppliedPasswordLongerThanReplicationTakesIsRefused(@TempDir Path dir) throws java.io.IOException {
        Files.createDirectories(dir.resolve("ok"));
        PassphraseCrypter c = PassphraseCrypter.create("pw");
        String layer = "- {name: db, type: mysql, storage: 1, replicas: 2, password: {secure: \""
                + c.encrypt("x".repeat(33)) + "\"}}";
        TestProject project = TestProject.create(dir, "encryptionsalt: " + c.encryptionSalt() + "\n" + stack(layer));
        assertThatThrownBy(() -> LayerRender.withPassphrase(project, "pw", "shop", "db"))
                .hasMessageContaining("layers[db].password: replicas connect to pod 0 with this password, and MySQL's"
                        + " replication takes at most 32 characters");
        TestProject ok = TestProject.create(dir.resolve("ok"), "encryptionsalt: " + c.encryptionSalt() + "\n"
                + stack(layer.replace("replicas: 2", "replicas: 1")));
        assertThat(LayerRender.withPassphrase(ok, "pw", "shop", "db").statefulSet().getSpec().getReplicas()).isEqualTo(1);
    }

    private static Service service(LayerRender r, String name) {
        return r.service().objects().stream().filter(o -> o instanceof Service && o.getMetadata().getName().equals(name))
                .map(Service.class::cast).findFirst().orElseThrow();
    }

    private static void assertValid(List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }
}
