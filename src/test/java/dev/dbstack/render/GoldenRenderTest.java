package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden renders: every database type in each version family, and a consuming container, compared
 * byte for byte with {@code src/test/resources/golden/<layer>.yaml}. After an intended change,
 * regenerate with {@code ./mvnw test -Dtest=GoldenRenderTest -Dgolden.update=true} and review the diff.
 */
class GoldenRenderTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static RenderedStack render(Path dir) throws IOException {
        TestProject project = TestProject.create(dir, Files.readString(GOLDEN.resolve("Pulumi.golden.yaml")));
        ServiceGraph graph = project.graph();
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "plaintext-of-" + env.name())
                .render(graph);
    }

    static Stream<String> layers() {
        return Stream.of("postgresql-17", "postgresql-18", "mysql-80", "mysql-84", "mongodb-70", "mongodb-80",
                "redis-74", "redis-82", "app");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void matchesGoldenFile(String layer, @TempDir Path dir) throws IOException {
        RenderedStack stack = render(dir);
        String actual = Manifests.toYaml(stack.service(new ServiceId("golden", layer)).objects());
        Path golden = GOLDEN.resolve(layer + ".yaml");
        if (UPDATE) Files.writeString(golden, actual);
        assertThat(actual).as("render of %s differs from %s", layer, golden).isEqualTo(Files.readString(golden));
    }

    @Test
    void sameInputGivesByteIdenticalOutput(@TempDir Path a, @TempDir Path b) throws IOException {
        assertThat(Manifests.toYaml(render(a).allObjects())).isEqualTo(Manifests.toYaml(render(b).allObjects()));
    }
}
