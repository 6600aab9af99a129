package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the API server does with a custom resource and its CRD's structural schema
 * ({@code openAPIV3Schema}) on every write: fields the schema does not know are pruned (dropped
 * silently, as with the default {@code fieldValidation}), unless a level says
 * {@code x-kubernetes-preserve-unknown-fields}; wrong types, values outside an {@code enum} and missing
 * required fields refuse the write with 422 Invalid in the API server's words. {@code apiVersion},
 * {@code kind} and {@code metadata} are the API's own and left alone.
 */
final class SandboxSchema {
    private SandboxSchema() {}

    /** Prunes {@code object} in place and returns its violations (empty when valid). */
    static List<String> pruneAndCheck(ObjectNode object, JsonNode schema) {
        List<String> errors = new ArrayList<>();
        if (schema == null || !schema.isObject()) return errors;
        walk(object, schema, "", true, errors);
        return errors;
    }

    private static void walk(JsonNode value, JsonNode schema, String path, boolean root, List<String> errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) errors.add(at(path) + ": Invalid value: \"null\": " + at(path)
                    + " in body must be of type " + schema.path("type").asText("object") + ": \"null\"");
            return;
        }
        if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) listed |= allowed.equals(value);
            if (!listed) {
                List<String> values = new ArrayList<>();
                schema.get("enum").forEach(v -> values.add(v.toString()));
                errors.add(at(path) + ": Unsupported value: " + value + ": supported values: " + String.join(", ", values));
            }
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isTextual() && !value.isIntegralNumber()) typeError(path, "integer or string", value, errors);
            return;
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        String type = schema.path("type").asText("");
        switch (type) {
            case "string" -> {
                if (!value.isTextual()) typeError(path, "string", value, errors);
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) typeError(path, "integer", value, errors);
            }
            case "number" -> {
                if (!value.isNumber()) typeError(path, "number", value, errors);
            }
            case "boolean" -> {
                if (!value.isBoolean()) typeError(path, "boolean", value, errors);
            }
            case "array" -> {
                if (!value.isArray()) {
                    typeError(path, "array", value, errors);
                    return;
                }
                if (schema.has("items")) for (int i = 0; i < value.size(); i++) walk(value.get(i), schema.get("items"), path + "[" + i + "]", false, errors);
            }
            case "object", "" -> {
                if (!value.isObject()) {
                    if (!type.isEmpty()) typeError(path, "object", value, errors);
                    return;
                }
                ObjectNode object = (ObjectNode) value;
                for (JsonNode required : schema.path("required")) {
                    if (!object.has(required.asText())) errors.add(at(join(path, required.asText())) + ": Required value");
                }
                JsonNode properties = schema.get("properties");
                JsonNode additional = schema.get("additionalProperties");
                List<String> pruned = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String name = field.getKey();
                    if (root && (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata"))) continue;
                    if (properties != null && properties.has(name)) walk(field.getValue(), properties.get(name), join(path, name), false, errors);
                    else if (additional != null && additional.isObject()) walk(field.getValue(), additional, join(path, name), false, errors);
                    else if (!preserve && !(additional != null && additional.asBoolean(false))) pruned.add(name);
                }
                object.remove(pruned);
            }
            default -> { }
        }
    }

    private static void typeError(String path, String type, JsonNode value, List<String> errors) {
        String got = switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
        errors.add(at(path) + ": Invalid value: \"" + got + "\": " + at(path) + " in body must be of type " + type + ": \"" + got + "\"");
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String at(String path) {
        return path.isEmpty() ? "<root>" : path;
    }
}
