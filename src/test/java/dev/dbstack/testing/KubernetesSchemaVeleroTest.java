package dev.dbstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.render.KubernetesSchema;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Velero's objects validate against Velero's published CRD schemas (vendored), strictly. */
class KubernetesSchemaVeleroTest {
    private final KubernetesSchema schema = KubernetesSchema.load();

    private static GenericKubernetesResource schedule(Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Schedule")
                .withNewMetadata().withName("shop").withNamespace("velero").addToLabels("app.kubernetes.io/part-of", "shop").endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    private static Map<String, Object> validSpec() {
        Map<String, Object> hook = Map.of("name", "postgresql-quiesce", "includedNamespaces", List.of("shop"),
                "labelSelector", Map.of("matchLabels", Map.of("app", "postgresql-1")),
                "pre", List.of(Map.of("exec", Map.of("container", "postgresql", "command", List.of("/bin/sh", "-c", "sync"),
                        "onError", "Fail", "timeout", "30s"))));
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("includedNamespaces", List.of("shop"));
        template.put("ttl", "720h0m0s");
        template.put("storageLocation", "default");
        template.put("snapshotVolumes", true);
        template.put("metadata", Map.of("labels", Map.of("app.kubernetes.io/part-of", "shop")));
        template.put("hooks", Map.of("resources", List.of(hook)));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("schedule", "0 3 * * *");
        spec.put("skipImmediately", false);
        spec.put("useOwnerReferencesInBackup", false);
        spec.put("template", template);
        return spec;
    }

    @Test
    void aValidSchedulePasses() {
        assertThat(schema.validate(schedule(validSpec()))).isEmpty();
    }

    @Test
    void unknownFieldsWrongTypesEnumsAndRequiredFieldsAreErrorsWithTheirPath() {
        Map<String, Object> spec = validSpec();
        spec.put("retention", "30d");
        spec.put("paused", "no");
        @SuppressWarnings("unchecked")
        Map<String, Object> template = new LinkedHashMap<>((Map<String, Object>) spec.get("template"));
        template.put("ttl", 720);
        template.put("hooks", Map.of("resources", List.of(Map.of("name", "h",
                "pre", List.of(Map.of("exec", Map.of("command", List.of(), "onError", "Ignore")))))));
        spec.put("template", template);
        spec.remove("schedule");
        assertThat(schema.validate(schedule(spec))).containsExactlyInAnyOrder(
                "Schedule.spec: missing required field schedule",
                "Schedule.spec.retention: unknown field",
                "Schedule.spec.paused: expected a boolean, got STRING",
                "Schedule.spec.template.ttl: expected a string, got NUMBER",
                "Schedule.spec.template.hooks.resources[0].pre[0].exec.command: must have at least 1 items",
                "Schedule.spec.template.hooks.resources[0].pre[0].exec.onError: Unsupported value \"Ignore\", supported values: [\"Continue\",\"Fail\"]");
    }

    @Test
    void metadataIsCheckedAsKubernetesObjectMetaAndUnknownKindsAreReported() {
        GenericKubernetesResource s = schedule(validSpec());
        s.getMetadata().setAdditionalProperty("label", "x");
        assertThat(schema.validate(s)).containsExactly("Schedule.metadata.label: unknown field");
        GenericKubernetesResource other = new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Widget")
                .withNewMetadata().withName("w").endMetadata().build();
        assertThat(schema.validate(other)).containsExactly("no Kubernetes definition for velero.io/v1/Widget");
    }

    @Test
    void backupsRestoresAndLocationsToo() {
        GenericKubernetesResource restore = new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Restore")
                .withNewMetadata().withName("drill").withNamespace("velero").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("backupName", "shop-20261121030000",
                        "namespaceMapping", Map.of("shop", "shop-drill"), "existingResourcePolicy", "none"))).build();
        assertThat(schema.validate(restore)).isEmpty();
        GenericKubernetesResource location = new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1")
                .withKind("BackupStorageLocation").withNewMetadata().withName("default").withNamespace("velero").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("provider", "aws", "objectStorage", Map.of("prefix", "x")))).build();
        assertThat(schema.validate(location)).containsExactly("BackupStorageLocation.spec.objectStorage: missing required field bucket");
        GenericKubernetesResource backup = new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Backup")
                .withNewMetadata().withName("b").withNamespace("velero").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("includedNamespaces", "shop"))).build();
        assertThat(schema.validate(backup)).containsExactly("Backup.spec.includedNamespaces: expected an array, got STRING");
    }
}
