package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.ShopStack;
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
        return ShopStack.objects(layer);
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

    @Test
    void aClaimCreatedDirectlyIsBoundOnce() throws InterruptedException {
        client.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName("files")
                .withNamespace("shop").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build()).create();
        var claim = client.persistentVolumeClaims().inNamespace("shop").withName("files");
        eventually(() -> claim.get().getStatus() != null && "Bound".equals(claim.get().getStatus().getPhase()));
        assertThat(claim.get().getStatus().getCapacity()).containsEntry("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"));
        String version = claim.get().getMetadata().getResourceVersion();
        Thread.sleep(300); // several ticks
        assertThat(claim.get().getMetadata().getResourceVersion()).as("bound once, not rewritten every tick").isEqualTo(version);
    }

    @Test
    void aHeldWorkloadReportsNoReadyReplicasUntilTheHoldLetsGo() throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
        sandbox.holdReadiness("shop", "postgresql-1", age -> go.get());
        sandbox.holdReadiness("shop", "api", age -> age.toMillis() >= 200);
        rendered("postgresql-1").forEach(o -> client.resource(o).create());
        rendered("api").forEach(o -> client.resource(o).create());
        var sts = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1");
        eventually(() -> sts.get().getStatus() != null && sts.get().getStatus().getReplicas() == 1);
        Thread.sleep(300);
        assertThat(sts.get().getStatus().getReadyReplicas()).isZero();
        assertThat(client.pods().inNamespace("shop").withName("postgresql-1-0").get()).as("its pods exist").isNotNull();
        var api = client.apps().deployments().inNamespace("shop").withName("api");
        eventually(() -> api.get().getStatus() != null && Integer.valueOf(2).equals(api.get().getStatus().getAvailableReplicas()));

        go.set(true);
        assertThat(awaitReady("postgresql-1").getStatus().getReadyReplicas()).isEqualTo(1);
    }

    private static io.fabric8.kubernetes.api.model.batch.v1.Job job(String name) {
        return new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                .withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("OnFailure")
                .addNewContainer().withName("once").withImage("busybox").withCommand("true").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private io.fabric8.kubernetes.api.model.batch.v1.Job awaitComplete(String name) {
        return client.batch().v1().jobs().inNamespace("shop").withName(name).waitUntilCondition(j -> j != null
                && j.getStatus() != null && j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True")), 10, TimeUnit.SECONDS);
    }

    @Test
    void aJobSucceedsOnceReleased() {
        java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean(false);
        sandbox.holdReadiness("shop", "held", age -> go.get());
        client.resource(job("once")).create();
        client.resource(job("held")).create();

        var once = awaitComplete("once");
        assertThat(once.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(once.getStatus().getCompletionTime()).isNotNull();
        var held = client.batch().v1().jobs().inNamespace("shop").withName("held").get();
        assertThat(held.getStatus() == null || held.getStatus().getSucceeded() == null).isTrue();

        go.set(true);
        assertThat(awaitComplete("held").getStatus().getSucceeded()).isEqualTo(1);
        assertThat(sandbox.controllerError()).isNull();
    }
}
