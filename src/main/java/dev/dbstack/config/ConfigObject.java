package dev.dbstack.config;

import dev.dbstack.model.SecretValue;
import dev.dbstack.model.SourceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.dbstack.model.Suggest;
import dev.dbstack.yaml.Node;
import java.util.Set;

/**
 * Typed, error-collecting access to one YAML map. Every getter records the key as known; {@link
 * #rejectUnknownKeys()} then reports the keys nobody asked for, with a suggestion. Wrong types and
 * missing keys become problems, never exceptions, so one run reports everything.
 */
final class ConfigObject {
    private final Node.Mapping map;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigObject(Node.Mapping map, String path, Problems problems) {
        this.map = map;
        this.path = path;
        this.problems = problems;
    }

    /** Wraps {@code node}; when it is not a map, reports that and returns an empty object. */
    static ConfigObject of(Node node, String path, Problems problems) {
        if (node instanceof Node.Mapping m) return new ConfigObject(m, path, problems);
        problems.add(node.source(), path, "expected a map, got " + node.kindName() + describe(node));
        return new ConfigObject(new Node.Mapping(new LinkedHashMap<>(), Map.of(), node.source()), path, problems);
    }

    String path() {
        return path;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    SourceRef source() {
        return map.source();
    }

    /** The line of {@code key} when present, else of this map. */
    SourceRef source(String key) {
        SourceRef ref = map.keySources().get(key);
        return ref != null ? ref : map.source();
    }

    boolean has(String key) {
        known.add(key);
        return map.entries().containsKey(key) && !isNull(map.entries().get(key));
    }

    /** Whether {@code key} is written without a value ({@code key:} or {@code key: null}). */
    boolean isWrittenEmpty(String key) {
        Node n = map.entries().get(key);
        return n != null && isNull(n);
    }

    Optional<Node> node(String key) {
        known.add(key);
        Node n = map.entries().get(key);
        return n == null || isNull(n) ? Optional.empty() : Optional.of(n);
    }

    Node required(String key, String what) {
        Optional<Node> n = node(key);
        if (n.isEmpty()) problems.add(map.source(), path(key), "missing required key (" + what + ")");
        return n.orElse(null);
    }

    /** A string value; numbers are refused unless {@code numbersAsText} (for versions such as 16 or 8.0). */
    Optional<String> string(String key, boolean numbersAsText) {
        return node(key).flatMap(n -> asString(n, path(key), numbersAsText));
    }

    Optional<String> string(String key) {
        return string(key, false);
    }

    Optional<String> requiredString(String key, String what) {
        Node n = required(key, what);
        return n == null ? Optional.empty() : asString(n, path(key), false);
    }

    Optional<String> asString(Node n, String keyPath, boolean numbersAsText) {
        if (n instanceof Node.Scalar s && (s.value() instanceof String
                || (numbersAsText && s.value() instanceof Number))) {
            return Optional.of(s.text());
        }
        problems.add(n.source(), keyPath, "expected a string, got " + n.kindName() + describe(n));
        return Optional.empty();
    }

    Optional<Long> integer(String key) {
        return node(key).flatMap(n -> {
            if (n instanceof Node.Scalar s && s.value() instanceof Number num && isWhole(num)) {
                return Optional.of(num.longValue());
            }
            problems.add(n.source(), path(key), "expected a whole number, got " + n.kindName() + describe(n));
            return Optional.empty();
        });
    }

    Optional<Boolean> bool(String key) {
        return node(key).flatMap(n -> {
            if (n instanceof Node.Scalar s && s.value() instanceof Boolean b) return Optional.of(b);
            problems.add(n.source(), path(key), "expected true or false, got " + n.kindName() + describe(n));
            return Optional.empty();
        });
    }

    Optional<ConfigObject> object(String key) {
        return node(key).map(n -> of(n, path(key), problems));
    }

    /** List items; a non-list is reported. */
    List<Node> list(String key) {
        Optional<Node> n = node(key);
        if (n.isEmpty()) return List.of();
        if (n.get() instanceof Node.Sequence seq) return seq.items();
        problems.add(n.get().source(), path(key), "expected a list, got " + n.get().kindName());
        return List.of();
    }

    List<String> stringList(String key) {
        List<String> out = new ArrayList<>();
        List<Node> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            asString(items.get(i), path(key) + "[" + i + "]", true).ifPresent(out::add);
        }
        return out;
    }

    /** A {@code secure: <ciphertext>} map, as Pulumi writes secret config values. */
    static Optional<SecretValue> secure(Node n) {
        if (n instanceof Node.Mapping m && m.entries().size() == 1
                && m.entries().get("secure") instanceof Node.Scalar s && s.value() instanceof String text) {
            return Optional.of(SecretValue.encrypted(text));
        }
        return Optional.empty();
    }

    /** Entries of this map, in file order. */
    Map<String, Node> entries() {
        known.addAll(map.entries().keySet());
        return map.entries();
    }

    /** Reports each key no getter asked for, suggesting the closest known key. */
    void rejectUnknownKeys() {
        for (String key : map.entries().keySet()) {
            if (known.contains(key)) continue;
            problems.add(source(key), path(key),
                    "unknown key" + Suggest.didYouMean(key, known) + " (allowed: " + String.join(", ", known) + ")");
        }
    }

    void problem(String key, String message) {
        problems.add(source(key), path(key), message);
    }

    Problems problems() {
        return problems;
    }

    private static boolean isNull(Node n) {
        return n instanceof Node.Scalar s && s.value() == null;
    }

    private static boolean isWhole(Number n) {
        if (n instanceof java.math.BigDecimal d) return d.stripTrailingZeros().scale() <= 0;
        return !(n instanceof Double || n instanceof Float);
    }

    private static String describe(Node n) {
        if (n instanceof Node.Scalar s && s.value() != null) return " '" + s.text() + "'";
        return "";
    }
}
