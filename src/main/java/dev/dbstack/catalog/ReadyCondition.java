package dev.dbstack.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One condition a component's workload must meet, besides its kind's own readiness check, before
 * dependants start ({@code readiness:} in {@code components/<type>.yaml}), read on the live object:
 * {@code <field> <op> <field or literal>}, e.g. {@code status.readyReplicas == spec.replicas}.
 * A field is a dotted path of names ({@code status.availableReplicas}); a literal is a whole number,
 * {@code true}, {@code false} or a string in double quotes; the operators are {@code == != >= <= > <}
 * (the ordering ones compare numbers). A field that is not set means "not yet".
 */
public record ReadyCondition(String text, List<String> left, String operator, List<String> rightField, JsonNode rightValue) {
    private static final String FIELD = "[A-Za-z_][A-Za-z0-9_-]*(?:\\.[A-Za-z_][A-Za-z0-9_-]*)*";
    private static final Pattern SHAPE = Pattern.compile("\\s*(" + FIELD + ")\\s*(==|!=|>=|<=|>|<)\\s*(.+?)\\s*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads one condition; the exception's message says what is wrong, in words for a catalog problem. */
    public static ReadyCondition parse(String text) {
        Matcher m = text == null ? null : SHAPE.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not <field> <op> <field or literal>, e.g."
                    + " status.readyReplicas == spec.replicas (operators: == != >= <= > <)");
        }
        List<String> left = List.of(m.group(1).split("\\."));
        String op = m.group(2);
        String right = m.group(3);
        if (right.matches(FIELD) && !right.equals("true") && !right.equals("false")) {
            return new ReadyCondition(text.strip(), left, op, List.of(right.split("\\.")), null);
        }
        JsonNode value;
        if (right.matches("-?\\d{1,18}") || right.equals("true") || right.equals("false")
                || right.matches("\"[^\"\\\\]*\"")) {
            try {
                value = JSON.readTree(right);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            throw new IllegalArgumentException("'" + text + "': the right side must be a field, a whole number, true,"
                    + " false or a \"string\", got " + right);
        }
        if (!op.equals("==") && !op.equals("!=") && !value.isNumber()) {
            throw new IllegalArgumentException("'" + text + "': " + op + " compares numbers, got " + right);
        }
        return new ReadyCondition(text.strip(), left, op, null, value);
    }

    /** Empty when the condition holds on {@code live}; otherwise what is missing, for a progress line. */
    public Optional<String> unmet(JsonNode live) {
        JsonNode l = at(live, left);
        if (l == null) return Optional.of(String.join(".", left) + " is not set");
        JsonNode r = rightField == null ? rightValue : at(live, rightField);
        if (r == null) return Optional.of(String.join(".", rightField) + " is not set");
        boolean holds;
        if (l.isNumber() && r.isNumber()) {
            int c = l.decimalValue().compareTo(r.decimalValue());
            holds = switch (operator) {
                case "==" -> c == 0;
                case "!=" -> c != 0;
                case ">=" -> c >= 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                default -> c < 0;
            };
        } else {
            boolean equal = l.isValueNode() && r.isValueNode() && l.asText().equals(r.asText());
            holds = switch (operator) {
                case "==" -> equal;
                case "!=" -> !equal;
                default -> false; // an ordering of things that are not numbers
            };
        }
        if (holds) return Optional.empty();
        String got = String.join(".", left) + " is " + l;
        if (rightField != null) got += ", " + String.join(".", rightField) + " is " + r;
        return Optional.of(text + " (" + got + ")");
    }

    private static JsonNode at(JsonNode node, List<String> path) {
        JsonNode at = node;
        for (String name : path) {
            at = at.get(name);
            if (at == null || at.isNull()) return null;
        }
        return at;
    }
}
