package dev.dbstack.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.TreeMap;

/** Kubernetes objects as YAML documents, byte-for-byte stable, and the redaction of Secret values. */
public final class Manifests {
    public static final String WITHHELD_ANNOTATION = "dbstack.dev/values";

    /**
     * The top-level fields a rendered object may have: what the renderers produce, and for manifest layers those of
     * the common namespaced kinds (ConfigMap, Role, RoleBinding, ServiceAccount, Endpoints, PodTemplate). The Pulumi
     * program passes each on as an input of its own, so the list is one for both.
     */
    public static final java.util.Set<String> TOP_LEVEL_FIELDS = java.util.Set.of("apiVersion", "kind", "metadata", "spec",
            "data", "stringData", "type", "immutable", "addressType", "endpoints", "ports", "binaryData", "rules", "roleRef",
            "subjects", "secrets", "imagePullSecrets", "automountServiceAccountToken", "subsets", "template");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES))
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Manifests() {}

    public static String toYaml(HasMetadata object) {
        try {
            return YAML.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One YAML stream, documents separated by {@code ---}, ready for {@code kubectl apply -f -}. */
    public static String toYaml(List<HasMetadata> objects) {
        StringBuilder out = new StringBuilder();
        for (HasMetadata o : objects) out.append("---\n").append(toYaml(o));
        return out.toString();
    }

    /**
     * The objects with every Secret's values removed and an annotation saying so. Applying such a
     * Secret fails loudly (pods cannot find their keys) instead of silently storing a placeholder.
     */
    public static List<HasMetadata> withholdSecretValues(List<HasMetadata> objects) {
        return objects.stream().map(o -> o instanceof Secret s ? withhold(s) : o).toList();
    }

    private static HasMetadata withhold(Secret s) {
        TreeMap<String, String> annotations = new TreeMap<>();
        if (s.getMetadata().getAnnotations() != null) annotations.putAll(s.getMetadata().getAnnotations());
        annotations.put(WITHHELD_ANNOTATION, "withheld: " + String.join(",", new TreeMap<>(s.getData()).keySet()));
        return new SecretBuilder(s).withData(null).withStringData(null)
                .editMetadata().withAnnotations(annotations).endMetadata().build();
    }
}
