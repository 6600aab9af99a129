package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.TestProject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a run writes to the temp directory outlives it, even when it is killed with {@code kill -9} in the
 * middle of an {@code up}: the next run removes what the killed one left, and leaves nothing itself.
 */
class TempDirKillProcessTest {
    private static final String STACK_YAML = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: db, type: postgresql, storage: 1}
                    - {name: cache, type: redis, storage: 1}
                    - {name: web, type: container, image: busybox, dependsOn: [db, cache]}
              dbstack:apps: [{name: a, profile: p}, {name: b, profile: p}]
            """;

    @Test
    void aRunKilledMidUpLeavesNothingTheNextRunDoesNotRemove(@TempDir Path dir) throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        TestProject.create(project, STACK_YAML);

        Process up = cli(project, tmp, "up", "--yes").start();
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
            // Killed once it applies: the sandbox serves, the first service has started.
            for (String line; (line = out.readLine()) != null; ) {
                seen.add(line);
                if (line.startsWith("start ")) break;
            }
            assertThat(seen).as("the run's output before the kill; stderr: %s", stderr(project))
                    .anyMatch(l -> l.startsWith("start "));
            assertThat(up.isAlive()).as("still running when killed").isTrue();
            up.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        List<String> leftByKill = list(tmp);
        assertThat(leftByKill).as("what the killed run had in the temp directory").allMatch(p -> p.startsWith(ScratchDir.PREFIX));

        Process next = cli(project, tmp, "preview").start();
        String output = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(next.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(next.exitValue()).as("%s %s", output, stderr(project)).isZero();
        assertThat(list(tmp)).as("the temp directory after the next run (the killed run left %s)", leftByKill).isEmpty();
    }

    private static ProcessBuilder cli(Path project, Path tmp, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("-C", project.toString(), "--stack", TestProject.STACK));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(project.resolve("stderr.txt").toFile());
        pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", "temp dir passphrase");
        pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
        pb.environment().remove("DBSTACK_BACKEND_URL");
        return pb;
    }

    private static String stderr(Path project) throws IOException {
        Path file = project.resolve("stderr.txt");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Everything under {@code dir}, relative, deepest included. */
    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
