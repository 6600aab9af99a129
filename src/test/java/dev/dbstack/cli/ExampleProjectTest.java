package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's example project ({@code Pulumi.yaml} and every stack in {@code stacks/}) is valid and deploys:
 * on a copy, each stack previews, comes up, has nothing left to change, and is destroyed. The only test that reads
 * the example, and it asserts nothing about what the example holds (layers, types, counts): change the example
 * freely; every other test has a fixture of its own.
 */
class ExampleProjectTest {
    @Test
    void everyExampleStackPreviewsDeploysAndIsDestroyed(@TempDir Path dir) throws IOException {
        TestProject.copyOfExample(dir);
        List<String> stacks;
        try (Stream<Path> files = Files.list(dir.resolve("stacks"))) {
            stacks = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("Pulumi\\..+\\.ya?ml"))
                    .map(n -> n.replaceFirst("^Pulumi\\.", "").replaceFirst("\\.ya?ml$", "")).sorted().toList();
        }
        assertThat(stacks).as("stacks in stacks/").isNotEmpty();
        for (String stack : stacks) {
            CliTest.Result preview = CliTest.run("preview", "-C", dir.toString(), "--stack", stack);
            assertThat(preview.exit()).as("preview of %s: %s", stack, preview.err()).isZero();
            assertThat(preview.out()).as("preview of %s", stack).contains("Plan: ");

            CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--stack", stack, "--yes");
            assertThat(up.exit()).as("up of %s: %s %s", stack, up.out(), up.err()).isZero();
            assertThat(up.out()).as("up of %s", stack).contains(" services succeeded, 0 failed, 0 skipped.");

            CliTest.Result again = CliTest.run("preview", "-C", dir.toString(), "--stack", stack);
            assertThat(again.out()).as("preview of %s after up", stack).contains("No changes.");

            CliTest.Result destroy = CliTest.run("destroy", "-C", dir.toString(), "--stack", stack, "--yes");
            assertThat(destroy.exit()).as("destroy of %s: %s %s", stack, destroy.out(), destroy.err()).isZero();
        }
    }
}
