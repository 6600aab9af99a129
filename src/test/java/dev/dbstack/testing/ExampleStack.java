package dev.dbstack.testing;

import dev.dbstack.model.ServiceId;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** The repository's example stack ({@code stacks/Pulumi.dev.yaml}), rendered with fixed credentials. */
public final class ExampleStack {
    private ExampleStack() {}

    public static RenderedStack render() {
        TestProject repo = TestProject.repository();
        return new Renderer(repo.catalog(), new FixedCredentials(), (id, env) -> "x").render(repo.graph("dev"));
    }

    /** The objects of one layer of app {@code shop}, in apply order. */
    public static List<HasMetadata> objects(String layer) {
        return render().service(new ServiceId("shop", layer)).objects();
    }
}
