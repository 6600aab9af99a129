package dev.dbstack.cli;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.Project;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.render.CredentialSource;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import java.nio.file.Path;
import java.util.List;

/** The front of the pipeline, shared by commands: config → model → graph → render. */
record LoadedStack(Project project, Catalog catalog, StackModel model, ServiceGraph graph) {

    static LoadedStack load(StackOptions options) {
        Path dir = Path.of(options.cwd).toAbsolutePath().normalize();
        Project project = StackLoader.loadProject(dir);
        String stack = options.stack != null ? options.stack : onlyStack(project);
        Catalog catalog = Catalog.load(dir);
        StackModel model = new StackLoader(catalog).load(project, stack);
        return new LoadedStack(project, catalog, model, ServiceGraph.build(model, catalog));
    }

    private static String onlyStack(Project project) {
        List<String> stacks = StackLoader.listStacks(project);
        if (stacks.size() == 1) return stacks.get(0);
        throw UserInputException.of(new SourceRef("", 0), "--stack", stacks.isEmpty()
                ? "no stack files in " + project.dir().relativize(project.stackConfigDir()) + "/; create Pulumi.<stack>.yaml there"
                : "choose a stack: " + String.join(", ", stacks));
    }

    /**
     * Renders with credentials generated for this run. Until state keeps them (the engine), they
     * are fresh on every run; they are never printed unless the user asks for secret values.
     */
    RenderedStack render() {
        CredentialSource credentials = new GeneratedCredentials();
        return new Renderer(catalog, credentials, (id, env) -> reveal(env.secret(), id + " env " + env.name())).render(graph);
    }

    private static String reveal(SecretValue secret, String what) {
        if (secret.isDecrypted()) return secret.reveal();
        // Placeholder for a secure: value we cannot decrypt here; it only lands in Secret data,
        // which preview never prints and render withholds unless --show-secrets.
        return "undecrypted:" + what;
    }
}
