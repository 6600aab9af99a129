package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.Kubeconfig;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two separate dbstack processes, one shared cluster and state backend — as two CI jobs on two runners
 * see it. The cluster is a sandbox served from this JVM behind a kubeconfig context, so both processes
 * reach it through the real fabric8 client exactly as they would a real API server; the test holds one
 * database unready to keep the first run inside its apply while the second starts.
 */
class LeaseRaceProcessTest {
    private static final String CONTEXT = "shared";
    private static final String STACK_YAML = """
            config:
              dbstack:clusterGroups: [{name: ci, cluster: shared}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: db, type: postgresql, storage: 1}
              dbstack:apps: [{name: race, profile: p}]
            """;

    @Test
    void ofTwoProcessesOnlyOneAppliesTheOtherNamesTheHolder(@TempDir Path dir) throws Exception {
        AtomicBoolean released = new AtomicBoolean();
        try (Sandbox cluster = Sandbox.start()) {
            cluster.holdReadiness("race", "db", age -> released.get());
            Path kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), cluster.client().getMasterUrl().toString(), CONTEXT);
            Path first = dir.resolve("first");
            Path second = dir.resolve("second");
            for (Path project : List.of(first, second)) {
                Files.createDirectories(project);
                TestProject.create(project, STACK_YAML).withBackend("kubernetes://" + CONTEXT + "/dbstack-state");
            }

            Process a = cli(first, kubeconfig, "up", "--yes").start();
            awaitLease(cluster);
            Process b = cli(second, kubeconfig, "up", "--yes").start();
            String bOut = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String bErr = Files.readString(second.resolve("stderr.txt"));
            assertThat(b.exitValue()).as("the second run: %s %s", bOut, bErr).isEqualTo(Main.EXIT_USER_ERROR);
            assertThat(bErr).contains("is locked by pid " + a.pid()).contains("dbstack cancel");

            released.set(true);
            String aOut = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(a.exitValue()).as("the first run: %s %s", aOut, Files.readString(first.resolve("stderr.txt"))).isZero();
            assertThat(aOut).contains("Applied: 1 services succeeded");

            // The lock is released with the run: the other job's next attempt finds everything done.
            Process again = cli(second, kubeconfig, "up", "--yes").start();
            String againOut = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(Files.readString(second.resolve("stderr.txt"))).isZero();
            assertThat(againOut).contains("No changes");
        }
    }

    private static ProcessBuilder cli(Path project, Path kubeconfig, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("-C", project.toString(), "--stack", TestProject.STACK));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(project.resolve("stderr.txt").toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", "race passphrase");
        pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
        pb.environment().remove("DBSTACK_BACKEND_URL");
        return pb;
    }

    /** Waits until the first run holds the stack's Lease. */
    private static void awaitLease(Sandbox cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!cluster.client().resources(Lease.class).inNamespace("dbstack-state").list().getItems().isEmpty()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the first run never took the Lease");
    }
}
