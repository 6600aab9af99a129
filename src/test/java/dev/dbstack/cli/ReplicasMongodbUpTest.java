package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MongoDB replica set through the real CLI against the sandbox: three pods, the keyfile Secret, the initiation Job
 * created and complete (up waits for it), the URI listing the members with replicaSet=rs0; three to five members is a
 * new Job and the old one deleted, the claims kept.
 */
class ReplicasMongodbUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: docs, type: mongodb, storage: 1, replicas: 3}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "-C");
        all.add(2, dir.toString());
        if (args[0].equals("up")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private record Live(List<String> pods, List<Job> jobs, int claims, boolean keyfile) {}

    private static Live live(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            var c = s.client();
            return new Live(c.pods().inNamespace("a").list().getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList(),
                    c.batch().v1().jobs().inNamespace("a").list().getItems(),
                    c.persistentVolumeClaims().inNamespace("a").list().getItems().size(),
                    c.secrets().inNamespace("a").withName("docs-keyfile").get() != null);
        }
    }

    private static boolean complete(Job j) {
        return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded())
                && j.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True"));
    }

    private static String members(int n) {
        List<String> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) hosts.add("docs-" + i + ".docs-headless.a.svc.cluster.local:27017");
        return String.join(",", hosts);
    }

    /** State that lost its credentials takes the keyfile back from its Secret: a running set never gets a second one. */
    @Test
    void lostStateTakesTheKeyfileBackFromTheCluster(@TempDir Path dir) throws java.io.IOException {
        TestProject.create(dir, STACK);
        assertThat(run(dir, "up").exit()).isZero();
        String keyfile = keyfileData(dir);
        Path state = dir.resolve(".dbstack/stacks/" + TestProject.STACK + "/state.json");
        java.nio.file.Files.delete(state);

        CliTest.Result preview = run(dir, "preview");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).doesNotContain("Secret a/docs-keyfile").doesNotContain("Secret a/docs-credentials");
        assertThat(run(dir, "up").exit()).isZero();
        assertThat(keyfileData(dir)).isEqualTo(keyfile);
    }

    private static String keyfileData(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return s.client().secrets().inNamespace("a").withName("docs-keyfile").get().getData().get("keyfile");
        }
    }

    @Test
    void threeMembersThenFive(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run(dir, "up");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).containsPattern("\\+ create Job a/docs-rs3-[0-9a-f]{6}").contains("+ create Secret a/docs-keyfile");
        Live three = live(dir);
        assertThat(three.pods()).containsExactly("docs-0", "docs-1", "docs-2");
        assertThat(three.jobs()).hasSize(1);
        assertThat(three.jobs().get(0).getMetadata().getName()).startsWith("docs-rs3-");
        assertThat(complete(three.jobs().get(0))).isTrue();
        assertThat(three.keyfile()).isTrue();
        assertThat(three.claims()).isEqualTo(3);

        CliTest.Result outputs = run(dir, "outputs", "--show-secrets");
        assertThat(outputs.exit()).as(outputs.out() + outputs.err()).isZero();
        assertThat(outputs.out()).contains("MONGO_URI = mongodb://admin:").contains("@" + members(3) + "/?replicaSet=rs0&authSource=admin");
        assertThat(run(dir, "preview").out()).contains("No changes.");

        project.edit(TestProject.STACK, "replicas: 3", "replicas: 5");
        CliTest.Result second = run(dir, "up");
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        String old = three.jobs().get(0).getMetadata().getName();
        assertThat(second.out()).containsPattern("\\+ create Job a/docs-rs5-[0-9a-f]{6}").contains("- delete Job a/" + old);
        Live five = live(dir);
        assertThat(five.pods()).containsExactly("docs-0", "docs-1", "docs-2", "docs-3", "docs-4");
        assertThat(five.jobs()).hasSize(1);
        assertThat(five.jobs().get(0).getMetadata().getName()).startsWith("docs-rs5-");
        assertThat(complete(five.jobs().get(0))).isTrue();
        assertThat(five.claims()).isEqualTo(5);
        assertThat(run(dir, "outputs", "--show-secrets").out()).contains("@" + members(5) + "/?replicaSet=rs0&authSource=admin");
        assertThat(run(dir, "preview").out()).contains("No changes.");

        // Down to one: the plan says what to do first, the set's objects go, the claims stay.
        project.edit(TestProject.STACK, "replicas: 5", "replicas: 1");
        CliTest.Result down = run(dir, "preview");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        assertThat(down.out()).contains("goes from 5 to 1 replicas").contains("rs.remove")
                .contains("- delete Job a/" + five.jobs().get(0).getMetadata().getName())
                .contains("- delete Secret a/docs-keyfile").contains("data-docs-4").doesNotContain("delete PersistentVolumeClaim");
    }

    @Test
    void aStandaloneBecomesAReplicaSetOnItsOwnClaim(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK.replace("replicas: 3", "replicas: 1"));
        CliTest.Result first = run(dir, "up");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).doesNotContain("Job").doesNotContain("docs-keyfile");
        assertThat(run(dir, "outputs", "--show-secrets").out()).contains("@docs.a.svc.cluster.local:27017/?authSource=admin");

        project.edit(TestProject.STACK, "replicas: 1", "replicas: 3");
        CliTest.Result second = run(dir, "up");
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("~ update StatefulSet a/docs").containsPattern("\\+ create Job a/docs-rs3-[0-9a-f]{6}")
                .doesNotContain("replace StatefulSet").doesNotContain("delete PersistentVolumeClaim");
        Live three = live(dir);
        assertThat(three.pods()).containsExactly("docs-0", "docs-1", "docs-2");
        assertThat(three.claims()).isEqualTo(3);
        assertThat(complete(three.jobs().get(0))).isTrue();
        assertThat(run(dir, "preview").out()).contains("No changes.");
    }
}
