package dev.dbstack.pulumi;

import static org.assertj.core.api.Assertions.assertThat;

import com.pulumi.exceptions.RunException;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.testing.CatalogText;
import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The invalid stacks of {@code InvalidConfigTest}, run as a Pulumi program: each must fail with a
 * Pulumi error carrying exactly the problems dbstack reports, key and message alike. Under Pulumi the
 * values arrive as JSON, not as the user's file, so locations name the stack file without a line.
 */
class PulumiConfigErrorsTest {
    private static final Path CASES = Path.of("src/test/resources/invalid");
    private static final String EXPECT = "# expect: ";
    /** The same problem as Pulumi hands the value over (its YAML reading turns 1e3 into 1000.0). */
    private static final String EXPECT_PULUMI = "# expect (pulumi only): ";
    /**
     * Cases whose problem cannot reach a Pulumi program: the CLI rejects broken YAML and duplicate
     * keys itself, before any program runs.
     */
    private static final Set<String> CLI_ONLY = Set.of("syntax-error.yaml", "duplicate-key.yaml");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !CLI_ONLY.contains(n))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithDbstacksOwnMessages(String name, @TempDir Path dir) throws IOException {
        String yaml = Files.readString(CASES.resolve(name));
        TestProject project = TestProject.create(dir, yaml);
        // <known types> stands for the catalog's list, as in InvalidConfigTest.
        List<String> known = new java.util.ArrayList<>(project.catalog().types());
        known.add("container");
        known.add("manifest");
        List<String> expected = yaml.lines().filter(l -> l.startsWith(EXPECT) || l.startsWith(EXPECT_PULUMI))
                .map(l -> CatalogText.expand(l.substring(l.indexOf(": ") + 2), Catalog.builtIn()))
                .map(l -> l.replaceFirst("^(stacks/Pulumi\\.test\\.yaml):\\d+: ", "$1: ")
                        .replaceAll(" \\(first at line \\d+\\)", "")
                        .replace("<known types>", String.join(", ", known)))
                .toList();

        PulumiRun run = PulumiRun.of(dir, TestProject.STACK);

        assertThat(run.result.exitCode()).as("exit code of %s", name).isNotZero();
        RunException error = run.result.exceptions().stream().map(PulumiConfigErrorsTest::runException)
                .filter(e -> e != null).findFirst().orElseThrow(() -> new AssertionError(run.result.exceptions().toString()));
        assertThat(error.getMessage().lines().toList()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(run.registered).as("nothing is registered").noneMatch(r -> r.type().startsWith("kubernetes:"));
    }

    /** Problems of Pulumi.yaml's shared profiles point at Pulumi.yaml lines under pulumi up too. */
    @org.junit.jupiter.api.Test
    void projectLevelProfilesErrorsNamePulumiYamlLines(@TempDir Path dir) throws IOException {
        TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles: [{name: shop, layers: [{name: db, type: postgresql, storage: 5}]}]
                  dbstack:apps: [{name: a, profile: shop}]
                """);
        Files.writeString(dir.resolve("Pulumi.yaml"), """
                name: test-project
                runtime: java
                stackConfigDir: stacks
                config:
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: bad, type: nosuchdb, storage: 1}
                """);
        PulumiRun run = PulumiRun.of(dir, TestProject.STACK);
        assertThat(run.result.exitCode()).isNotZero();
        RunException error = run.result.exceptions().stream().map(PulumiConfigErrorsTest::runException)
                .filter(e -> e != null).findFirst().orElseThrow(() -> new AssertionError(run.result.exceptions().toString()));
        assertThat(error.getMessage()).contains("Pulumi.yaml:9: config.dbstack:profiles[shop].layers[bad].type: unknown service"
                + " type 'nosuchdb'").contains("stacks/Pulumi.test.yaml: config.dbstack:profiles[shop]: profile shop@1.0.0 is"
                + " defined at stacks/Pulumi.test.yaml and at Pulumi.yaml:6 with different content");
    }

    private static RunException runException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof RunException r) return r;
        return null;
    }
}
