package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.BackendUrl;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.LeaseLock;
import dev.dbstack.state.StackState;
import dev.dbstack.testing.Kubeconfig;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kubernetes state backend through the CLI, against the embedded sandbox ({@code kubernetes://sandbox/<ns>}). */
class KubernetesBackendCliTest {
    static final String URL = "kubernetes://sandbox/dbstack-state";
    static final String STACK = "test";

    static CliTest.Result up(Path dir) {
        return CliTest.run("up", "-C", dir.toString(), "--stack", STACK, "--yes");
    }

    /** The sandbox the runs left, read-only. */
    static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    static List<Secret> stateSecrets(Sandbox s) {
        return s.client().secrets().inNamespace("dbstack-state").withLabel(KubernetesBackend.STACK_LABEL, STACK).list().getItems();
    }

    static String headVersion(Path dir) {
        try (Sandbox s = cluster(dir)) {
            return s.client().secrets().inNamespace("dbstack-state").withName(KubernetesBackend.baseName("test-project", STACK))
                    .get().getMetadata().getResourceVersion();
        }
    }

    @Test
    void upChangeAndDestroyKeepStateInSecretsOfTheSandbox(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, CiOutputTest.FIXTURE).withBackend(URL);
        CliTest.Result first = up(dir);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("to create");
        assertThat(Files.exists(StackState.directory(dir, STACK).resolve("state.json"))).isFalse();
        assertThat(Files.exists(StackState.directory(dir, STACK).resolve("journal.jsonl"))).isFalse();
        try (Sandbox s = cluster(dir)) {
            assertThat(stateSecrets(s)).extracting(x -> x.getMetadata().getLabels().get(KubernetesBackend.PART_LABEL))
                    .containsExactlyInAnyOrder("head", "chunk");
            assertThat(s.client().resources(Lease.class).inNamespace("dbstack-state").list().getItems()).as("released").isEmpty();
            // what state holds is what the CLI reads back: outputs come from it
            KubernetesBackend b = new KubernetesBackend(s.client(), BackendUrl.parse(URL), "test-project", STACK);
            assertThat(StackState.open(b).objects()).isNotEmpty();
        }
        String head = headVersion(dir);
        CliTest.Result second = up(dir);
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("No changes");
        assertThat(headVersion(dir)).as("nothing recorded, no checkpoint written").isEqualTo(head);

        project.edit(STACK, "ports: [8080]", "ports: [8081]");
        CliTest.Result changed = up(dir);
        assertThat(changed.exit()).as(changed.err()).isZero();
        assertThat(changed.out()).contains("to update");
        assertThat(up(dir).out()).contains("No changes");

        CliTest.Result destroyed = CliTest.run("destroy", "-C", dir.toString(), "--stack", STACK, "--yes");
        assertThat(destroyed.exit()).as(destroyed.err()).isZero();
        try (Sandbox s = cluster(dir)) {
            KubernetesBackend b = new KubernetesBackend(s.client(), BackendUrl.parse(URL), "test-project", STACK);
            assertThat(StackState.open(b).objects()).isEmpty();
        }
    }

    @Test
    void aFreshLeaseRefusesTheRunNamingItsHolderAndCancelRemovesIt(@TempDir Path dir) {
        TestProject.create(dir, CiOutputTest.FIXTURE).withBackend(URL);
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            KubernetesBackend b = new KubernetesBackend(s.client(), BackendUrl.parse(URL), "test-project", STACK);
            b.ensureNamespace();
            ((LeaseLock.Held) b.acquire("up --stack test (a CI job elsewhere)")).stopRenewing(); // never released
        }
        CliTest.Result refused = up(dir);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("stack 'test' is locked by pid " + ProcessHandle.current().pid())
                .contains("running `up --stack test (a CI job elsewhere)`").contains("dbstack cancel --stack test");

        CliTest.Result cancel = CliTest.run("cancel", "-C", dir.toString(), "--stack", STACK, "--yes");
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("is locked by pid").contains("Lock removed");
        CliTest.Result up = up(dir);
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(CliTest.run("cancel", "-C", dir.toString(), "--stack", STACK, "--yes").out()).contains("is not locked");
    }

    @Test
    void anExpiredLeaseIsTakenOverWithAWarning(@TempDir Path dir) throws Exception {
        TestProject.create(dir, CiOutputTest.FIXTURE).withBackend(URL);
        System.setProperty(LeaseLock.DURATION_PROPERTY, "1");
        try {
            try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
                KubernetesBackend b = new KubernetesBackend(s.client(), BackendUrl.parse(URL), "test-project", STACK);
                b.ensureNamespace();
                ((LeaseLock.Held) b.acquire("up --stack test (killed)")).stopRenewing();
            }
            Thread.sleep(1500);
            CliTest.Result up = up(dir);
            assertThat(up.exit()).as(up.err()).isZero();
            assertThat(up.err()).contains("warning: taking over the lock of stack 'test'").contains("running `up --stack test (killed)`");
        } finally {
            System.clearProperty(LeaseLock.DURATION_PROPERTY);
        }
    }

    @Test
    void aBadBackendUrlIsRefusedWithItsLine(@TempDir Path dir) {
        for (String[] c : List.of(new String[] {"s3://bucket/x", "unknown scheme 's3'"},
                new String[] {"kubernetes://prod", "names no namespace"},
                new String[] {"'kubernetes://a b/c'", "is not a URL"})) {
            TestProject.create(dir, CiOutputTest.FIXTURE).withBackend(c[0]);
            CliTest.Result r = CliTest.run("preview", "-C", dir.toString(), "--stack", STACK);
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("Pulumi.yaml:5: backend.url: ").contains(c[1]);
        }
    }

    @Test
    void aBackendContextMissingFromKubeconfigOrNotAnsweringIsSaidInWords(@TempDir Path dir) throws Exception {
        Path kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), "https://127.0.0.1:1", "gone");
        Kubeconfig.using(kubeconfig, () -> {
            Path missing = Files.createDirectories(dir.resolve("missing"));
            TestProject.create(missing, CiOutputTest.FIXTURE).withBackend("kubernetes://no-such-context/state");
            CliTest.Result r = CliTest.run("preview", "-C", missing.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USER_ERROR);
            assertThat(r.err()).contains("Pulumi.yaml").contains("no-such-context").contains("gone")
                    .doesNotContain("Exception");

            Path silent = Files.createDirectories(dir.resolve("silent"));
            TestProject.create(silent, CiOutputTest.FIXTURE).withBackend("kubernetes://gone/state");
            r = CliTest.run("preview", "-C", silent.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(r.err()).contains("error: cannot").contains("kubernetes://gone/state")
                    .doesNotContain("Exception").doesNotContain("internal error");
        });
    }
}
