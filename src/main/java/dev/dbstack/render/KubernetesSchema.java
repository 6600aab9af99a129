package dev.dbstack.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Validates objects against the Kubernetes API's own OpenAPI definitions
 * ({@code src/main/resources/kubernetes/swagger-1.22.json.gz}, the unmodified {@code swagger.json} of
 * Kubernetes 1.22). Strict like {@code kubectl --validate=strict}: unknown fields are errors, as are
 * wrong types and missing required fields. Its own small walker because the spec's
 * {@code int-or-string} format is not JSON Schema, which generic validators reject.
 *
 * <p>Objects of a custom kind are validated against their CRD's {@code openAPIV3Schema} (Velero's
 * published CRDs, vendored under {@code src/main/resources/velero/}) the way the
 * API server does with {@code fieldValidation=Strict}: unknown fields are errors unless the schema says
 * {@code x-kubernetes-preserve-unknown-fields}, as are wrong types, values outside an {@code enum},
 * missing required fields, too few items and nulls where the schema is not {@code nullable}; the
 * object's {@code metadata} is checked against Kubernetes' ObjectMeta.
 *
 * <p>Render checks manifest layers' objects and patched objects with it before anything runs; tests check every
 * rendered object. It also knows which kinds are namespaced (from the API paths the spec lists).
 */
