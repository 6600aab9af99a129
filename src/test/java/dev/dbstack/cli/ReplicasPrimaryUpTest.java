package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL layer with replicas through the real client against the sandbox: {@code up} at {@code replicas: 3}
 * makes three pods and claims, the layer's Service selects pod 0 (the primary) and {@code pg-read} every pod, the
 * pg_hba.conf ConfigMap exists; then {@code replicas: 1}: the plan says {@code replicas 3 → 1} and names the two claims
 * it keeps, {@code up} leaves them in the cluster, and the outputs name the read host; then {@code replicas: 2}
 * reattaches a kept claim.
 */
class ReplicasPrimaryUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - name: pg
                      type: postgresql
                      storage: 1
                      replicas: 3
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "-C");
        all.add(2, dir.toString());
        if (!args[0].equals("preview")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private record Live(StatefulSet sts, List<String> pods, List<String> claims, Map<String, String> client,
                        Map<String, String> read, boolean hba) {}

    private static Live live(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            var c = s.client();
            Service read = c.services().inNamespace("a").withName("pg-read").get();
            return new Live(c.apps().statefulSets().inNamespace("a").withName("pg").get(),
                    c.pods().inNamespace("a").list().getItems().stream().map(Pod::getMetadata).map(m -> m.getName()).sorted().toList(),
                    c.persistentVolumeClaims().inNamespace("a").list().getItems().stream().map(PersistentVolumeClaim::getMetadata)
                            .map(m -> m.getName()).sorted().toList(),
                    c.services().inNamespace("a").withName("pg").get().getSpec().getSelector(),
                    read == null ? null : read.getSpec().getSelector(),
                    c.configMaps().inNamespace("a").withName("pg-pg-hba").get() != null);
        }
    }

    @Test
    void threeReplicasThenOneKeepsTheClaims(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run(dir, "up");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("+ create ConfigMap a/pg-pg-hba").contains("+ create Service a/pg-read")
                .contains("POSTGRES_READ_HOST").contains("pg-read.a.svc.cluster.local");
        Live three = live(dir);
        assertThat(three.sts().getSpec().getReplicas()).isEqualTo(3);
        assertThat(three.pods()).containsExactly("pg-0", "pg-1", "pg-2");
        assertThat(three.claims()).containsExactly("data-pg-0", "data-pg-1", "data-pg-2");
        assertThat(three.client()).containsEntry(Labels.POD_NAME, "pg-0");
        assertThat(three.read()).isNotNull().doesNotContainKey(Labels.POD_NAME);
        assertThat(three.hba()).isTrue();
        var pod = three.sts().getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).anyMatch(c -> c.getName().equals("seed-replica"));
        assertThat(pod.getContainers().get(0).getArgs()).containsExactly("-c", "hba_file=/etc/dbstack/postgresql/pg_hba.conf");
        assertThat(run(dir, "preview").out()).contains("No changes.");

        project.edit(TestProject.STACK, "replicas: 3", "replicas: 1");
        CliTest.Result preview = run(dir, "preview");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("replicas 3 → 1").contains("pg-2, pg-1 stop").contains("data-pg-2")
                .contains("data-pg-1").contains("kept").doesNotContain("delete PersistentVolumeClaim")
                .contains("- delete Service a/pg-read").contains("- delete ConfigMap a/pg-pg-hba")
                .contains("should seed afresh"); // the type's caution
        CliTest.Result down = run(dir, "up");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        assertThat(down.out()).contains("POSTGRES_READ_HOST").contains("pg.a.svc.cluster.local");
        Live one = live(dir);
        assertThat(one.sts().getSpec().getReplicas()).isEqualTo(1);
        assertThat(one.claims()).containsExactly("data-pg-0", "data-pg-1", "data-pg-2");
        assertThat(one.client()).doesNotContainKey(Labels.POD_NAME);
        assertThat(one.read()).isNull();
        assertThat(one.hba()).isFalse();
        assertThat(one.sts().getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
        assertThat(run(dir, "preview").out()).contains("No changes.");

        // Up again, 1 → 2: the kept claim of pod 1 is reattached (its replica resumes from its own data), none is new.
        project.edit(TestProject.STACK, "replicas: 1", "replicas: 2");
        CliTest.Result up = run(dir, "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("+ create ConfigMap a/pg-pg-hba").contains("+ create Service a/pg-read")
                .doesNotContain("PersistentVolumeClaim");
        Live two = live(dir);
        assertThat(two.pods()).containsExactly("pg-0", "pg-1");
        assertThat(two.claims()).containsExactly("data-pg-0", "data-pg-1", "data-pg-2");
        assertThat(two.client()).containsEntry(Labels.POD_NAME, "pg-0");
    }
}
