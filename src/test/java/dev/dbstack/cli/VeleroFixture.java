package dev.dbstack.cli;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.VeleroCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Velero in a test project's on-disk sandbox, and the Schedules dbstack renders for disk backup (the contract the
 * renderer implements: one per app in the Velero namespace, named after the app's namespace, labelled with the app's
 * labels, which its template gives every Backup), created directly through the client.
 */
final class VeleroFixture {
    static final String NS = VeleroCrds.NAMESPACE;

    private VeleroFixture() {}

    static Sandbox sandbox(Path projectDir) {
        return Sandbox.start(projectDir.resolve(".dbstack/sandbox"));
    }

    /** Velero's CRDs, its namespace and a storage location named default. */
    static void install(Path projectDir) {
        try (Sandbox s = sandbox(projectDir)) {
            VeleroCrds.installWithDefaultLocation(s.client());
        }
    }

    static GenericKubernetesResource schedule(String stack, String app, String namespace) {
        Map<String, String> labels = Labels.app(stack, app);
        return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Schedule")
                .withNewMetadata().withName(namespace).withNamespace(NS).withLabels(labels).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("schedule", "0 3 * * *", "skipImmediately", false,
                        "template", Map.of("metadata", Map.of("labels", labels), "includedNamespaces", List.of(namespace),
                                "storageLocation", "default", "ttl", "720h0m0s"))))
                .build();
    }

    /** Creates the app's Schedule (unless there) and fires it; returns the Backup's name once it is Completed. */
    static String backup(Path projectDir, String stack, String app, String namespace) {
        try (Sandbox s = sandbox(projectDir)) {
            var schedules = s.client().genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(NS);
            if (schedules.withName(namespace).get() == null) s.client().resource(schedule(stack, app, namespace)).create();
            // Backups of a Schedule are named to the second: two in one second would be one name.
            String name = s.runSchedule(NS, namespace);
            s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName(name)
                    .waitUntilCondition(b -> b != null && b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
            sleepPastTheSecond();
            return name;
        }
    }

    /** A Backup labelled as the app's that fails validation (its storage location does not exist). */
    static String failedBackup(Path projectDir, String stack, String app, String name) {
        try (Sandbox s = sandbox(projectDir)) {
            s.client().resource(new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Backup")
                    .withNewMetadata().withName(name).withNamespace(NS).withLabels(Labels.app(stack, app)).endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("storageLocation", "nowhere"))).build()).create();
            s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName(name)
                    .waitUntilCondition(b -> b != null && b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "FailedValidation".equals(st.get("phase")), 10, TimeUnit.SECONDS);
            return name;
        }
    }

    private static void sleepPastTheSecond() {
        try {
            Thread.sleep(1100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
