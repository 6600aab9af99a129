package dev.dbstack.testing;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.Project;
import dev.dbstack.model.StackModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A throwaway project directory: the standard Pulumi.yaml plus one stack file. */
public final class TestProject {
    public static final String STACK = "test";
    private final Path dir;

    private TestProject(Path dir) {
        this.dir = dir;
    }

    public static TestProject create(Path dir, String stackYaml) {
        return create(dir, STACK, stackYaml);
    }

    public static TestProject create(Path dir, String stack, String stackYaml) {
        try {
            Files.writeString(dir.resolve("Pulumi.yaml"), "name: test-project\nruntime: java\nstackConfigDir: stacks\n");
            Files.createDirectories(dir.resolve("stacks"));
            Files.writeString(dir.resolve("stacks/Pulumi." + stack + ".yaml"), stackYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestProject(dir);
    }

    /**
     * {@code use} applied to a project holding {@code stackYaml} as stack {@code stack} in a fresh temporary directory,
     * deleted afterwards: for what only reads the project (load, graph, render).
     */
    public static <T> T inTemporaryDirectory(String stack, String stackYaml, java.util.function.Function<TestProject, T> use) {
        Path dir;
        try {
            dir = Files.createTempDirectory("dbstack-test-project");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return use.apply(create(dir, stack, stackYaml));
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A copy of the repository's example project (Pulumi.yaml and every file in stacks/) in {@code dir}, safe to change
     * and apply. Only {@code ExampleProjectTest} uses it: other tests have fixtures of their own, so that the example
     * stays free to change.
     */
    public static TestProject copyOfExample(Path dir) {
        return copyOf(Path.of(""), dir);
    }

    /** A copy of the project in {@code source} (its Pulumi.yaml and every file in its stacks/) in {@code dir}. */
    public static TestProject copyOf(Path source, Path dir) {
        try {
            Files.copy(source.resolve("Pulumi.yaml"), dir.resolve("Pulumi.yaml"));
            Files.createDirectories(dir.resolve("stacks"));
            try (java.util.stream.Stream<Path> stacks = Files.list(source.resolve("stacks"))) {
                for (Path f : stacks.filter(Files::isRegularFile).toList()) Files.copy(f, dir.resolve("stacks").resolve(f.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestProject(dir);
    }

    /** Replaces text in the project's stack file {@code stack}. */
    public void edit(String stack, String from, String to) {
        Path file = dir.resolve("stacks/Pulumi." + stack + ".yaml");
        try {
            String text = Files.readString(file);
            if (!text.contains(from)) throw new IllegalArgumentException("stack file has no '" + from + "'");
            Files.writeString(file, text.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code backend: url: <url>} to the project's Pulumi.yaml (line 4 is the {@code url:} line). */
    public TestProject withBackend(String url) {
        try {
            Files.writeString(dir.resolve("Pulumi.yaml"), Files.readString(dir.resolve("Pulumi.yaml")) + "backend:\n  url: " + url + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Catalog catalog() {
        return Catalog.load(dir);
    }

    public StackModel model(String stack) {
        Project project = StackLoader.loadProject(dir);
        return new StackLoader(catalog()).load(project, stack);
    }

    public StackModel model() {
        return model(STACK);
    }

    public ServiceGraph graph(String stack) {
        return ServiceGraph.build(model(stack), catalog());
    }

    public ServiceGraph graph() {
        return graph(STACK);
    }
}
