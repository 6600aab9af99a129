package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.CatalogText;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One stack file per kind of bad input under {@code src/test/resources/invalid/}. Each file lists
 * the exact problems it must produce in {@code # expect:} lines at its end, as dbstack prints them
 * ({@code file:line: key: message}); the run must report all of them and nothing else. What the messages say of the
 * catalog is written as a placeholder ({@code {known types}}, {@code {versions of mongodb}}; see {@link CatalogText}),
 * so that adding a type or a version changes no case.
 */
class InvalidConfigTest {
    private static final Path CASES = Path.of("src/test/resources/invalid");
    private static final String EXPECT = "# expect: ";
    /** A problem only dbstack's own reader sees so (Pulumi's YAML reading turns 1e3 into 1000.0 before dbstack sees it). */
    static final String EXPECT_CLI = "# expect (cli only): ";

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsEveryProblemWithFileLineAndKey(String name, @TempDir Path dir) throws IOException {
        String yaml = Files.readString(CASES.resolve(name));
        List<String> expected = yaml.lines().filter(l -> l.startsWith(EXPECT) || l.startsWith(EXPECT_CLI))
                .map(l -> CatalogText.expand(l.substring(l.indexOf(": ") + 2), Catalog.builtIn())).toList();
        assertThat(expected).as("case %s declares its expected problems", name).isNotEmpty();

        TestProject project = TestProject.create(dir, yaml);
        // Through render: some problems (two layers deriving one object name) only render can see.
        UserInputException e = catchThrowableOfType(UserInputException.class,
                () -> new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph()));

        assertThat(e).as("%s must be rejected", name).isNotNull();
        List<String> actual = e.problems().stream().map(Problem::render).toList();
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }
}
