package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.ExampleStack;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SandboxControllersTest extends SandboxTestBase {
    private List<HasMetadata> rendered(String layer) {
        return ExampleStack.objects(layer);
    }

    private StatefulSet awaitReady(String name) {
        return client.apps().statefulSets().inNamespace("shop").withName(name).waitUntilCondition(s -> s != null
                && s.getStatus() != null && s.getSpec().getReplicas().equals(s.getStatus().getReadyReplicas())
                && s.getStatus().getCurrentRevision() != null
                && s.getStatus().getCurrentRevision().equals(s.getStatus().getUpdateRevision())
                && s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration()), 10, TimeUnit.SECONDS);
    }

    /** Polls with GETs: a watch-based wait does not reliably report a deletion in the mock. */
    private static void eventually(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 5 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void statefulSetsGetClaimsAndReadyPodsAndDeploymentsBecomeAvailable() {
        rendered("postgresql-1").forEach(o -> client.resource(o).create());
        rendered("api").forEach(o -> client.resource(o).create());

        StatefulSet sts = awaitReady("postgresql-1");
        assertThat(sts.getStatus().getReplicas()).isEqualTo(1);
        var claim = client.persistentVolumeClaims().inNamespace("shop").withName("data-postgresql-1-0").get();
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo(Sandbox.DEFAULT_STORAGE_CLASS);
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        Pod pod = client.pods().inNamespace("shop").withName("postgresql-1-0").get();
        assertThat(pod.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));

        Deployment api = client.apps().deployments().inNamespace("shop").withName("api").waitUntilCondition(d -> d != null
                && d.getStatus() != null && d.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Available") && c.getStatus().equals("True")), 10, TimeUnit.SECONDS);
        assertThat(api.getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(sandbox.controllerError()).isNull();
    }

    @Test
    void anOrphaningDeleteKeepsPodsAndClaimsAndTheNextStatefulSetAdoptsThem() {
        rendered("postgresql-1").forEach(o -> client.resource(o).create());
        StatefulSet first = awaitReady("postgresql-1");
        String podUid = client.pods().inNamespace("shop").withName("postgresql-1-0").get().getMetadata().getUid();

        client.apps().statefulSets().inNamespace("shop").withName("postgresql-1")
                .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        eventually(() -> client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get() == null);
        // Done by the time the delete is acknowledged in the sandbox; polled all the same, as on a real cluster.
        eventually(() -> {
            Pod p = client.pods().inNamespace("shop").withName("postgresql-1-0").get();
            return p != null && (p.getMetadata().getOwnerReferences() == null || p.getMetadata().getOwnerReferences().isEmpty());
        });
        assertThat(client.persistentVolumeClaims().inNamespace("shop").withName("data-postgresql-1-0").get()).isNotNull();

        StatefulSet again = new StatefulSetBuilder(first).withNewMetadataLike(first.getMetadata()).withResourceVersion(null)
                .withUid(null).endMetadata().withStatus(null).build();
        client.resource(again).create();
        StatefulSet adopted = awaitReady("postgresql-1");
        eventually(() -> client.pods().inNamespace("shop").withName("postgresql-1-0").get().getMetadata().getOwnerReferences()
                .stream().anyMatch(o -> o.getUid().equals(adopted.getMetadata().getUid())));
        assertThat(client.pods().inNamespace("shop").withName("postgresql-1-0").get().getMetadata().getUid())
                .as("same pod, not restarted").isEqualTo(podUid);

        client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").delete(); // background: pods go, claims stay
        eventually(() -> client.pods().inNamespace("shop").withName("postgresql-1-0").get() == null);
        assertThat(client.persistentVolumeClaims().inNamespace("shop").withName("data-postgresql-1-0").get()).isNotNull();
    }
}
