package dev.dbstack.config;

import dev.dbstack.model.AppProfile;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Suggest;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code dbstack:} part of {@code Pulumi.yaml}'s project-level {@code config:}: values every stack of the
 * project shares. Only {@code dbstack:profiles} may live there (profiles are definitions; cluster groups and
 * apps are per stack). Pulumi's forms are accepted: the list written directly, or under {@code value:}
 * (a key outside the project's namespace) or {@code default:} (with {@code type: array}).
 */
final class ProjectConfig {
    static final String FILE = "Pulumi.yaml";

    private ProjectConfig() {}

    /** The project's profile list, or null when Pulumi.yaml defines none; problems for anything misplaced. */
    static Node profiles(Path projectDir, Problems problems) {
        Path file = projectDir.resolve(FILE);
        if (!Files.exists(file)) return null;
        if (!(YamlReader.readFile(file, FILE) instanceof Node.Mapping root)) return null;
        if (!(root.entries().get("config") instanceof Node.Mapping config)) return null;
        Node profiles = null;
        for (Map.Entry<String, Node> e : config.entries().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(StackLoader.NAMESPACE + ":")) continue;
            SourceRef at = config.keySources().getOrDefault(key, config.source());
            if (!key.equals(StackLoader.PROFILES)) {
                problems.add(at, "config." + key, StackLoader.CONFIG_KEYS.contains(key)
                        ? "only " + StackLoader.PROFILES + " may be shared in Pulumi.yaml; " + key + " belongs in each stack file"
                        : "unknown key" + Suggest.didYouMean(key, List.of(StackLoader.PROFILES)) + " (Pulumi.yaml may hold "
                        + StackLoader.PROFILES + ")");
                continue;
            }
            profiles = unwrap(e.getValue(), "config." + key, problems);
        }
        if (profiles != null) refuseSecrets(profiles, "config." + StackLoader.PROFILES, problems);
        return profiles;
    }

    /** Pulumi's project config: a list as is, or a map of {@code value:} / {@code default:} with a schema. */
    private static Node unwrap(Node value, String path, Problems problems) {
        if (!(value instanceof Node.Mapping m)) return value;
        ConfigObject o = ConfigObject.of(value, path, problems);
        Optional<Node> v = o.node("value");
        Optional<Node> d = o.node("default");
        o.node("description");
        o.string("type").filter(t -> !t.equals("array"))
                .ifPresent(t -> o.problem("type", "profiles are a list: write type: array, or leave type: out"));
        o.node("items");
        if (o.has("secret")) o.problem("secret", "Pulumi.yaml is shared by every stack and cannot hold secrets; put secret"
                + " values in the stack file (`pulumi config set --secret`)");
        o.rejectUnknownKeys();
        if (v.isPresent() && d.isPresent()) {
            o.problem("default", "give the profiles once: under value: or default:, not both");
            return null;
        }
        if (v.isEmpty() && d.isEmpty()) {
            problems.add(m.source(), path, "a map here must hold the profile list under value: (Pulumi's project config"
                    + " form for a list of maps)");
            return null;
        }
        return v.orElseGet(d::get);
    }

    /** Pulumi encrypts secrets per stack: a {@code secure:} value in Pulumi.yaml has no key to open it. */
    private static void refuseSecrets(Node n, String path, Problems problems) {
        if (ConfigObject.secure(n).isPresent()) {
            problems.add(n.source(), path, "Pulumi.yaml is shared by every stack and cannot hold secure: values (Pulumi"
                    + " encrypts secrets per stack); define this profile in the stack file instead, or leave the secret out"
                    + " and let dbstack generate it");
            return;
        }
        if (n instanceof Node.Mapping m) m.entries().forEach((k, v) -> refuseSecrets(v, path + "." + k, problems));
        if (n instanceof Node.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) refuseSecrets(s.items().get(i), path + "[" + i + "]", problems);
        }
    }

    /**
     * The stack's and the project's profiles together. The same {@code name@version} in both is one profile when
     * both define the same content, and an error naming both places when they differ.
     */
    static List<AppProfile> union(List<AppProfile> project, Node projectNode, List<AppProfile> stack, Node stackNode,
                                  Problems problems) {
        List<AppProfile> all = new ArrayList<>(project);
        for (AppProfile s : stack) {
            Optional<AppProfile> twin = project.stream().filter(p -> p.ref().equals(s.ref())).findFirst();
            if (twin.isEmpty()) {
                all.add(s);
                continue;
            }
            Object shared = canonical(item(projectNode, s));
            Object own = canonical(item(stackNode, s));
            if (!shared.equals(own)) {
                problems.add(s.source(), "config." + StackLoader.PROFILES + "[" + s.name() + "]", "profile " + s.ref()
                        + " is defined at " + where(s.source()) + " and at " + where(twin.get().source())
                        + " with different content; give one of them a new version, or delete one");
            }
        }
        return all;
    }

    private static String where(SourceRef s) {
        return s.line() > 0 ? s.file() + ":" + s.line() : s.file();
    }

    /**
     * The list item that defines {@code profile} (by name and version: under {@code pulumi up} values carry no
     * lines to tell items apart), or null.
     */
    private static Node item(Node list, AppProfile profile) {
        if (!(list instanceof Node.Sequence seq)) return null;
        for (Node i : seq.items()) {
            if (!(i instanceof Node.Mapping m)) continue;
            String name = m.entries().get("name") instanceof Node.Scalar s ? s.text() : null;
            String version = m.entries().get("version") instanceof Node.Scalar s ? s.text() : "1.0.0";
            if (profile.name().equals(name) && profile.version().equals(version)) return i;
        }
        return null;
    }

    /** A node's content without its lines: maps by key, numbers by value, so layout and key order do not count. */
    static Object canonical(Node n) {
        if (n == null) return "";
        if (n instanceof Node.Scalar s) {
            Object v = s.value();
            if (v instanceof BigDecimal d) return d.stripTrailingZeros();
            if (v instanceof java.math.BigInteger i) return new BigDecimal(i);
            return v == null ? "null:" : v;
        }
        if (n instanceof Node.Sequence q) return q.items().stream().map(ProjectConfig::canonical).toList();
        Map<String, Object> out = new TreeMap<>();
        ((Node.Mapping) n).entries().forEach((k, v) -> out.put(k, canonical(v)));
        return out;
    }

}
