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

    private final Map<String, Component> components;

    private Catalog(Map<String, Component> components) {
        this.components = components;
    }

    public static Catalog of(Map<String, Component> components) {
        return new Catalog(new TreeMap<>(components));
    }

    /** Built-in components, then those in {@code projectDir/components} (when it exists) on top. */
    public static Catalog load(Path projectDir) {
        Map<String, Component> found = new TreeMap<>(builtIn().components);
        Path local = projectDir.resolve("components");
        if (Files.isDirectory(local)) {
            try (Stream<Path> files = Files.list(local)) {
                for (Path file : files.filter(Catalog::isYaml).sorted().toList()) {
                    Component c = parse(file, projectDir.relativize(file).toString());
                    found.put(c.type(), c);
                }
            } catch (IOException e) {
                throw UserInputException.of(new SourceRef(local.toString(), 0), "", "cannot read catalog: " + e.getMessage());
            }
        }
        return new Catalog(found);
    }

    /** The components shipped in dbstack's jar (copied there from the repository's components/). */
    public static Catalog builtIn() {
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

    private static Catalog fromDirectory(Path dir) throws IOException {
        Map<String, Component> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Catalog::isYaml).toList()) {
                Component c = parse(file, "components/" + file.getFileName());
                found.put(c.type(), c);
            }
        }
        return new Catalog(found);
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /**
     * Reads {@code components/<type>.yaml} through {@link YamlReader#readFile} (so a broken file gets
     * the same answers as a stack file: encoding, size, syntax, duplicate keys, each with its line),
     * then binds the tree to {@link Component}; a binding error is reported at the line of the key or
     * value its path names.
     */
    static Component parse(Path file, String displayName) {
        Node root = YamlReader.readFile(file, displayName);
        Component c;
        try {
            c = MAPPER.treeToValue(json(root), Component.class);
        } catch (JsonMappingException e) {
            List<JsonMappingException.Reference> path = e.getPath();
            String key = path.stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Located at = locate(root, path);
            throw UserInputException.of(at.source(), key, bindingProblem(e, at.node()));
        } catch (JsonProcessingException e) {
            throw UserInputException.of(new SourceRef(displayName, 0), "", readable(e.getOriginalMessage()));
        }
        if (c == null) throw UserInputException.of(root.source(), "", "expected a map of the component's settings");
        String fileType = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        List<Problem> problems = check(c, fileType, new SourceRef(displayName, 0));
        if (!problems.isEmpty()) throw new UserInputException(problems);
        return c;
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

    private record Located(SourceRef source, Node node) {}

    /** The node a binding error's path names, with the line of its key (or item); as far as the path exists. */
    private static Located locate(Node root, List<JsonMappingException.Reference> path) {
        Node node = root;
        SourceRef source = root.source();
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
        }
        return new Located(source, node);
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
        if (c.image() == null || c.image().isBlank()) bad.accept("image", "is required");
        if (c.versions().isEmpty()) bad.accept("versions", "must list at least one version");
        else if (!c.versions().contains(c.defaultVersion())) bad.accept("defaultVersion", "must be one of " + c.versions());
        if (c.maxReplicas() < 1) bad.accept("maxReplicas", "must be at least 1");
        if (c.port() == null) bad.accept("port", "is required");
        if (c.storage() == null || c.storage().mountPath() == null) bad.accept("storage.mountPath", "is required");
        if (c.securityContext() == null) bad.accept("securityContext", "is required");
        if (c.outputs().isEmpty()) bad.accept("outputs", "must list at least one output variable");
        if (!problems.isEmpty()) return problems;
        checkVersionChanges(c, bad);

        Set<String> known = new HashSet<>(CatalogTemplate.BUILTINS);
        c.settings().keySet().forEach(k -> known.add("settings." + k));
        c.credentials().keySet().forEach(k -> known.add("credentials." + k));
        Set<String> secretOutputs = c.outputs().stream().filter(Component.Output::secret)
                .map(Component.Output::name).collect(Collectors.toSet());
        Set<String> outputNames = new HashSet<>();
        for (Component.Output o : c.outputs()) {
            String key = "outputs." + o.name();
            if (!outputNames.add(o.name())) bad.accept(key, "is declared twice");
            if (!o.name().matches("[A-Z][A-Z0-9_]*")) bad.accept(key, "output names are UPPER_SNAKE_CASE");
            for (String v : CatalogTemplate.variables(o.value())) {
                if (!known.contains(v)) bad.accept(key, "unknown template variable '" + v + "'; known: " + new java.util.TreeSet<>(known));
                else if (v.startsWith("credentials.") && !o.secret()) bad.accept(key, "uses " + v + " and so must be secret: true");
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

    public Optional<Component> find(String type) {
        return Optional.ofNullable(components.get(type));
    }

    public Component get(String type) {
        return find(type).orElseThrow(() -> new IllegalArgumentException("no component " + type));
    }

    /** Known type names, sorted. */
    public Set<String> types() {
        return components.keySet();
    }
}
