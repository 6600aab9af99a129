package dev.dbstack.testing;

import dev.dbstack.model.ServiceId;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The test fixture {@code src/test/resources/fixtures/shop.yaml}, as stack {@value #STACK}: app {@code shop} in
 * namespace {@code shop}, layers {@code postgresql-1} (PostgreSQL 17, 10 GiB, database and user {@code shop}),
 * {@code redis-1} (Redis 8.2, 2 GiB) and {@code api} (a container of 2 replicas consuming both), on the sandbox
 * cluster group {@code dev}, which does not back up disks. Tests that need a small realistic stack use this, never
 * the repository's example {@code stacks/Pulumi.dev.yaml}, which stays free to change.
 */
public final class ShopStack {
    public static final String STACK = "dev";
    public static final Path FILE = Path.of("src/test/resources/fixtures/shop.yaml");

    private ShopStack() {}

    public static String yaml() {
        try {
            return Files.readString(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A project in {@code dir} with the fixture as its only stack, safe to change and apply. */
    public static TestProject project(Path dir) {
        return TestProject.create(dir, STACK, yaml());
    }

    /** The fixture rendered with {@link FixedCredentials}. */
    public static RenderedStack render() {
        return TestProject.inTemporaryDirectory(STACK, yaml(), project ->
                new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph(STACK)));
    }

    /** The objects of one layer of app {@code shop}, in apply order. */
    public static List<HasMetadata> objects(String layer) {
        return render().service(new ServiceId("shop", layer)).objects();
    }

    /** How many objects of {@code kind} the fixture renders (all of them for {@code null}). */
    public static int count(String kind) {
        return (int) render().allObjects().stream().filter(o -> kind == null || o.getKind().equals(kind)).count();
    }
}
