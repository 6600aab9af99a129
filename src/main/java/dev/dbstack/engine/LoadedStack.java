package dev.dbstack.engine;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.EncryptionSalt;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.Project;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.render.CredentialSource;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The front of the pipeline, shared by commands: config → model → graph → render.
 *
 * @param config         the configuration files as read, digested before they are parsed (so an edit while
 *                       they are read makes a saved plan stale rather than fresh)
 * @param encryptionSalt the stack file's {@code encryptionsalt}, as its YAML says
 * @param fileKey        that salt's key with the passphrase the stack was loaded with (none without either),
 *                       derived at most once, when first used — by secure: values or by state sharing the salt
 * @param renderWithheld  the stack rendered with Secret values withheld: credentials are throwaway values
 *                        generated for this run and never shown, so no state or passphrase is needed. Rendering
 *                        on load finds what only render can (two layers deriving one object name) before any
 *                        state or cluster is touched.
 */
public record LoadedStack(Project project, ConfigDigest config, Catalog catalog, StackModel model, ServiceGraph graph,
                   Optional<EncryptionSalt> encryptionSalt, Optional<PassphraseCrypter> fileKey, RenderedStack renderWithheld) {

    /**
     * @param projectDir the directory holding {@code Pulumi.yaml}
     * @param stackName  the stack, or null when the project has exactly one
     */
    public static LoadedStack load(Path projectDir, String stackName) {
        Path dir = projectDir.toAbsolutePath().normalize();
        Project project = StackLoader.loadProject(dir);
        String stack = stackName != null ? stackName : onlyStack(project);
        ConfigDigest config = ConfigDigest.of(project, stack);
        Catalog catalog = Catalog.load(dir);
        StackLoader loader = new StackLoader(catalog, passphrase());
        StackModel model = loader.load(project, stack);
        ServiceGraph graph = ServiceGraph.build(model, catalog);
        return new LoadedStack(project, config, catalog, model, graph, loader.encryptionSalt(), loader.fileKey(),
                renderWithheld(catalog, graph));
    }

    /** Pulumi's variable works too, so one passphrase serves `pulumi` and `dbstack` alike. */
    public static String passphrase() {
        String own = System.getenv("DBSTACK_CONFIG_PASSPHRASE");
        return own != null ? own : System.getenv("PULUMI_CONFIG_PASSPHRASE");
    }

    public static String onlyStack(Project project) {
        List<String> stacks = StackLoader.listStacks(project);
        if (stacks.size() == 1) return stacks.get(0);
        throw UserInputException.of(new SourceRef("", 0), "--stack", stacks.isEmpty()
                ? "no stack files in " + project.dir().relativize(project.stackConfigDir()) + "/; create Pulumi.<stack>.yaml there"
                : "choose a stack: " + String.join(", ", stacks));
    }

    private static RenderedStack renderWithheld(Catalog catalog, ServiceGraph graph) {
        CredentialSource generated = new GeneratedCredentials();
        CredentialSource credentials = (id, name, spec, supplied) -> supplied.isPresent() && !supplied.get().isDecrypted()
                ? SecretValue.plain(UNREADABLE) : generated.credential(id, name, spec, supplied);
        return new Renderer(catalog, credentials,
                (id, env) -> env.secret().isDecrypted() ? env.secret().reveal() : UNREADABLE).render(graph);
    }

    /** Stands in for a secure: value this build cannot decrypt; only ever in Secret data nobody is shown. */
    private static final String UNREADABLE = "(secure value not decrypted)";

    public void refuseUndecryptedSecrets() {
        List<Problem> problems = new ArrayList<>();
        for (AppProfile profile : model.profiles()) {
            for (ServiceLayer layer : profile.layers()) {
                String key = "config.dbstack:profiles[" + profile.name() + "].layers[" + layer.name() + "].";
                if (layer instanceof DatabaseLayer db) {
                    db.credentials().forEach((name, secret) -> {
                        if (!secret.isDecrypted()) problems.add(new Problem(db.source(), key + name, noDecryption()));
                    });
                } else if (layer instanceof ContainerLayer c) {
                    c.env().stream().filter(e -> e.isSecret() && !e.secret().isDecrypted())
                            .forEach(e -> problems.add(new Problem(e.source(), key + "env." + e.name(), noDecryption())));
                }
            }
        }
        if (!problems.isEmpty()) throw new UserInputException(problems);
    }

    private String noDecryption() {
        if (passphrase() == null) return NO_DECRYPTION;
        // With a passphrase, a secure: value stays sealed only when the file lost the salt it was sealed with.
        return "is a secure: value and the stack file has no encryptionsalt to decrypt it with: restore the line"
                + " it was encrypted with (`git log -p -S encryptionsalt -- " + model.stackFile() + "` shows it)";
    }

    private static final String NO_DECRYPTION = "is a secure: value and no passphrase is set to decrypt it: set"
            + " DBSTACK_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE); `render` without --show-secrets works without one";
}
