package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A {@code labelSelector} or {@code fieldSelector} of a LIST or WATCH, in the API server's grammar:
 * requirements joined by commas, each {@code key}, {@code !key}, {@code key=value} ({@code ==}),
 * {@code key!=value}, {@code key in (a,b)} or {@code key notin (a,b)}. Field selectors know
 * {@code metadata.name} and {@code metadata.namespace}, as the API server does for every kind.
 */
final class LabelSelector {
    private LabelSelector() {}

    /** Thrown for a selector the API server would refuse with 400. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) return all;
        for (String requirement : split(selector)) {
            Predicate<String> test = requirement(requirement.trim());
            String key = keyOf(requirement.trim());
            all = all.and(o -> test.test(text(o.path("metadata").path("labels").get(key))));
        }
        return all;
    }

    static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) return all;
        for (String requirement : split(selector)) {
            String r = requirement.trim();
            String key = keyOf(r);
            String field = switch (key) {
                case "metadata.name" -> "name";
                case "metadata.namespace" -> "namespace";
                default -> throw new Invalid("field label not supported: " + key);
            };
            Predicate<String> test = requirement(r);
            all = all.and(o -> test.test(text(o.path("metadata").get(field))));
        }
        return all;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    /** Splits on the commas that are not inside a set's parentheses. */
    private static List<String> split(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(selector.substring(start));
        return parts;
    }

    private static String keyOf(String r) {
        if (r.startsWith("!")) return r.substring(1).trim();
        int i = 0;
        while (i < r.length() && " =!".indexOf(r.charAt(i)) < 0) i++;
        String key = r.substring(0, i);
        if (key.isEmpty()) throw new Invalid("unable to parse requirement: " + r);
        return key;
    }

    /** A test of the label's value (null when the label is absent). */
    private static Predicate<String> requirement(String r) {
        if (r.startsWith("!")) return v -> v == null;
        String key = keyOf(r);
        String rest = r.substring(key.length()).trim();
        if (rest.isEmpty()) return v -> v != null;
        if (rest.startsWith("==")) return eq(rest.substring(2).trim());
        if (rest.startsWith("!=")) {
            String value = rest.substring(2).trim();
            return v -> !value.equals(v);
        }
        if (rest.startsWith("=")) return eq(rest.substring(1).trim());
        if (rest.startsWith("in ") || rest.startsWith("in(")) {
            Set<String> values = set(rest.substring(2));
            return v -> v != null && values.contains(v);
        }
        if (rest.startsWith("notin ") || rest.startsWith("notin(")) {
            Set<String> values = set(rest.substring(5));
            return v -> v == null || !values.contains(v);
        }
        throw new Invalid("unable to parse requirement: " + r);
    }

    private static Predicate<String> eq(String value) {
        return value::equals;
    }

    private static Set<String> set(String s) {
        String t = s.trim();
        if (!t.startsWith("(") || !t.endsWith(")")) throw new Invalid("unable to parse requirement: expected a set in parentheses: " + s);
        Set<String> values = new java.util.HashSet<>();
        for (String v : t.substring(1, t.length() - 1).split(",")) if (!v.isBlank()) values.add(v.trim());
        return values;
    }
}
