package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MySQL layer scaled 1 → 3 → 2 through the real client against the sandbox: the read Service appears, the pods get
 * the replication sidecar, and scaling down keeps every claim.
 */
class ReplicasMysqlUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: sql, type: mysql, storage: 1, replicas: 1}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "-C");
        all.add(2, dir.toString());
        if (!args[0].equals("preview")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private record Live(StatefulSet sts, Service read, Service client, int claims) {}

    private static Live live(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            var c = s.client();
            return new Live(c.apps().statefulSets().inNamespace("a").withName("sql").get(),
                    c.services().inNamespace("a").withName("sql-read").get(),
                    c.services().inNamespace("a").withName("sql").get(),
                    c.persistentVolumeClaims().inNamespace("a").list().getItems().size());
        }
    }

    @Test
    void scaledUpThenDownKeepsEveryClaim(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run(dir, "up");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(live(dir).read()).isNull();

        project.edit(TestProject.STACK, "replicas: 1}", "replicas: 3}");
        CliTest.Result preview = run(dir, "preview");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("+ create Service a/sql-read").contains("StatefulSet a/sql");
        CliTest.Result up = run(dir, "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        Live three = live(dir);
        assertThat(three.sts().getSpec().getReplicas()).isEqualTo(3);
        assertThat(three.sts().getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("mysql", "replication");
        assertThat(three.read()).isNotNull();
        assertThat(three.client().getSpec().getSelector()).containsEntry("statefulset.kubernetes.io/pod-name", "sql-0");
        assertThat(three.claims()).isEqualTo(3);
        assertThat(up.out()).contains("MYSQL_READ_SVC").contains("sql-read.a.svc");

        project.edit(TestProject.STACK, "replicas: 3}", "replicas: 2}");
        CliTest.Result down = run(dir, "up");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        Live two = live(dir);
        assertThat(two.sts().getSpec().getReplicas()).isEqualTo(2);
        assertThat(two.claims()).isEqualTo(3);
    }
}
