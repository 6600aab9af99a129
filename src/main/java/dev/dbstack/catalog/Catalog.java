package dev.dbstack.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.Problem;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.MergePatch;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.io.IOException;
import java.lang.invoke.MethodType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The service catalog: the components built into dbstack, overridden or extended by the
 * project's own {@code components/} directory (a file there replaces the built-in of its type).
 */
public final class Catalog {
    /** Binds a component's tree (read by {@link YamlReader}) to {@link Component}. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // maxReplicas: 1.5 is a mistake, not 1
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .setPropertyNamingStrategy(PropertyNamingStrategies.LOWER_CAMEL_CASE);

    /** Keys dbstack fills in when it resolves a file; a file that writes them is mistaken. */
    private static final List<String> DERIVED_KEYS = List.of("engine", "storageByFamily");
    /** Keys that say which versions exist and how they change; a version variant cannot change them. */
    private static final List<String> TYPE_WIDE_KEYS = List.of("type", "versions", "defaultVersion", "versionChanges",
            "engines", "defaultEngine", "variants", "workload");

    /** A type's components: by engine (the default first; "" for a type without engines), then by version family. */
    private record Entry(Map<String, Map<String, Component>> byEngine) {
        Component byDefault() {
            return byEngine.values().iterator().next().values().stream().findFirst()
                    .map(any -> byEngine.values().iterator().next().get(any.defaultVersion())).orElseThrow();
        }
    }

    /** By type; a built-in file is read when its type is first asked for (a run reads the types it uses). */
    private final Map<String, java.util.function.Supplier<Entry>> types;

    private Catalog(Map<String, java.util.function.Supplier<Entry>> types) {
        this.types = types;
    }

    private Entry entry(String type) {
        java.util.function.Supplier<Entry> e = types.get(type);
        return e == null ? null : e.get();
    }

    /** Reads {@code file} once, on first use. */
    private static java.util.function.Supplier<Entry> lazily(Path file, String displayName) {
        return new java.util.function.Supplier<>() {
            private Entry entry;

            @Override
            public synchronized Entry get() {
                if (entry == null) entry = parse(file, displayName);
                return entry;
            }
        };
    }

    /** Built-in components, then those in {@code projectDir/components} (when it exists) on top. */
    public static Catalog load(Path projectDir) {
        Map<String, java.util.function.Supplier<Entry>> found = new TreeMap<>(builtIn().types);
        Path local = projectDir.resolve("components");
        if (Files.isDirectory(local)) {
            try (Stream<Path> files = Files.list(local)) {
                for (Path file : files.filter(Catalog::isYaml).sorted().toList()) {
                    // A project's own files are read at once: their mistakes are the user's to see now.
                    Entry e = parse(file, projectDir.relativize(file).toString());
                    found.put(e.byDefault().type(), () -> e);
                }
            } catch (IOException e) {
                throw UserInputException.of(new SourceRef(local.toString(), 0), "", "cannot read catalog: " + e.getMessage());
            }
        }
        return new Catalog(found);
    }

    private static volatile Catalog builtIn;

    /** The components shipped in dbstack's jar (copied there from the repository's components/); read once. */
    public static Catalog builtIn() {
        Catalog c = builtIn;
        if (c == null) builtIn = c = readBuiltIn();
        return c;
    }

