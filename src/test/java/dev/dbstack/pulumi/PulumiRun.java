package dev.dbstack.pulumi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.pulumi.test.Mocks;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import com.pulumi.test.internal.PulumiTestInternal;
import dev.dbstack.config.PassphraseCrypter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runs {@link PulumiProgram} under the Pulumi Java SDK's test harness, handing it configuration the
 * way the Pulumi CLI does: each {@code dbstack:} key's value as JSON with nested {@code secure:}
 * values decrypted, and the names of keys that held any. Mocks answer every registration with its
 * inputs; {@code RandomPassword} answers with {@link dev.dbstack.testing.FixedCredentials}' value.
 */
final class PulumiRun {
    /** One resource as the engine saw it. */
    record Registered(String type, String name, Map<String, Object> inputs) {}

    final List<Registered> registered = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> config = new LinkedHashMap<>();
    final Set<String> secretKeys = new HashSet<>();
    /** Warnings the program logged through {@code ctx.log().warn}. */
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    TestResult result;

    static PulumiRun of(Path project, String stack, String passphrase) {
        PulumiRun run = new PulumiRun();
        run.readStackFile(project.resolve("stacks/Pulumi." + stack + ".yaml"), passphrase);
        run.addProjectConfig(project.resolve("Pulumi.yaml"));
        run.result = PulumiTestInternal.builder()
                .options(TestOptions.builder().projectName("test-project").stackName(stack).preview(false).build())
                .mocks(run.new RecordingMocks())
                .standardLogger(run.warningLogger())
                .config(run.config, run.secretKeys)
                .build()
                .runTest(ctx -> PulumiProgram.run(ctx, project, run.config.keySet(), run.secretKeys));
        return run;
    }

    static PulumiRun of(Path project, String stack) {
        return of(project, stack, null);
    }

    private Logger warningLogger() {
        Logger logger = Logger.getAnonymousLogger();
        logger.setUseParentHandlers(false);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        return logger;
    }

    List<Registered> ofType(String type) {
        return registered.stream().filter(r -> r.type().equals(type)).toList();
    }

    Registered get(String type, String name) {
        return registered.stream().filter(r -> r.type().equals(type) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " named " + name + " in " + registered));
    }

    /**
     * Pulumi's project-level config: a {@code dbstack:} key of Pulumi.yaml the stack file does not set reaches the
     * program with the project's value (written as is, or under {@code value:} / {@code default:}); the stack's own
     * value replaces it whole.
     */
    private void addProjectConfig(Path file) {
        try {
            JsonNode cfg = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).path("config");
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().startsWith("dbstack:") || config.containsKey(e.getKey())) continue;
                JsonNode v = e.getValue();
                if (v.isObject()) v = v.has("value") ? v.get("value") : v.get("default");
                config.put(e.getKey(), new ObjectMapper().writeValueAsString(v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readStackFile(Path file, String passphrase) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            PassphraseCrypter crypter = passphrase == null ? null
                    : PassphraseCrypter.open(root.get("encryptionsalt").asText(), passphrase);
            JsonNode cfg = root.path("config");
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().startsWith("dbstack:")) continue;
                boolean[] secret = {false};
                JsonNode value = decrypt(e.getValue(), crypter, secret);
                config.put(e.getKey(), new ObjectMapper().writeValueAsString(value));
                if (secret[0]) secretKeys.add(e.getKey());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (PassphraseCrypter.WrongPassphraseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** What the CLI does to a config value before a program sees it. */
    private static JsonNode decrypt(JsonNode node, PassphraseCrypter crypter, boolean[] secret)
            throws PassphraseCrypter.WrongPassphraseException {
        if (node.isObject() && node.size() == 1 && node.has("secure")) {
            secret[0] = true;
            return new TextNode(crypter.decryptOrThrow(node.get("secure").asText()));
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                copy.set(f, decrypt(node.get(f), crypter, secret));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = new ObjectMapper().createArrayNode();
            for (JsonNode item : node) copy.add(decrypt(item, crypter, secret));
            return copy;
        }
        return node;
    }

    private final class RecordingMocks implements Mocks {
        @Override
        public CompletableFuture<ResourceResult> newResourceAsync(ResourceArgs args) {
            registered.add(new Registered(args.type, args.name, args.inputs));
            Map<String, Object> state = new LinkedHashMap<>(args.inputs);
            if (args.type.equals(RandomPassword.TOKEN)) {
                String[] parts = args.name.split("/"); // <app>/<layer>/<credential>
                state.put("result", parts[1] + "-" + parts[2] + "-s3cr3t/&?");
            }
            return CompletableFuture.completedFuture(ResourceResult.of(Optional.of(args.name + "-id"), state));
        }
    }
}
