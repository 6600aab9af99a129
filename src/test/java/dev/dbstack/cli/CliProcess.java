package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI as a process of its own, for runs that need an environment variable the test's JVM cannot set (a passphrase):
 * {@code dbstack <args> -C dir} with {@code DBSTACK_CONFIG_PASSPHRASE} set and no other passphrase or backend inherited.
 */
record CliProcess(int exit, String out, String err) {
    static CliProcess run(Path dir, String passphrase, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("-C", dir.toString()));
        try {
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
            pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", passphrase);
            pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
            pb.environment().remove("DBSTACK_BACKEND_URL");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("dbstack %s finishes", args[0]).isTrue();
            String stderr = Files.readString(err);
            Files.delete(err);
            return new CliProcess(p.exitValue(), out, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