    private static Catalog readBuiltIn() {
        URL root = Catalog.class.getClassLoader().getResource("components");
        if (root == null) throw new IllegalStateException("built-in catalog missing from the classpath");
        try {
            URI uri = root.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                return fromDirectory(fs.getPath("/components"));
            }
            return fromDirectory(Path.of(uri));
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the built-in catalog", e);
        }
    }

    /** The built-in files, each read on first use: a file's type is its name (which its {@code type:} must equal). */
    private static Catalog fromDirectory(Path dir) throws IOException {
        Map<String, java.util.function.Supplier<Entry>> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Catalog::isYaml).toList()) {
                String name = file.getFileName().toString();
                found.put(name.replaceFirst("\\.ya?ml$", ""), lazily(file, "components/" + name));
            }
        }
        return new Catalog(found);
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** The one component of {@code components/<type>.yaml} for a type without engines or variants (tests). */
    static Component parseOne(Path file, String displayName) {
        return parse(file, displayName).byDefault();
    }

    /**
     * Reads {@code components/<type>.yaml} through {@link YamlReader#readFile} (so a broken file gets
     * the same answers as a stack file: encoding, size, syntax, duplicate keys, each with its line),
     * resolves its engines and version variants, and binds each resolved tree to {@link Component}; a
     * binding error is reported at the line of the key or value its path names.
     */
    private static Entry parse(Path file, String displayName) {
        Node root = YamlReader.readFile(file, displayName);
        SourceRef src = new SourceRef(displayName, 0);
        if (!(root instanceof Node.Mapping top)) {
            throw UserInputException.of(root.source(), "", "expected a map of the component's settings");
        }
        for (String key : DERIVED_KEYS) {
            if (top.entries().containsKey(key)) {
                throw UserInputException.of(top.keySources().getOrDefault(key, src), key, "unknown key: dbstack derives it"
                        + (key.equals("engine") ? "; list engines under engines: and name the default with defaultEngine:" : ""));
            }
        }
        ObjectNode base = (ObjectNode) json(root);
        JsonNode engines = base.remove("engines");
        JsonNode defaultEngine = base.remove("defaultEngine");
        JsonNode variants = base.remove("variants");
        List<Overlay> baseVariants = variants(variants, top.entries().get("variants"), "variants", src);

        Map<String, Overlay> engineOverlays = new java.util.LinkedHashMap<>();
        if (engines != null) {
            Node enginesNode = top.entries().get("engines");
            if (!(engines instanceof ObjectNode e) || e.isEmpty()) {
                throw UserInputException.of(top.keySources().getOrDefault("engines", src), "engines",
                        "expected a map of engine name to what differs from the top level (image, versions, ...)");
            }
            String def = defaultEngine == null ? e.fieldNames().next() : defaultEngine.asText();
            if (!e.has(def)) {
                throw UserInputException.of(top.keySources().getOrDefault("defaultEngine", src), "defaultEngine",
                        "'" + def + "' is not one of the engines " + fieldNames(e));
            }
            List<String> order = new ArrayList<>(List.of(def));
            fieldNames(e).stream().filter(n -> !n.equals(def)).forEach(order::add);
            for (String name : order) {
                Node at = ((Node.Mapping) enginesNode).entries().get(name);
                if (!name.matches("[a-z][a-z0-9-]{0,30}")) {
                    throw UserInputException.of(at.source(), "engines." + name, "engine names are lower-case words, e.g. percona");
                }
                if (!(e.get(name) instanceof ObjectNode overlay)) {
                    throw UserInputException.of(at.source(), "engines." + name, "expected a map of what this engine changes");
                }
                overlay = overlay.deepCopy();
                JsonNode own = overlay.remove("variants");
                for (String key : List.of("type", "engines", "defaultEngine", "workload")) {
                    if (overlay.has(key)) throw UserInputException.of(at.source(), "engines." + name + "." + key,
                            "is the same for every engine of a type; set it at the top level");
                }
                List<Overlay> all = new ArrayList<>(baseVariants);
                if (at instanceof Node.Mapping m) {
                    all.addAll(variants(own, m.entries().get("variants"), "engines." + name + ".variants", src));
                }
                engineOverlays.put(name, new Overlay("engines." + name, at, overlay, all));
            }
        } else {
            if (defaultEngine != null) {
                throw UserInputException.of(top.keySources().getOrDefault("defaultEngine", src), "defaultEngine",
                        "names an engine, but the file lists no engines:");
            }
            engineOverlays.put("", new Overlay("", null, null, baseVariants));
        }

        List<String> engineNames = engines == null ? List.of() : List.copyOf(engineOverlays.keySet());
        String fileType = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        Map<String, Map<String, Component>> byEngine = new java.util.LinkedHashMap<>();
        java.util.Set<Problem> problems = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, Overlay> engine : engineOverlays.entrySet()) {
            Overlay o = engine.getValue();
            JsonNode tree = o.patch() == null ? base : MergePatch.apply(base, o.patch());
            List<Node> sources = o.node() == null ? List.of(root) : List.of(o.node(), root);
            List<String> prefixes = o.node() == null ? List.of("") : List.of(o.where() + ".", "");
            Component plain = bind(withDerived(tree, engine.getKey(), engineNames, null), sources, prefixes, displayName);
            Map<String, JsonNode> families = new java.util.LinkedHashMap<>();
            for (String family : plain.versions()) {
                JsonNode f = tree;
                for (Overlay v : o.variants()) {
                    if (v.range().contains(family)) f = MergePatch.apply(f, v.patch());
                }
                families.put(family, f);
            }
            ObjectNode storage = JsonNodeFactory.instance.objectNode();
            families.forEach((family, f) -> {
                if (f.has("storage")) storage.set(family, f.get("storage"));
            });
            Map<String, Component> resolved = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> f : families.entrySet()) {
                Component c;
                try {
                    c = bind(withDerived(f.getValue(), engine.getKey(), engineNames, storage), sources, prefixes, displayName);
                } catch (UserInputException e) {
                    // Each family bound again as written, through the variants that apply to it, so that the
                    // error points into the file rather than into the storage of every family.
                    for (Map.Entry<String, JsonNode> g : families.entrySet()) {
                        List<Node> at = new ArrayList<>();
                        List<String> pre = new ArrayList<>();
                        for (Overlay v : o.variants()) {
                            if (v.range().contains(g.getKey())) {
                                at.add(v.node());
                                pre.add(v.where() + ".");
                            }
                        }
                        at.addAll(sources);
                        pre.addAll(prefixes);
                        bind(withDerived(g.getValue(), engine.getKey(), engineNames, null), at, pre, displayName);
                    }
                    throw e;
                }
                problems.addAll(check(c, fileType, src));
                resolved.put(f.getKey(), c);
            }
            if (resolved.isEmpty()) problems.addAll(check(plain, fileType, src));
            byEngine.put(engine.getKey(), resolved);
        }
        if (!problems.isEmpty()) throw new UserInputException(List.copyOf(problems));
        return new Entry(byEngine);
    }

    /** An engine's or a version variant's merge patch, where it is written, and (for an engine) its variants. */
    private record Overlay(String where, Node node, JsonNode patch, List<Overlay> variants, VersionRange range) {
        Overlay(String where, Node node, JsonNode patch, List<Overlay> variants) {
            this(where, node, patch, variants, null);
        }
    }

    private static List<Overlay> variants(JsonNode variants, Node node, String where, SourceRef src) {
        if (variants == null) return List.of();
        if (!(variants instanceof ArrayNode list) || !(node instanceof Node.Sequence items)) {
            throw UserInputException.of(node == null ? src : node.source(), where,
                    "expected a list of {versions: <range>, ...what differs}, e.g. {versions: \">=18\", storage: {...}}");
        }
        List<Overlay> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Node at = items.items().get(i);
            String key = where + "[" + i + "]";
            if (!(list.get(i) instanceof ObjectNode v) || !v.path("versions").isTextual()) {
                throw UserInputException.of(at.source(), key, "needs versions: a range such as \">=18\" or \"<2\"");
            }
            v = v.deepCopy();
            String range = v.remove("versions").asText();
            if (!range.strip().matches("(>=|<=|>|<|=)?\\s*\\d+(\\.\\d+)*")) {
                throw UserInputException.of(at.source(), key + ".versions", "'" + range + "' is not a range such as >=18 or <2");
            }
            for (String k : TYPE_WIDE_KEYS) {
                if (v.has(k)) throw UserInputException.of(at.source(), key + "." + k, "cannot differ between versions of one"
                        + (where.startsWith("engines.") ? " engine" : " type"));
            }
            out.add(new Overlay(key, at, v, List.of(), VersionRange.parse(range)));
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The resolved tree with what dbstack derives: the engine, the type's engines, storage by family. */
    private static JsonNode withDerived(JsonNode tree, String engine, List<String> engines, JsonNode storageByFamily) {
        ObjectNode t = ((ObjectNode) tree).deepCopy();
        if (!engine.isEmpty()) t.put("engine", engine);
        ArrayNode names = t.putArray("engines");
        engines.forEach(names::add);
        if (storageByFamily != null) t.set("storageByFamily", storageByFamily);
        return t;
    }

    /**
     * Binds a resolved tree; a binding error is located in the first of {@code sources} that holds its
     * path (a variant, then the engine, then the top level), named with that source's prefix.
     */
    private static Component bind(JsonNode tree, List<Node> sources, List<String> prefixes, String displayName) {
        try {
            Component c = MAPPER.treeToValue(tree, Component.class);
            if (c == null) throw UserInputException.of(new SourceRef(displayName, 0), "", "expected a map of the component's settings");
            return c;
        } catch (JsonMappingException e) {
            List<JsonMappingException.Reference> path = e.getPath();
            String key = path.stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Located best = null;
            String prefix = "";
            for (int i = 0; i < sources.size(); i++) {
                Located at = locate(sources.get(i), path);
                if (best == null || at.depth() > best.depth()) {
                    best = at;
                    prefix = prefixes.get(i);
                }
            }
            throw UserInputException.of(best.source(), prefix + key, bindingProblem(e, best.node()));
        } catch (JsonProcessingException e) {
            throw UserInputException.of(new SourceRef(displayName, 0), "", readable(e.getOriginalMessage()));
        }
    }

    /** The same tree as Jackson nodes; numbers keep the digits they were written with (8.0 stays 8.0, not 8). */
    private static JsonNode json(Node node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof Node.Mapping m) {
            ObjectNode o = f.objectNode();
            m.entries().forEach((k, v) -> o.set(k, json(v)));
            return o;
        }
        if (node instanceof Node.Sequence s) {
            ArrayNode a = f.arrayNode(s.items().size());
            s.items().forEach(item -> a.add(json(item)));
            return a;
        }
        Object v = ((Node.Scalar) node).value();
        if (v == null) return f.nullNode();
        if (v instanceof String text) return f.textNode(text);
        if (v instanceof Boolean b) return f.booleanNode(b);
        if (v instanceof BigInteger i) {
            if (i.bitLength() < 32) return f.numberNode(i.intValue());
            if (i.bitLength() < 64) return f.numberNode(i.longValue());
            return f.numberNode(i);
        }
        if (v instanceof BigDecimal d) return DecimalNode.valueOf(d);
        return f.numberNode(((Number) v).doubleValue());
    }

    private record Located(SourceRef source, Node node, int depth) {}

    /** The node a binding error's path names, with the line of its key (or item); as far as the path exists. */
    private static Located locate(Node root, List<JsonMappingException.Reference> path) {
        Node node = root;
        SourceRef source = root.source();
        int depth = 0;
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null && node instanceof Node.Mapping m && m.entries().containsKey(r.getFieldName())) {
                source = m.keySources().getOrDefault(r.getFieldName(), m.source());
                node = m.entries().get(r.getFieldName());
            } else if (r.getFieldName() == null && node instanceof Node.Sequence s && r.getIndex() >= 0
                    && r.getIndex() < s.items().size()) {
                node = s.items().get(r.getIndex());
                source = node.source();
            } else {
                break;
            }
            depth++;
        }
        return new Located(source, node, depth);
    }

    /** Jackson's complaint in the words config errors use, without Java type names. */
    private static String bindingProblem(JsonMappingException e, Node node) {
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return "unknown key" + Suggest.didYouMean(u.getPropertyName(), known)
                    + (known.isEmpty() ? "" : " (allowed: " + String.join(", ", known) + ")");
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null && !(e instanceof InvalidNullException)) {
            String got = node.kindName();
            if (node instanceof Node.Scalar s && s.value() != null) got += " '" + s.text() + "'";
            String expected = expected(m.getTargetType());
            if (!got.startsWith(expected)) return "expected " + expected + ", got " + got;
        }
        return readable(e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        Class<?> t = type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
        if (t == Integer.class || t == Long.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(t)) return "a number";
        if (t == Boolean.class) return "true or false";
        if (CharSequence.class.isAssignableFrom(t) || t == Character.class) return "a string";
        if (t.isArray() || Collection.class.isAssignableFrom(t)) return "a list";
        return "a map";
    }

    /** A Jackson message with {@code dev.dbstack.catalog.Component$Port} shortened to {@code Port}. */
    private static String readable(String message) {
        String m = message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
        m = m.replaceAll("\\b(?:[a-z_][\\w]*\\.)+(?:[A-Z]\\w*\\$)*([A-Z]\\w*)", "$1");
        return m.isEmpty() ? "cannot be read as a component" : m;
    }

    /** A component must be complete and its templates must only use variables that exist. */
    static List<Problem> check(Component c, String fileType, SourceRef src) {
        List<Problem> problems = new ArrayList<>();
        java.util.function.BiConsumer<String, String> bad = (key, msg) -> problems.add(new Problem(src, key, msg));
        if (!fileType.equals(c.type())) bad.accept("type", "must equal the file name '" + fileType + "'");
        if (c.hasServer() && (c.image() == null || c.image().isBlank())) bad.accept("image", "is required");
        if (c.versions().isEmpty()) bad.accept("versions", "must list at least one version");
        else if (!c.versions().contains(c.defaultVersion())) bad.accept("defaultVersion", "must be one of " + c.versions());
        if (c.maxReplicas() < 1) bad.accept("maxReplicas", "must be at least 1");
        Component.Replication r = c.replication();
        if (c.maxReplicas() > 1) {
            if (!Component.Replication.KINDS.contains(r.kind())) {
                bad.accept("replication.kind", "must be one of " + Component.Replication.KINDS + " when maxReplicas is "
                        + c.maxReplicas());
            }
            if (r.failover() == null || r.failover().isBlank()) {
                bad.accept("replication.failover", "must say what happens when a pod fails (the README shows it)");
            }
        } else if (r != Component.Replication.NONE) {
            bad.accept("replication", "has no meaning with maxReplicas: 1");
        }
        if (!Component.WORKLOADS.contains(c.workload())) bad.accept("workload", "must be one of " + Component.WORKLOADS);
        if (c.hasServer()) {
            if (c.port() == null) bad.accept("port", "is required");
            Component.SecurityContext sc = c.securityContext();
            if (sc == null || sc.runAsUser() == null || sc.runAsGroup() == null
                    || sc.fsGroup() == null && (sc.runAsUser() == null || sc.runAsUser() != 0)) {
                bad.accept("securityContext", "needs runAsUser, runAsGroup and fsGroup (a server running as root,"
                        + " runAsUser: 0, may leave fsGroup out)");
            }
        } else {
            for (String key : List.of("image", "port", "extraPorts", "command", "args", "env", "readinessProbe",
                    "livenessProbe")) {
                boolean set = switch (key) {
                    case "image" -> c.image() != null;
                    case "port" -> c.port() != null;
                    case "extraPorts" -> !c.extraPorts().isEmpty();
                    case "command" -> !c.command().isEmpty();
                    case "args" -> !c.args().isEmpty();
                    case "env" -> !c.env().isEmpty();
                    case "readinessProbe" -> c.readinessProbe() != null;
                    default -> c.livenessProbe() != null;
                };
                if (set) bad.accept(key, "has no meaning for workload: none, which runs no server");
            }
            if (c.maxReplicas() != 1) bad.accept("maxReplicas", "must be 1 for workload: none");
        }
        if (c.storage() == null || c.storage().mountPath() == null) bad.accept("storage.mountPath", "is required");
        if (c.outputs().isEmpty()) bad.accept("outputs", "must list at least one output variable");
        if (!problems.isEmpty()) return problems;
        checkVersionChanges(c, bad);
        // A pinned release ends up in an image tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} (distribution/reference).
        c.familyTags().forEach((family, tag) -> {
            if (!c.versions().contains(family)) {
                bad.accept("familyTags." + family, "names no family of versions " + c.versions());
            } else if (tag == null || !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
                    || !c.familyOf(tag).equals(Optional.of(family)) || tag.equals(family)) {
                bad.accept("familyTags." + family, "'" + tag + "' is not a release of " + family + " such as " + family + ".1");
            }
        });

        Set<String> portNames = new HashSet<>();
        for (Component.Port p : c.allPorts()) {
            if (p.name() == null || !p.name().matches("[a-z]([-a-z0-9]{0,13}[a-z0-9])?")) {
                bad.accept("extraPorts", "port name '" + p.name() + "' is not an IANA service name (lower case, at most 15)");
            } else if (!portNames.add(p.name())) {
                bad.accept("extraPorts", "port name '" + p.name() + "' is used twice");
            }
            if (p.number() < 1 || p.number() > 65535) bad.accept("extraPorts", "port " + p.number() + " is not 1-65535");
        }
        for (Component.Probe probe : java.util.Arrays.asList(c.readinessProbe(), c.livenessProbe())) {
            if (probe == null) continue;
            String key = probe == c.readinessProbe() ? "readinessProbe" : "livenessProbe";
            int kinds = (probe.exec() != null && !probe.exec().isEmpty() ? 1 : 0) + (probe.httpGet() != null ? 1 : 0)
                    + (Boolean.TRUE.equals(probe.tcpSocket()) ? 1 : 0);
            if (kinds != 1) bad.accept(key, "needs exactly one of exec, httpGet or tcpSocket: true");
            if (probe.httpGet() != null) {
                Component.HttpGet h = probe.httpGet();
                if (h.path() == null || !h.path().startsWith("/")) bad.accept(key + ".httpGet.path", "must start with /");
                if (h.port() != null && !portNames.contains(h.port())) {
                    bad.accept(key + ".httpGet.port", "names no port of the component; ports: " + new java.util.TreeSet<>(portNames));
                }
                if (h.scheme() != null && !List.of("HTTP", "HTTPS").contains(h.scheme())) {
                    bad.accept(key + ".httpGet.scheme", "must be HTTP or HTTPS");
                }
            }
        }

        for (String key : List.of("family", "release")) {
            String template = key.equals("family") ? c.imageTag().family() : c.imageTag().release();
            for (String v : CatalogTemplate.variables(template)) {
                if (!v.equals("version")) bad.accept("imageTag." + key, "unknown template variable '" + v + "'; known: [version]");
            }
            String sample = CatalogTemplate.variables(template).stream().allMatch("version"::equals)
                    ? CatalogTemplate.expand(template, Map.of("version", "1.2.3")) : "1.2.3";
            if (!sample.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                bad.accept("imageTag." + key, "'" + template + "' is not an image tag template such as v{{version}}");
            }
        }

        Set<String> known = new HashSet<>(CatalogTemplate.BUILTINS);
        portNames.forEach(p -> known.add("ports." + p));
        c.settings().keySet().forEach(k -> known.add("settings." + k));
        c.credentials().keySet().forEach(k -> known.add("credentials." + k));
        Set<String> secretOutputs = c.outputs().stream().filter(Component.Output::secret)
                .map(Component.Output::name).collect(Collectors.toSet());
        Set<String> outputNames = new HashSet<>();
        for (Component.Output o : c.outputs()) {
            String key = "outputs." + o.name();
            if (!outputNames.add(o.name())) bad.accept(key, "is declared twice");
            if (!o.name().matches("[A-Z][A-Z0-9_]*")) bad.accept(key, "output names are UPPER_SNAKE_CASE");
            if (o.replicatedValue() != null && c.maxReplicas() == 1) {
                bad.accept(key + ".replicatedValue", "has no meaning with maxReplicas: 1");
            }
            for (String template : o.replicatedValue() == null ? List.of(o.value()) : List.of(o.value(), o.replicatedValue())) {
                for (String v : CatalogTemplate.variables(template)) {
                    if (!known.contains(v)) bad.accept(key, "unknown template variable '" + v + "'; known: " + new java.util.TreeSet<>(known));
                    else if (v.startsWith("credentials.") && !o.secret()) bad.accept(key, "uses " + v + " and so must be secret: true");
                }
            }
        }
        for (String key : List.of("command", "args")) {
            List<String> items = key.equals("command") ? c.command() : c.args();
            for (int i = 0; i < items.size(); i++) {
                for (String v : CatalogTemplate.variables(items.get(i))) {
                    if (!known.contains(v)) bad.accept(key + "[" + i + "]", "unknown template variable '" + v + "'");
                    else if (v.startsWith("credentials.")) {
                        bad.accept(key + "[" + i + "]", "must not hold credentials: take them from env as $(VARIABLE)");
                    }
                }
            }
        }
        for (Map.Entry<String, Component.Env> e : c.env().entrySet()) {
            String key = "env." + e.getKey();
            Component.Env env = e.getValue();
            if ((env.value() == null) == (env.secret() == null)) bad.accept(key, "needs exactly one of value or secret");
            else if (env.secret() != null && !secretOutputs.contains(env.secret())) {
                bad.accept(key, "secret must name a secret output; secret outputs: " + new java.util.TreeSet<>(secretOutputs));
            } else if (env.value() != null) {
                for (String v : CatalogTemplate.variables(env.value())) {
                    if (!known.contains(v)) bad.accept(key, "unknown template variable '" + v + "'");
                    else if (v.startsWith("credentials.")) bad.accept(key, "must take credentials through secret:, not a literal value");
                }
            }
        }
        checkBackup(c, bad);
        checkEnvironment(c, known, bad);
        ParameterValues.checkSpec(c, bad);
        for (int i = 0; i < c.readiness().size(); i++) {
            try {
                ReadyCondition.parse(c.readiness().get(i));
            } catch (IllegalArgumentException e) {
                bad.accept("readiness[" + i + "]", e.getMessage());
            }
        }
        for (Map.Entry<String, Component.Setting> s : c.settings().entrySet()) {
            String def = s.getValue().defaultValue();
            String pattern = s.getValue().pattern();
            if (def != null && pattern != null && !def.matches(pattern)) {
                bad.accept("settings." + s.getKey(), "default '" + def + "' does not match its pattern " + pattern);
            }
        }
        return problems;
    }

    /** The {@code environment:} section: names in UPPER_SNAKE_CASE, outputs that exist, no credential as text. */
    private static void checkEnvironment(Component c, Set<String> known, java.util.function.BiConsumer<String, String> bad) {
        Component.Environment env = c.environment();
        if (env.prefix() == null) {
            if (!env.variables().isEmpty()) bad.accept("environment.prefix", "is required with variables");
            return;
        }
        if (!env.prefix().matches("[A-Z][A-Z0-9_]*")) bad.accept("environment.prefix", "must be UPPER_SNAKE_CASE, e.g. MYSQL");
        if (env.variables().isEmpty()) bad.accept("environment.variables", "must list at least one variable");
        env.variables().forEach((name, value) -> {
            String key = "environment.variables." + name;
            if (!name.matches("[A-Z][A-Z0-9_]*")) bad.accept(key, "variable names are UPPER_SNAKE_CASE");
            if (value == null || value.isBlank()) {
                bad.accept(key, "needs a value: a template or {{outputs.NAME}}");
                return;
            }
            Optional<String> output = Component.Environment.outputOf(value);
            if (output.isPresent()) {
                if (c.output(output.get()).isEmpty()) {
                    bad.accept(key, "names no output variable " + output.get() + "; outputs: " + c.outputNames());
                }
                return;
            }
            for (String v : CatalogTemplate.variables(value)) {
                if (v.startsWith("outputs.")) bad.accept(key, "takes an output only whole: write just {{" + v + "}}");
                else if (!known.contains(v)) bad.accept(key, "unknown template variable '" + v + "'");
                else if (v.startsWith("credentials.")) {
                    bad.accept(key, "must take credentials from a secret output ({{outputs.NAME}}), not as text");
                }
            }
        });
    }

    /** A Go duration as Velero reads a hook's timeout ({@code 30s}, {@code 2m}, {@code 1m30s}). */
    private static final java.util.regex.Pattern HOOK_TIMEOUT = java.util.regex.Pattern.compile("([0-9]+(ms|s|m|h))+");

    private static void checkBackup(Component c, java.util.function.BiConsumer<String, String> bad) {
        Component.Backup b = c.backup();
        for (String phase : List.of("pre", "post")) {
            Component.BackupHook hook = phase.equals("pre") ? b.pre() : b.post();
            if (hook == null) continue;
            String key = "backup." + phase;
            if (!c.hasServer()) {
                bad.accept(key, "has no meaning for workload: none: a hook runs in the server's container");
                continue;
            }
            if (hook.command().isEmpty() || hook.command().stream().anyMatch(a -> a == null || a.isEmpty())) {
                bad.accept(key + ".command", "is required: the program and its arguments, e.g. [\"/bin/sh\", \"-c\", \"...\"]");
            }
            if (hook.timeout() == null || !HOOK_TIMEOUT.matcher(hook.timeout()).matches()) {
                bad.accept(key + ".timeout", "must be a Go duration such as 30s or 2m" + (hook.timeout() == null ? ""
                        : ", not '" + hook.timeout() + "'"));
            }
            if (hook.onError() == null || !Component.BackupHook.ON_ERROR.contains(hook.onError())) {
                bad.accept(key + ".onError", "must be written, Continue or Fail (Velero treats a missing one as Continue)"
                        + (hook.onError() == null ? "" : ", not '" + hook.onError() + "'"));
            }
        }
        if (b.caution() != null && b.caution().isBlank()) bad.accept("backup.caution", "is empty; leave it out instead");
    }

    private static void checkVersionChanges(Component c, java.util.function.BiConsumer<String, String> bad) {
        for (int i = 1; i < c.versions().size(); i++) {
            if (VersionChange.compare(c.versions().get(i - 1), c.versions().get(i)) >= 0) {
                bad.accept("versions", "must be listed oldest first ('" + c.versions().get(i - 1) + "' before '"
                        + c.versions().get(i) + "'): version changes are judged by that order");
                break;
            }
        }
        Component.VersionChanges v = c.versionChanges();
        if (!Component.VersionChanges.UPGRADES.contains(v.upgrade())) {
            bad.accept("versionChanges.upgrade", "must be one of " + Component.VersionChanges.UPGRADES);
        }
        if (!Component.VersionChanges.UPGRADERS.contains(v.upgradeBy())) {
            bad.accept("versionChanges.upgradeBy", "must be one of " + Component.VersionChanges.UPGRADERS);
        }
        List<String> families = v.downgradeWithinFamily();
        boolean keyword = families.size() == 1 && (families.contains("all") || families.contains("none"));
        if (!keyword && !c.versions().containsAll(families)) {
            bad.accept("versionChanges.downgradeWithinFamily", "must be all, none, or families from versions "
                    + c.versions() + ", got " + families);
        }
        if (!c.versions().containsAll(v.incompatibleFrom())) {
            bad.accept("versionChanges.incompatibleFrom", "must list families from versions " + c.versions() + ", got "
                    + v.incompatibleFrom());
        }
        for (String key : List.of("before", "after")) {
            String text = key.equals("before") ? v.before() : v.after();
            if (text == null) continue;
            for (String var : CatalogTemplate.variables(text)) {
                if (!VersionChange.TEMPLATE_VARIABLES.contains(var)) {
                    bad.accept("versionChanges." + key, "unknown template variable '" + var + "'; known: "
                            + VersionChange.TEMPLATE_VARIABLES);
                }
            }
        }
    }

    /** The type's default: its default engine at its default version. */
    public Optional<Component> find(String type) {
        Entry e = entry(type);
        return e == null ? Optional.empty() : Optional.of(e.byDefault());
    }

    public Component get(String type) {
        return find(type).orElseThrow(() -> new IllegalArgumentException("no component " + type));
    }

    /** An engine of a type at the engine's default version; {@code null} names the default engine. */
    public Optional<Component> find(String type, String engine) {
        Entry e = entry(type);
        if (e == null) return Optional.empty();
        Map<String, Component> families = engine == null ? e.byEngine().values().iterator().next() : e.byEngine().get(engine);
        if (families == null || families.isEmpty()) return Optional.empty();
        Component any = families.values().iterator().next();
        return Optional.of(families.getOrDefault(any.defaultVersion(), any));
    }

    /**
     * The component render uses for a layer: its type's engine ({@code null}: the default) resolved
     * for the family of {@code version}, or for the engine's default version when the version is not
     * supported (config has refused such a layer before anything renders it).
     */
    public Component resolve(String type, String engine, String version) {
        Component c = find(type, engine).orElseThrow(() -> new IllegalArgumentException("no component " + type + " " + engine));
        Map<String, Component> families = entry(type).byEngine().get(c.engine() == null ? "" : c.engine());
        return c.familyOf(version).map(families::get).orElse(c);
    }

    /** Every resolved component of a type: each engine, each version family, in catalog order. */
    public List<Component> variants(String type) {
        Entry e = entry(type);
        return e == null ? List.of() : e.byEngine().values().stream().flatMap(m -> m.values().stream()).toList();
    }

    /** Known type names, sorted. */
    public Set<String> types() {
        return types.keySet();
    }
}
