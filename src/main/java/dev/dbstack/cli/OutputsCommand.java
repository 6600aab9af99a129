package dev.dbstack.cli;

import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.OutputValue;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "outputs", mixinStandardHelpOptions = true,
        description = "Print every layer's output variables; secret ones as [secret] unless --show-secrets.")
final class OutputsCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Option(names = "--app", paramLabel = "APP", description = "Only this app deployment.")
    String app;

    @Option(names = "--show-secrets", description = "Show secret values (passwords, connection URIs).")
    boolean showSecrets;

    @Option(names = "--json", description = "Print JSON: {app: {layer: {VARIABLE: value}}}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        LoadedStack stack = options.load();
        if (!showSecrets) {
            // Only secret outputs depend on the credentials, and they are not shown: no state, key or cluster needed.
            print(stack.renderWithheld());
            return 0;
        }
        try (Engine engine = Engine.open(stack, null, System.err)) {
            print(engine.render());
            return 0;
        }
    }

    private void print(RenderedStack rendered) throws java.io.IOException {
        if (!json) {
            print(rendered, showSecrets, System.out, app);
            return;
        }
        ObjectNode root = new ObjectMapper().createObjectNode();
        for (ServiceId id : rendered.graph().applyOrder()) {
            if (app != null && !app.equals(id.app())) continue;
            RenderedService s = rendered.service(id);
            if (s.outputs().isEmpty()) continue;
            ObjectNode layer = root.with(id.app()).with(id.layer());
            s.outputs().values().forEach(o -> layer.put(o.name(), value(s, o, showSecrets)));
        }
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
    }

    static void print(RenderedStack rendered, boolean showSecrets, PrintStream out) {
        print(rendered, showSecrets, out, (String) null);
    }

    static void print(RenderedStack rendered, boolean showSecrets, PrintStream out, String onlyApp) {
        print(rendered, showSecrets, out, (ServiceId id) -> onlyApp == null || onlyApp.equals(id.app()));
    }

    /** The outputs of the services {@code shown} accepts (a targeted up: those it applied). */
    static void print(RenderedStack rendered, boolean showSecrets, PrintStream out, java.util.function.Predicate<ServiceId> shown) {
        out.println();
        out.println("Outputs:");
        for (ServiceId id : rendered.graph().applyOrder()) {
            if (!shown.test(id)) continue;
            RenderedService s = rendered.service(id);
            if (s.outputs().isEmpty()) continue;
            out.println("  " + id);
            s.outputs().values().forEach(o -> out.println("    " + o.name() + " = " + value(s, o, showSecrets)));
        }
    }

    /** A secret output's value is read from the service's credentials Secret, and only on request. */
    private static String value(RenderedService s, OutputValue o, boolean showSecrets) {
        if (!o.isSecret()) return o.value();
        if (!showSecrets) return o.display();
        return s.objects().stream().filter(Secret.class::isInstance).map(Secret.class::cast)
                .filter(sec -> sec.getMetadata().getName().equals(o.secretName())).findFirst()
                .map(sec -> new String(Base64.getDecoder().decode(sec.getData().get(o.secretKey())), StandardCharsets.UTF_8))
                .orElse(o.display());
    }
}
