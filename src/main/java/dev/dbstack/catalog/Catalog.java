package dev.dbstack.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dbstack.model.Problem;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
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

    static Component parse(Path file, String displayName) {
        Component c;
        try (InputStream in = Files.newInputStream(file)) {
            c = YAML.readValue(in, Component.class);
        } catch (JsonMappingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw UserInputException.of(new SourceRef(displayName, line), key, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw UserInputException.of(new SourceRef(displayName, line), "", e.getOriginalMessage());
        } catch (IOException e) {
            throw UserInputException.of(new SourceRef(displayName, 0), "", "cannot read: " + e.getMessage());
        }
        String fileType = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        List<Problem> problems = check(c, fileType, new SourceRef(displayName, 0));
        if (!problems.isEmpty()) throw new UserInputException(problems);
        return c;
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
