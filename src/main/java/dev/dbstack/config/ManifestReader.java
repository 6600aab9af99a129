package dev.dbstack.config;

import static dev.dbstack.model.Suggest.quote;

import dev.dbstack.model.ManifestLayer;
import dev.dbstack.model.Patch;
import dev.dbstack.model.Project;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Template;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code manifest} layer type ({@code manifest: |} or {@code file:}) and every layer's {@code patches:}, read
 * from the stack file into plain trees. What the objects may hold (the Kubernetes schema, the app's namespace) is
 * checked in render, where the template variables have their values.
 */
final class ManifestReader {
    /** The operations of RFC 6902, and the keys each needs besides {@code op} and {@code path}. */
    private static final Map<String, List<String>> OPERATIONS = Map.of(
            "add", List.of("value"), "remove", List.of(), "replace", List.of("value"),
            "move", List.of("from"), "copy", List.of("from"), "test", List.of("value"));

    private ManifestReader() {}

    /**
     * A manifest layer; null when it is wrong (the problems are reported).
     *
     * @param stackDir the stack file's directory, which {@code file:} is relative to
     * @param lines    false when the text is not what the user wrote (JSON from the Pulumi engine)
     */
    static ManifestLayer read(ConfigObject o, String name, List<String> dependsOn, int index, List<Patch> patches,
                              Project project, Path stackDir, boolean lines) {
        Optional<Node> inline = o.node("manifest");
        Optional<String> file = o.string("file");
        o.rejectUnknownKeys();
        if (inline.isPresent() == file.isPresent()) {
            o.problem(inline.isPresent() ? "file" : "manifest", inline.isPresent()
                    ? "give either manifest: (inline YAML) or file:, not both"
                    : "missing: a manifest layer needs manifest: | (Kubernetes YAML written inline) or file:"
                    + " (a YAML file next to the stack file, e.g. file: manifests/app.yaml)");
            return null;
        }
        List<Node> documents;
        String origin;
        try {
            if (inline.isPresent()) {
                if (!(inline.get() instanceof Node.Scalar s && s.value() instanceof String text)) {
                    o.problem("manifest", "expected the YAML as text (manifest: |, then the objects indented below it),"
                            + " got " + inline.get().kindName());
                    return null;
                }
                origin = ManifestLayer.INLINE;
                // The block's lines follow the key's: leading line breaks make each object's line the stack file's.
                int line = lines ? inline.get().source().line() : 0;
                documents = YamlReader.readStream("\n".repeat(Math.max(0, line)) + text, o.source().file(), lines);
            } else {
                origin = file.get();
                Optional<Path> path = resolve(o, file.get(), project, stackDir);
                if (path.isEmpty()) return null;
                documents = YamlReader.readStreamFile(path.get(), project.dir().relativize(path.get()).toString());
            }
        } catch (UserInputException e) {
            for (var p : e.problems()) o.problems().add(p.source(), o.path(inline.isPresent() ? "manifest" : "file"), p.message());
            return null;
        }
        if (documents.isEmpty()) {
            o.problem(inline.isPresent() ? "manifest" : "file", "holds no Kubernetes object");
            return null;
        }
        String key = o.path(inline.isPresent() ? "manifest" : "file");
        List<ManifestLayer.Document> out = new ArrayList<>();
        int before = o.problems().size();
        for (Node d : documents) {
            if (!(d instanceof Node.Mapping)) {
                o.problems().add(d.source(), key, "a Kubernetes object is a map (apiVersion, kind, metadata, ...), got "
                        + d.kindName());
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> tree = (Map<String, Object>) plain(d, key, "", true, o.problems());
            checkHeader(tree, d, key, o.problems());
            out.add(new ManifestLayer.Document(tree, d.source()));
        }
        if (o.problems().size() > before || name == null) return null;
        return new ManifestLayer(name, out, origin, List.copyOf(dependsOn), index, o.source(), patches);
    }

    /** {@code apiVersion}, {@code kind} and {@code metadata.name}: literal strings, what the object is known by. */
    private static void checkHeader(Map<String, Object> tree, Node d, String key, Problems problems) {
        for (String field : List.of("apiVersion", "kind")) {
            if (!(tree.get(field) instanceof String s) || s.isEmpty()) {
                problems.add(d.source(), key, "a Kubernetes object needs " + field + ": as plain text");
            }
        }
        Object metadata = tree.get("metadata");
        if (!(metadata instanceof Map<?, ?> m) || !(m.get("name") instanceof String n) || n.isEmpty()) {
            problems.add(d.source(), key, "a Kubernetes object needs metadata.name: as plain text"
                    + (tree.get("kind") instanceof String k ? " (" + k + ")" : ""));
        } else if (Names.checkDnsSubdomain(n).isPresent()) {
            problems.add(d.source(), key, tree.get("kind") + " " + quote(n) + ": " + Names.checkDnsSubdomain(n).get());
        }
    }

    /**
     * The file a manifest layer names: relative to the stack file's directory, inside the project (no {@code ..}
     * out of it, no link leading out of it), present.
     */
    private static Optional<Path> resolve(ConfigObject o, String written, Project project, Path stackDir) {
        Path projectDir = project.dir().toAbsolutePath().normalize();
        Path path;
        try {
            path = stackDir.toAbsolutePath().resolve(written).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            o.problem("file", quote(written) + " is not a path: " + e.getReason());
            return Optional.empty();
        }
        if (Path.of(written).isAbsolute() || !path.startsWith(projectDir)) {
            o.problem("file", quote(written) + " is outside the project; a manifest file lives in the project"
                    + " directory, given relative to the stack file's directory");
            return Optional.empty();
        }
        if (Files.notExists(path)) {
            o.problem("file", quote(written) + " not found (looked for " + projectDir.relativize(path) + ")");
            return Optional.empty();
        }
        try {
            if (!path.toRealPath().startsWith(projectDir.toRealPath())) {
                o.problem("file", quote(written) + " is a link to a file outside the project");
                return Optional.empty();
            }
        } catch (java.io.IOException e) {
            o.problem("file", quote(written) + " cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(path);
    }

    /**
     * {@code node} as plain values; with {@code templates}, a string using {@code {{ }}} becomes a
     * {@link ManifestLayer.Value} (an error in it is a problem), else braces are refused.
     */
    static Object plain(Node node, String key, String path, boolean templates, Problems problems) {
        if (node instanceof Node.Mapping m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> out.put(k, plain(v, key, path.isEmpty() ? k : path + "." + k, templates, problems)));
            return out;
        }
        if (node instanceof Node.Sequence s) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) out.add(plain(s.items().get(i), key, path + "[" + i + "]", templates, problems));
            return out;
        }
        Node.Scalar s = (Node.Scalar) node;
        if (!(s.value() instanceof String text) || (!text.contains("{{") && !text.contains("}}"))) return s.value();
        if (!templates) {
            problems.add(s.source(), key, (path.isEmpty() ? "" : path + ": ") + "output references are not allowed in"
                    + " patches; write the value in a manifest layer, or in a container's env");
            return text;
        }
        try {
            Template t = Template.parse(text);
            return t.isLiteral() ? text : new ManifestLayer.Value(t, s.source(), path);
        } catch (IllegalArgumentException e) {
            problems.add(s.source(), key, (path.isEmpty() ? "" : path + ": ") + e.getMessage());
            return text;
        }
    }

    /** {@code patches:} of any layer: each {kind, name, patch} (JSON merge patch) or {kind, name, operations} (RFC 6902). */
    static List<Patch> readPatches(ConfigObject layer) {
        List<Patch> out = new ArrayList<>();
        List<Node> items = layer.list("patches");
        for (int i = 0; i < items.size(); i++) {
            String path = layer.path("patches") + "[" + i + "]";
            ConfigObject p = ConfigObject.of(items.get(i), path, layer.problems());
            Optional<String> kind = p.requiredString("kind", "the kind of the object to patch, e.g. StatefulSet");
            Optional<String> name = p.requiredString("name", "the name of the object to patch");
            Optional<Node> merge = p.node("patch");
            List<Node> operations = p.list("operations");
            p.rejectUnknownKeys();
            if (merge.isPresent() == p.has("operations")) {
                p.problem(merge.isPresent() ? "operations" : "patch", merge.isPresent()
                        ? "give either patch: (a JSON merge patch) or operations: (RFC 6902), not both"
                        : "missing: give patch: (a JSON merge patch, a map) or operations: (a list of RFC 6902"
                        + " operations such as {op: add, path: /spec/template/spec/tolerations/-, value: {...}})");
                continue;
            }
            int before = layer.problems().size();
            Map<String, Object> mergePatch = null;
            List<Object> ops = null;
            if (merge.isPresent()) {
                if (!(merge.get() instanceof Node.Mapping)) {
                    p.problem("patch", "a JSON merge patch is a map of the fields to set (null removes one), got "
                            + merge.get().kindName());
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) plain(merge.get(), p.path("patch"), "", false, layer.problems());
                mergePatch = m;
            } else {
                ops = new ArrayList<>();
                for (int j = 0; j < operations.size(); j++) {
                    ConfigObject op = ConfigObject.of(operations.get(j), p.path("operations") + "[" + j + "]", layer.problems());
                    ops.add(operation(op));
                }
            }
            if (layer.problems().size() > before || kind.isEmpty() || name.isEmpty()) continue;
            out.add(new Patch(kind.get(), name.get(), mergePatch, ops, path, p.source()));
        }
        return out;
    }

    /** One RFC 6902 operation, checked for its form: the op, a JSON pointer, and the keys the op needs. */
    private static Map<String, Object> operation(ConfigObject op) {
        Map<String, Object> out = new LinkedHashMap<>();
        Optional<String> name = op.requiredString("op", "one of " + String.join(", ", new java.util.TreeSet<>(OPERATIONS.keySet())));
        Optional<String> pointer = op.requiredString("path", "a JSON pointer such as /metadata/annotations/team");
        Optional<Node> value = op.node("value");
        boolean writtenNull = op.isWrittenEmpty("value");
        Optional<String> from = op.string("from");
        op.rejectUnknownKeys();
        name.ifPresent(n -> out.put("op", n));
        pointer.ifPresent(pt -> out.put("path", pt));
        if (name.isPresent() && !OPERATIONS.containsKey(name.get())) {
            op.problem("op", "unknown operation " + quote(name.get()) + dev.dbstack.model.Suggest.didYouMean(name.get(),
                    OPERATIONS.keySet()) + " (RFC 6902: " + String.join(", ", new java.util.TreeSet<>(OPERATIONS.keySet())) + ")");
            return out;
        }
        for (String p : Set.of("path", "from")) {
            Optional<String> v = p.equals("path") ? pointer : from;
            if (v.isPresent() && !v.get().isEmpty() && !v.get().startsWith("/")) {
                op.problem(p, quote(v.get()) + " is not a JSON pointer: it starts with '/', e.g. /spec/template");
            }
        }
        if (name.isEmpty()) return out;
        List<String> needs = OPERATIONS.get(name.get());
        if (needs.contains("value")) {
            if (value.isEmpty() && !writtenNull) op.problem("value", "missing: the " + name.get() + " operation needs value:");
            else out.put("value", value.map(v -> plain(v, op.path("value"), "", false, op.problems())).orElse(null));
        } else if (value.isPresent()) {
            op.problem("value", "the " + name.get() + " operation takes no value:");
        }
        if (needs.contains("from")) {
            if (from.isEmpty()) op.problem("from", "missing: the " + name.get() + " operation needs from: (a JSON pointer)");
            else out.put("from", from.get());
        } else if (from.isPresent()) {
            op.problem("from", "the " + name.get() + " operation takes no from:");
        }
        return out;
    }
}
