package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.StackState;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A locked command that changes nothing writes nothing of the stack's: not the state file, not the state
 * Secrets, not the stack file. (It still takes and releases its lock: a lock file or a Lease.)
 */
class NoOpWritesNothingTest {
    private static final String STACK = "test";
    /** Any rewrite, however quick after the first, moves a file's mtime off this. */
    private static final FileTime LONG_AGO = FileTime.fromMillis(1_000_000_000_000L);

    private static CliTest.Result run(Path dir, String command) {
        CliTest.Result r = command.equals("up") ? CliTest.run(command, "-C", dir.toString(), "--stack", STACK, "--yes")
                : CliTest.run(command, "-C", dir.toString(), "--stack", STACK);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    /** Every file under {@code dir} with its bytes' length and mtime. */
    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.size(p) + " bytes, " + Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    @Test
    void aNoOpUpOrRefreshLeavesTheStateFileAndTheStackFileUntouched(@TempDir Path dir) throws IOException {
        TestProject.create(dir, CiOutputTest.FIXTURE);
        assertThat(run(dir, "up").out()).contains("to create");
        Path stateDir = StackState.directory(dir, STACK);
        Path stackFile = dir.resolve("stacks/Pulumi." + STACK + ".yaml");
        byte[] state = Files.readAllBytes(stateDir.resolve("state.json"));
        byte[] stack = Files.readAllBytes(stackFile);
        Files.setLastModifiedTime(stateDir.resolve("state.json"), LONG_AGO);
        Files.setLastModifiedTime(stackFile, LONG_AGO);
        Map<String, String> before = files(stateDir);

        assertThat(run(dir, "up").out()).contains("No changes. The cluster matches stack test.");
        assertThat(run(dir, "refresh").out()).contains("0 drifted, 0 gone");

        assertThat(files(stateDir)).as("no journal, no lock left, nothing rewritten").isEqualTo(before);
        assertThat(Files.readAllBytes(stateDir.resolve("state.json"))).isEqualTo(state);
        assertThat(Files.getLastModifiedTime(stateDir.resolve("state.json"))).isEqualTo(LONG_AGO);
        assertThat(Files.readAllBytes(stackFile)).isEqualTo(stack);
        assertThat(Files.getLastModifiedTime(stackFile)).isEqualTo(LONG_AGO);
    }

    /** Name and resourceVersion of every state Secret of the stack. */
    private static Map<String, String> stateSecrets(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            Map<String, String> out = new TreeMap<>();
            List<Secret> secrets = s.client().secrets().inNamespace("dbstack-state")
                    .withLabel(KubernetesBackend.STACK_LABEL, STACK).list().getItems();
            secrets.forEach(x -> out.put(x.getMetadata().getName(), x.getMetadata().getResourceVersion()));
            return out;
        }
    }

    @Test
    void aNoOpUpOrRefreshWritesNoStateSecret(@TempDir Path dir) {
        TestProject.create(dir, CiOutputTest.FIXTURE).withBackend(KubernetesBackendCliTest.URL);
        assertThat(run(dir, "up").out()).contains("to create");
        Map<String, String> before = stateSecrets(dir);
        assertThat(before.keySet()).as("a head and its chunk: the credentials are in state")
                .anyMatch(n -> n.endsWith("-g1-0")).hasSize(2);

        assertThat(run(dir, "up").out()).contains("No changes. The cluster matches stack test.");
        assertThat(run(dir, "refresh").out()).contains("0 drifted, 0 gone");

        assertThat(stateSecrets(dir)).as("the same Secrets at the same resourceVersions: no journal record, no new generation")
                .isEqualTo(before);
    }
}
