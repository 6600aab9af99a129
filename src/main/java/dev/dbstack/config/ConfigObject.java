package dev.dbstack.config;

import dev.dbstack.model.SecretValue;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Template;
import java.math.BigDecimal;
import java.math.BigInteger;
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

    /** Free text no program reads (a description): any string, braces included. */
    Optional<String> prose(String key) {
        return node(key).flatMap(n -> scalarText(n, path(key), true, true));
    }

    Optional<String> requiredString(String key, String what) {
        Node n = required(key, what);
        return n == null ? Optional.empty() : asString(n, path(key), false);
    }

    /**
     * A plain string: names, images, versions, settings, everything but the few values that may hold
     * output references (see {@link #asTemplate}). A reference here is refused rather than passed on as
     * literal text, and so is a stray {@code {{} or {@code }}}.
     */
    /** A value written as any scalar (a string, a number, true or false), as its text: a catalog setting. */
    Optional<String> scalar(String key) {
        return node(key).flatMap(n -> checkedText(n, path(key), scalarText(n, path(key), true, true)));
    }

    Optional<String> asString(Node n, String keyPath, boolean numbersAsText) {
        return checkedText(n, keyPath, scalarText(n, keyPath, numbersAsText, false));
    }

    private Optional<String> checkedText(Node n, String keyPath, Optional<String> text) {
        if (text.isEmpty()) return text;
        int brace = firstBraces(text.get());
        if (brace >= 0) {
            problems.add(n.source(), keyPath, "output references are allowed only in a container's env values, command"
                    + " and args; this value has '" + text.get().substring(brace, brace + 2) + "' at character " + (brace + 1));
            return Optional.empty();
        }
        return text;
    }

    /**
     * {@code n} as a {@link Template}: a string, or a number (and with {@code anyScalarAsText} a
     * boolean) as written. The only accessor that accepts output references; a syntax error is a
     * problem on {@code keyPath}, and loading goes on.
     */
    Optional<Template> asTemplate(Node n, String keyPath, boolean anyScalarAsText) {
        return scalarText(n, keyPath, true, anyScalarAsText).flatMap(text -> {
            try {
                return Optional.of(Template.parse(text));
            } catch (IllegalArgumentException e) {
                problems.add(n.source(), keyPath, e.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<String> scalarText(Node n, String keyPath, boolean numbersAsText, boolean anyScalarAsText) {
        if (n instanceof Node.Scalar s && (s.value() instanceof String
                || (numbersAsText && s.value() instanceof Number) || (anyScalarAsText && s.value() != null))) {
            return Optional.of(s.text());
        }
        problems.add(n.source(), keyPath, "expected a string, got " + n.kindName() + describe(n));
        return Optional.empty();
    }

    /** Where the first {@code {{} or {@code }}} is, or -1. */
    private static int firstBraces(String text) {
        int open = text.indexOf("{{");
        int close = text.indexOf("}}");
        return open < 0 ? close : close < 0 ? open : Math.min(open, close);
    }

    /**
     * A whole number within {@code [min, max]}, in any notation YAML allows (8080, 0x1F90, 1e3);
     * anything else, including numbers too big for a long and fractions, is one problem saying the range.
     */
    Optional<Long> integer(String key, long min, long max, String what) {
        return node(key).flatMap(n -> wholeNumber(n, path(key), min, max, what, problems));
    }

    static Optional<Long> wholeNumber(Node n, String keyPath, long min, long max, String what, Problems problems) {
        Optional<BigDecimal> value = n instanceof Node.Scalar s && s.value() instanceof Number num ? exact(num) : Optional.empty();
        if (value.isPresent() && value.get().stripTrailingZeros().scale() <= 0
                && value.get().compareTo(BigDecimal.valueOf(min)) >= 0 && value.get().compareTo(BigDecimal.valueOf(max)) <= 0) {
            return Optional.of(value.get().longValueExact());
        }
        String range = min == max ? Long.toString(min) : "a whole number from " + min + " to " + max;
        problems.add(n.source(), keyPath, what + " must be " + range + ", got " + n.kindName() + describe(n));
        return Optional.empty();
    }

    /** The number's exact value; empty for infinity and NaN. */
    private static Optional<BigDecimal> exact(Number n) {
        if (n instanceof BigDecimal d) return Optional.of(d);
        if (n instanceof BigInteger i) return Optional.of(new BigDecimal(i));
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? Optional.of(new BigDecimal(d)) : Optional.empty();
        }
        return Optional.of(BigDecimal.valueOf(n.longValue()));
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
        if (n instanceof Node.Mapping m && m.entries().size() == 1 && m.entries().containsKey("secure")) {
            // Any other value under secure: is still meant as a secret: its form is checked, never used as text.
            return Optional.of(SecretValue.encrypted(m.entries().get("secure") instanceof Node.Scalar s ? s.text() : ""));
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

    /** The value as written, shortened: a message quotes what the user wrote, not a megabyte of it. */
    static String describe(Node n) {
        if (n instanceof Node.Scalar s && s.value() != null) return " '" + Suggest.abbreviate(s.text()) + "'";
        return "";
    }
}
