package dev.dbstack.cli;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.VeleroCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Backups in a test project's on-disk sandbox (which comes with Velero): fired from the Schedule `up` rendered for an
 * app, or made to fail validation.
 */
final class VeleroFixture {
    static final String NS = VeleroCrds.NAMESPACE;

    private VeleroFixture() {}

    static Sandbox sandbox(Path projectDir) {
        return Sandbox.start(projectDir.resolve(".dbstack/sandbox"));
    }

    /** Fires the app's Schedule (which `up` rendered); returns the Backup's name once it is Completed. */
    static String backup(Path projectDir, String stack, String app, String namespace) {
        try (Sandbox s = sandbox(projectDir)) {
            var schedules = s.client().genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(NS);
            if (schedules.withName(namespace).get() == null) throw new IllegalStateException("no Schedule of app " + app + ": run up first");
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
        return labelledBackup(projectDir, stack, app, name, Map.of("storageLocation", "nowhere"), "FailedValidation");
    }

    /** A Backup of {@code namespace} made by hand (not from a Schedule), labelled as {@code app}'s; once Completed. */
    static String manualBackup(Path projectDir, String stack, String app, String namespace, String name) {
        return labelledBackup(projectDir, stack, app, name, Map.of("storageLocation", "default",
                "includedNamespaces", java.util.List.of(namespace)), "Completed");
    }

    private static String labelledBackup(Path projectDir, String stack, String app, String name, Map<String, Object> spec,
                                         String phase) {
        try (Sandbox s = sandbox(projectDir)) {
            s.client().resource(new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Backup")
                    .withNewMetadata().withName(name).withNamespace(NS).withLabels(Labels.app(stack, app)).endMetadata()
                    .withAdditionalProperties(Map.of("spec", spec)).build()).create();
            s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName(name)
                    .waitUntilCondition(b -> b != null && b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && phase.equals(st.get("phase")), 10, TimeUnit.SECONDS);
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