public final class KubernetesSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubernetesSchema instance;

    /** Velero's vendored CRDs ({@code src/main/resources/velero/}), by plural. */
    private static final List<String> VELERO_PLURALS = List.of("schedules", "backups", "restores", "backupstoragelocations");

    private final JsonNode definitions;
    /** {@code apiVersion/kind} of the kinds the API serves in a namespace. */
    private final java.util.Set<String> namespaced = new java.util.HashSet<>();
    private final Map<String, String> byGroupVersionKind = new HashMap<>();
    /** {@code apiVersion/kind} of a custom kind → its CRD's openAPIV3Schema. */
    private final Map<String, JsonNode> customSchemas = new HashMap<>();

    private KubernetesSchema(JsonNode swagger) {
        this.definitions = swagger.get("definitions");
        for (Iterator<Map.Entry<String, JsonNode>> it = definitions.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> def = it.next();
            JsonNode gvks = def.getValue().get("x-kubernetes-group-version-kind");
            if (gvks == null) continue;
            for (JsonNode gvk : gvks) {
                String group = gvk.get("group").asText();
                String apiVersion = group.isEmpty() ? gvk.get("version").asText() : group + "/" + gvk.get("version").asText();
                byGroupVersionKind.put(apiVersion + "/" + gvk.get("kind").asText(), def.getKey());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = swagger.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            if (!path.getKey().contains("/namespaces/{namespace}/")) continue;
            for (JsonNode operation : path.getValue()) {
                JsonNode gvk = operation.get("x-kubernetes-group-version-kind");
                if (gvk == null) continue;
                String group = gvk.path("group").asText();
                String version = gvk.path("version").asText();
                namespaced.add((group.isEmpty() ? version : group + "/" + version) + "/" + gvk.path("kind").asText());
            }
        }
    }

    /** Whether the Kubernetes API (1.22) has the kind built in: custom kinds (CRDs) are not. */
    public boolean isBuiltIn(String apiVersion, String kind) {
        return byGroupVersionKind.containsKey(apiVersion + "/" + kind);
    }

    /** Whether a built-in kind lives in a namespace (ConfigMap) rather than in the cluster (ClusterRole). */
    public boolean isNamespaced(String apiVersion, String kind) {
        return namespaced.contains(apiVersion + "/" + kind);
    }

    /** The built-in kinds of {@code apiVersion}'s API group with the name {@code kind}, for "did you mean". */
    public List<String> apiVersionsOf(String kind) {
        return byGroupVersionKind.keySet().stream().filter(k -> k.endsWith("/" + kind))
                .map(k -> k.substring(0, k.length() - kind.length() - 1)).sorted().toList();
    }

    /** Every violation of {@code json} (an object as JSON), as {@code path: problem}; empty when it is valid. */
    public List<String> validate(JsonNode json) {
        String apiVersion = json.path("apiVersion").asText();
        String kind = json.path("kind").asText();
        String key = apiVersion + "/" + kind;
        String definition = byGroupVersionKind.get(key);
        List<String> errors = new ArrayList<>();
        if (definition == null && customSchemas.containsKey(key)) {
            checkCustom(json, customSchemas.get(key), kind, true, errors);
            return errors;
        }
        if (definition == null) {
            errors.add("no Kubernetes definition for " + key);
            return errors;
        }
        check(json, definitions.get(definition), kind, errors);
        return errors;
    }

    public static synchronized KubernetesSchema load() {
        if (instance != null) return instance;
        try (InputStream in = KubernetesSchema.class.getResourceAsStream("/kubernetes/swagger-1.22.json.gz")) {
            if (in == null) throw new IllegalStateException("swagger-1.22.json.gz missing from the resources");
            instance = new KubernetesSchema(JSON.readTree(new GZIPInputStream(in)));
            for (String plural : VELERO_PLURALS) {
                try (InputStream crd = KubernetesSchema.class.getResourceAsStream("/velero/velero.io_" + plural + ".yaml")) {
                    instance.addCustomResourceDefinition(JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(crd)));
                }
            }
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes the kinds a CustomResourceDefinition (as JSON) serves validate against its schema, version by version. */
    private void addCustomResourceDefinition(JsonNode crd) {
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            if (schema.isObject()) customSchemas.put(group + "/" + version.path("name").asText() + "/" + kind, schema);
        }
    }

    /** Every violation, as {@code path: problem}; empty when the object is valid. */
    public List<String> validate(HasMetadata object) {
        return validate((JsonNode) JSON.valueToTree(object));
    }

    private void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText().substring("#/definitions/".length());
            check(value, definitions.get(ref), path, errors);
            return;
        }
        String type = schema.path("type").asText("");
        String format = schema.path("format").asText("");
        if ("int-or-string".equals(format)) {
            if (!value.isTextual() && !value.isIntegralNumber()) errors.add(path + ": expected an integer or a string");
            return;
        }
        switch (type) {
            case "string" -> {
                if (wrongType(value, type, path, errors)) return;
                if ("byte".equals(format) && !value.asText().matches("[A-Za-z0-9+/]*={0,2}")) errors.add(path + ": expected base64");
            }
            case "integer", "number", "boolean" -> wrongType(value, type, path, errors);
            case "array" -> {
                if (wrongType(value, type, path, errors)) return;
                for (int i = 0; i < value.size(); i++) check(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
            }
            case "object", "" -> checkObject(value, schema, path, errors);
            default -> errors.add(path + ": unknown schema type " + type);
        }
    }

    /** Records an error and answers true when {@code value} is not of the scalar or array {@code type}. */
    private static boolean wrongType(JsonNode value, String type, String path, List<String> errors) {
        boolean ok = switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> value.isArray();
        };
        if (!ok) errors.add(path + ": expected " + (type.equals("integer") || type.equals("array") ? "an " : "a ") + type
                + ", got " + value.getNodeType());
        return !ok;
    }

    /** A value against a CRD's structural schema (OpenAPI v3 with Kubernetes' extensions). */
    private void checkCustom(JsonNode value, JsonNode schema, String path, boolean root, List<String> errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) errors.add(path + ": must not be null");
            return;
        }
        if (schema.path("enum").isArray()) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) listed |= allowed.equals(value);
            if (!listed) errors.add(path + ": Unsupported value " + value + ", supported values: " + schema.get("enum"));
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isTextual() && !value.isIntegralNumber()) errors.add(path + ": expected an integer or a string");
            return;
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        String type = schema.path("type").asText("");
        switch (type) {
            case "string" -> {
                if (wrongType(value, type, path, errors)) return;
                if (schema.has("pattern") && !java.util.regex.Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                    errors.add(path + ": does not match " + schema.get("pattern").asText());
                }
            }
            case "integer", "number", "boolean" -> wrongType(value, type, path, errors);
            case "array" -> {
                if (wrongType(value, type, path, errors)) return;
                if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                    errors.add(path + ": must have at least " + schema.get("minItems").asInt() + " items");
                }
                if (schema.has("items")) {
                    for (int i = 0; i < value.size(); i++) checkCustom(value.get(i), schema.get("items"), path + "[" + i + "]", false, errors);
                }
            }
            case "object", "" -> {
                if (type.isEmpty() && preserve && !schema.has("properties")) return; // anything goes
                if (!value.isObject()) {
                    errors.add(path + ": expected an object, got " + value.getNodeType());
                    return;
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) errors.add(path + ": missing required field " + required.asText());
                }
                JsonNode properties = schema.get("properties");
                JsonNode additional = schema.get("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String fieldPath = path + "." + field.getKey();
                    if (root && field.getKey().equals("metadata")) {
                        check(field.getValue(), definitions.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), fieldPath, errors);
                    } else if (root && (field.getKey().equals("apiVersion") || field.getKey().equals("kind"))) {
                        if (!field.getValue().isTextual()) errors.add(fieldPath + ": expected a string");
                    } else if (properties != null && properties.has(field.getKey())) {
                        checkCustom(field.getValue(), properties.get(field.getKey()), fieldPath, false, errors);
                    } else if (additional != null && additional.isObject()) {
                        checkCustom(field.getValue(), additional, fieldPath, false, errors);
                    } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                        errors.add(fieldPath + ": unknown field");
                    }
                }
            }
            default -> errors.add(path + ": unknown schema type " + type);
        }
    }

    private void checkObject(JsonNode value, JsonNode schema, String path, List<String> errors) {
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        if (properties == null && additional == null) return; // free-form (RawExtension and the like)
        if (!value.isObject()) {
            errors.add(path + ": expected an object, got " + value.getNodeType());
            return;
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) errors.add(path + ": missing required field " + required.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = path + "." + field.getKey();
            if (field.getValue().isNull()) continue;
            if (properties != null && properties.has(field.getKey())) {
                check(field.getValue(), properties.get(field.getKey()), fieldPath, errors);
            } else if (additional != null && additional.isObject()) {
                check(field.getValue(), additional, fieldPath, errors);
            } else {
                errors.add(fieldPath + ": unknown field");
            }
        }
    }
}
