package dev.dbstack.cli;

import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;

import dev.dbstack.model.UserInputException;
import dev.dbstack.model.SourceRef;
import dev.dbstack.render.Manifests;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print the stack's Kubernetes objects as YAML, ready for `kubectl apply -f -` or a GitOps repository.",
                "Secret values are withheld unless --show-secrets is given."})
final class RenderCommand implements Callable<Integer> {
    /** Files we write under --out: an ordering prefix keeps `kubectl apply -R -f DIR` in dependency order. */
    private static final String FILE_PATTERN = "\\d{3}-[a-z]+-[a-z0-9.-]+\\.yaml";

    @Mixin
    StackOptions options;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write one file per object under DIR/<app>/ instead of printing one YAML stream.")
    Path out;

    @Option(names = "--show-secrets", description = "Include Secret values (generated credentials) in the output.")
    boolean showSecrets;

    @Override
    public Integer call() throws IOException {
        RenderedStack rendered;
        if (showSecrets) {
            // The credentials `up` recorded (or fresh ones for a stack never applied), so the YAML matches the cluster.
            LoadedStack stack = options.load();
            stack.refuseUndecryptedSecrets();
            try (Engine engine = Engine.offline(stack, System.err)) {
                rendered = engine.render();
            }
        } else {
            rendered = options.load().renderWithheld();
        }
        Map<String, List<HasMetadata>> byApp = new LinkedHashMap<>();
        rendered.appObjects().forEach((app, objects) -> byApp.computeIfAbsent(app, k -> new ArrayList<>()).addAll(objects));
        for (var id : rendered.graph().applyOrder()) {
            RenderedService s = rendered.service(id);
            byApp.computeIfAbsent(id.app(), k -> new ArrayList<>()).addAll(s.objects());
        }
        if (!showSecrets) byApp.replaceAll((app, objects) -> Manifests.withholdSecretValues(objects));
        rendered.warnings().forEach(w -> System.err.println("warning: " + w));
        if (!showSecrets) {
            System.err.println("note: Secret values are withheld; use --show-secrets to include them");
        }
        if (out == null) {
            byApp.values().forEach(objects -> System.out.print(Manifests.toYaml(objects)));
            return 0;
        }
        int files = 0;
        for (Map.Entry<String, List<HasMetadata>> app : byApp.entrySet()) {
            Path dir = out.resolve(app.getKey());
            prepare(dir);
            int n = 0;
            for (HasMetadata o : app.getValue()) {
                String name = String.format(Locale.ROOT, "%03d-%s-%s.yaml", n++, o.getKind().toLowerCase(Locale.ROOT),
                        o.getMetadata().getName());
                Files.writeString(dir.resolve(name), Manifests.toYaml(o), StandardCharsets.UTF_8);
                files++;
            }
        }
        System.err.println("wrote " + files + " files under " + out);
        return 0;
    }

    /** Creates {@code dir} and removes files an earlier render wrote there, so removed objects disappear. */
    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw UserInputException.of(new SourceRef(dir.toString(), 0), "--out", "exists and is not a directory");
        }
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches(FILE_PATTERN)).toList()) Files.delete(f);
        }
    }
}
