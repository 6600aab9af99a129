package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.engine.Backends;
import dev.dbstack.state.BackendUrl;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.LeaseLock;
import dev.dbstack.state.StackState;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process of its own, where {@code DBSTACK_BACKEND_URL} can be set: the variable overrides
 * Pulumi.yaml, and a run killed with SIGKILL mid-{@code up} leaves Kubernetes state the next run converges from.
 */
class BackendEnvProcessTest {
    static final String STACK = TestProject.STACK;
    static final String NS = "dbstack-env";
    static final String URL = "kubernetes://sandbox/" + NS;
    /** Seconds a dead run's Lease blocks the next: short, so the run after a kill takes it over. */
    static final int LEASE_SECONDS = 2;

    record Run(int exit, String out, String err) {}

    /**
     * @param leaseSeconds the duration of the Lease the run takes: short for a run that will be killed (the next
     *                     takes it over soon after), the default 60 s otherwise (no renewal, so no write, in a short run)
     */
    static ProcessBuilder cli(Path dir, int leaseSeconds, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + LeaseLock.DURATION_PROPERTY + "=" + leaseSeconds,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("-C", dir.toString(), "--stack", STACK));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve("child-stderr.txt").toFile());
        pb.environment().put(Backends.ENV, URL);
        pb.environment().remove("DBSTACK_CONFIG_PASSPHRASE");
        pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
        return pb;
    }

    /** Runs the CLI to its end. */
    static Run run(Path dir, String... args) throws Exception {
        Process p = cli(dir, 60, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, Files.readString(dir.resolve("child-stderr.txt")));
    }

    /**
     * Starts {@code up} and kills it (SIGKILL) once it has printed {@code lines} lines after its plan.
     *
     * @return whether it was killed (false: it finished first)
     */
    static boolean upKilledAfter(Path dir, int lines) throws Exception {
        Process p = cli(dir, LEASE_SECONDS, "up", "--yes").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            boolean applying = false;
            int seen = 0;
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("Plan: ")) applying = true;
                else if (applying && !line.isBlank() && ++seen >= lines) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                    return true;
                }
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return false;
    }

    static List<Secret> stateSecrets(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return s.client().secrets().inNamespace(NS).withLabel(KubernetesBackend.STACK_LABEL, STACK).list().getItems();
        }
    }

    static StackState kubernetesState(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return StackState.open(new KubernetesBackend(s.client(), BackendUrl.parse(URL), "test-project", STACK));
        }
    }

    static long writes(Run r) {
        Matcher m = Pattern.compile("api requests: (\\d+) reads, (\\d+) writes").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        return Long.parseLong(m.group(2));
    }

    @Test
    void theEnvironmentVariableOverridesAFileBackendInPulumiYaml(@TempDir Path dir) throws Exception {
        TestProject.create(dir, CiOutputTest.FIXTURE).withBackend("file://");
        Run up = run(dir, "up", "--yes");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("Plan: 37 to create, 0 to update, 0 to replace, 0 to delete.");
        Path fileState = StackState.directory(dir, STACK);
        assertThat(Files.exists(fileState.resolve("state.json"))).as("nothing under .dbstack/stacks").isFalse();
        assertThat(Files.exists(fileState.resolve("journal.jsonl"))).isFalse();
        assertThat(stateSecrets(dir)).extracting(x -> x.getMetadata().getLabels().get(KubernetesBackend.PART_LABEL))
                .containsExactlyInAnyOrder("head", "chunk");
        assertThat(kubernetesState(dir).objects()).hasSize(37);

        Run again = run(dir, "preview");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("No changes");
        // without the variable, Pulumi.yaml's file:// is used: an empty state there
        CliTest.Result fromFile = CliTest.run("state", "export", "-C", dir.toString(), "--stack", STACK);
        assertThat(fromFile.exit()).isEqualTo(2);
        assertThat(fromFile.err()).contains("has no state in " + fileState);
    }

    @Test
    void anUpKilledWithSigkillConvergesOnTheNextRunAndTheOneAfterWritesNothing(@TempDir Path root) throws Exception {
        for (int lines : new int[] {2, 9, 28}) {
            Path dir = Files.createDirectories(root.resolve("killed-after-" + lines));
            TestProject.create(dir, CiOutputTest.FIXTURE).withBackend("file://");
            assertThat(upKilledAfter(dir, lines)).as("killed after " + lines + " lines").isTrue();
            Thread.sleep(LEASE_SECONDS * 1000L + 500); // the dead run's Lease expires

            Run converge = run(dir, "-v", "up", "--yes");
            assertThat(converge.exit()).as(lines + ": " + converge.err()).isZero();
            assertThat(converge.err()).as(lines + " lines").contains("taking over the lock of stack 'test'");
            assertThat(converge.out()).contains("Applied: 7 services succeeded, 0 failed, 0 skipped.");
            assertThat(kubernetesState(dir).objects()).as(lines + " lines").hasSize(37);

            Run noOp = run(dir, "-v", "up", "--yes");
            assertThat(noOp.exit()).as(noOp.err()).isZero();
            assertThat(noOp.out()).contains("No changes");
            Run noOpAgain = run(dir, "-v", "up", "--yes");
            assertThat(noOpAgain.out()).contains("No changes");
            // The one write is the Lease taken (the count is printed before it is released): no object, no state Secret.
            assertThat(writes(noOp)).as(lines + " lines: " + noOp.err()).isEqualTo(1);
            assertThat(writes(noOpAgain)).as(lines + " lines: " + noOpAgain.err()).isEqualTo(1);
            assertThat(Files.exists(StackState.directory(dir, STACK).resolve("state.json"))).isFalse();
        }
    }
}
