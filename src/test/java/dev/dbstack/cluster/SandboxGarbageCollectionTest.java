package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deletes cascade as in Kubernetes: through ownerReferences and a garbage collector that works
 * from what is stored, so a cascade a close or a kill interrupted is finished by the next start.
 * Everything through the real fabric8 client; waits poll with a deadline.
 */
class SandboxGarbageCollectionTest {
    private static final String NS = "shop";

    @ParameterizedTest(name = "propagation {0}")
    @ValueSource(strings = {"Background", "Foreground", "none sent"})
    void aCascadingDeleteCollectsThePodsAndKeepsTheClaims(String policy) throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            createNamespace(client);
            client.resource(statefulSet("db", 2, null)).create();
            client.resource(statefulSet("other", 1, null)).create();
            Map<String, String> otherPods = awaitPods(client, "other", 1);
            awaitPods(client, "db", 2);
            assertThat(claims(client, "db")).hasSize(2)
                    .allSatisfy(c -> assertThat(c.getMetadata().getOwnerReferences()).as("Retain: not the StatefulSet's").isNullOrEmpty());

            if (policy.equals("none sent")) {
                deleteWithoutOptions(client, "db");
            } else {
                client.apps().statefulSets().inNamespace(NS).withName("db")
                        .withPropagationPolicy(DeletionPropagation.valueOf(policy.toUpperCase())).delete();
            }

            eventually(() -> pods(client, "db").isEmpty());
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("db").get()).isNull();
            assertThat(claims(client, "db")).hasSize(2);
            assertThat(uids(pods(client, "other"))).as("another StatefulSet's pods are not touched").isEqualTo(otherPods);
            assertThat(sandbox.controllerError()).isNull();
        }
    }

    @Test
    void anOrphaningDeleteReleasesThePodsBeforeTheOwnerGoesAndTheNextStatefulSetAdoptsThem() {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            createNamespace(client);
            client.resource(statefulSet("db", 2, "Delete")).create();
            Map<String, String> pods = awaitPods(client, "db", 2);
            Map<String, String> claims = uids(claims(client, "db"));

            client.apps().statefulSets().inNamespace(NS).withName("db")
                    .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
            // Acknowledged means done: the owner is gone and nothing names it any more.
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("db").get()).isNull();
            assertThat(pods(client, "db")).hasSize(2).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty());
            assertThat(claims(client, "db")).hasSize(2).allSatisfy(c -> assertThat(c.getMetadata().getOwnerReferences()).isNullOrEmpty());

            // Another StatefulSet's pod appearing proves the controllers (garbage collection first) have run since.
            client.resource(statefulSet("marker", 1, null)).create();
            awaitPods(client, "marker", 1);
            assertThat(uids(pods(client, "db"))).as("orphans are not garbage").isEqualTo(pods);

            client.resource(statefulSet("db", 2, "Delete")).create();
            String owner = client.apps().statefulSets().inNamespace(NS).withName("db").get().getMetadata().getUid();
            eventually(() -> pods(client, "db").stream().allMatch(p -> ownerUids(p).equals(List.of(owner)))
                    && claims(client, "db").stream().allMatch(c -> ownerUids(c).equals(List.of(owner))));
            assertThat(uids(pods(client, "db"))).as("the same pods, adopted, not replaced").isEqualTo(pods);
            assertThat(uids(claims(client, "db"))).isEqualTo(claims);
            assertThat(sandbox.controllerError()).isNull();
        }
    }

    @Test
    void claimsAreCollectedWithTheirStatefulSetOnlyUnderWhenDeletedDelete() {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            createNamespace(client);
            client.resource(statefulSet("db", 2, "Delete")).create();
            client.resource(statefulSet("kept", 1, "Retain")).create();
            awaitPods(client, "db", 2);
            awaitPods(client, "kept", 1);
            String owner = client.apps().statefulSets().inNamespace(NS).withName("db").get().getMetadata().getUid();
            eventually(() -> claims(client, "db").size() == 2);
            assertThat(claims(client, "db")).allSatisfy(c -> assertThat(ownerUids(c)).containsExactly(owner));

            client.apps().statefulSets().inNamespace(NS).withName("db").delete();
            client.apps().statefulSets().inNamespace(NS).withName("kept").delete();
            eventually(() -> pods(client, "db").isEmpty() && claims(client, "db").isEmpty() && pods(client, "kept").isEmpty());
            assertThat(claims(client, "kept")).hasSize(1);
        }
    }

    /**
     * A dependent of an owner that is gone is garbage, as in Kubernetes: the API server accepts it, and
     * the collector takes it. (The controllers cannot make anything name a gone owner: they reconcile
     * under the store's lock, so an orphaning delete cannot come between what they read and what they write.)
     */
    @Test
    void anObjectNamingAnOwnerThatIsGoneIsCollected() {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            createNamespace(client);
            Pod dangling = new PodBuilder().withNewMetadata().withName("dangling").withNamespace(NS)
                    .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName("gone").withUid("no-such-uid")
                    .endOwnerReference().endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
            client.resource(dangling).create();
            eventually(() -> client.pods().inNamespace(NS).withName("dangling").get() == null);
        }
    }

    @Test
    void aDeleteRightBeforeCloseIsFinishedByTheNextStart(@TempDir Path dir) {
        Map<String, String> otherPods;
        Map<String, String> claims;
        try (Sandbox first = Sandbox.start(dir)) {
            KubernetesClient client = first.client();
            createNamespace(client);
            client.resource(statefulSet("db", 3, null)).create();
            client.resource(statefulSet("other", 1, null)).create();
            awaitPods(client, "db", 3);
            otherPods = awaitPods(client, "other", 1);
            claims = uids(claims(client, "db"));
            client.apps().statefulSets().inNamespace(NS).withName("db").delete();
        }
        try (Sandbox second = Sandbox.start(dir)) {
            KubernetesClient client = second.client();
            eventually(() -> pods(client, "db").isEmpty());
            assertThat(uids(claims(client, "db"))).isEqualTo(claims);
            assertThat(uids(pods(client, "other"))).as("a restart keeps uids, so live owners keep their pods")
                    .isEqualTo(otherPods);
        }
    }

    /** The state on disk right after a kill that hit between the owner's delete and the first collection. */
    @Test
    void aCascadeThatNeverStartedIsFinishedByTheNextStart(@TempDir Path dir) {
        StatefulSet db;
        try (Sandbox first = Sandbox.start(dir)) {
            KubernetesClient client = first.client();
            createNamespace(client);
            client.resource(statefulSet("db", 2, "Delete")).create();
            awaitPods(client, "db", 2);
            eventually(() -> claims(client, "db").size() == 2);
            db = client.apps().statefulSets().inNamespace(NS).withName("db").get();
        }
        new SandboxStore(dir).record(new SandboxObjects.Change("DELETED", "apps/statefulsets",
                new KubernetesSerialization().convertValue(db, com.fasterxml.jackson.databind.node.ObjectNode.class), 0));
        try (Sandbox second = Sandbox.start(dir)) {
            KubernetesClient client = second.client();
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("db").get()).isNull();
            // Collected during start, before it answers anything.
            assertThat(pods(client, "db")).isEmpty();
            assertThat(claims(client, "db")).isEmpty();
        }
    }

    @Test
    void orphansStayOrphansAcrossARestart(@TempDir Path dir) {
        Map<String, String> pods;
        try (Sandbox first = Sandbox.start(dir)) {
            KubernetesClient client = first.client();
            createNamespace(client);
            client.resource(statefulSet("db", 2, "Delete")).create();
            pods = awaitPods(client, "db", 2);
            eventually(() -> claims(client, "db").size() == 2);
            client.apps().statefulSets().inNamespace(NS).withName("db")
                    .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        }
        try (Sandbox second = Sandbox.start(dir)) {
            KubernetesClient client = second.client();
            client.resource(statefulSet("marker", 1, null)).create();
            awaitPods(client, "marker", 1); // the controllers have run since the restart
            assertThat(uids(pods(client, "db"))).isEqualTo(pods);
            assertThat(pods(client, "db")).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty());
            assertThat(claims(client, "db")).hasSize(2);
        }
    }

    @Test
    void aBurstOfDeletesThenCloseLeavesNoPodAfterTheRestart(@TempDir Path dir) {
        List<String> names = IntStream.range(0, 6).mapToObj(i -> "db" + i).toList();
        Map<String, String> kept;
        try (Sandbox first = Sandbox.start(dir)) {
            KubernetesClient client = first.client();
            createNamespace(client);
            names.forEach(n -> client.resource(statefulSet(n, 2, null)).create());
            client.resource(statefulSet("kept", 1, null)).create();
            names.forEach(n -> awaitPods(client, n, 2));
            kept = awaitPods(client, "kept", 1);
            names.forEach(n -> client.apps().statefulSets().inNamespace(NS).withName(n).delete());
        }
        try (Sandbox second = Sandbox.start(dir)) {
            KubernetesClient client = second.client();
            eventually(() -> names.stream().allMatch(n -> pods(client, n).isEmpty()));
            assertThat(names).allSatisfy(n -> assertThat(claims(client, n)).hasSize(2));
            assertThat(uids(pods(client, "kept"))).isEqualTo(kept);
        }
    }

    @Test
    void aKilledProcessLeavesNoPodOfAStatefulSetItDeleted(@TempDir Path dir) throws Exception {
        killAfterDeleting(dir, "BACKGROUND");
        try (Sandbox after = Sandbox.start(dir)) {
            KubernetesClient client = after.client();
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("db").get()).isNull();
            eventually(() -> pods(client, "db").isEmpty());
            assertThat(claims(client, "db")).hasSize(3);
        }
    }

    /** The journal, not only the snapshot a clean close writes, has the released pods before the owner's delete. */
    @Test
    void aKilledProcessKeepsThePodsItOrphaned(@TempDir Path dir) throws Exception {
        killAfterDeleting(dir, "ORPHAN");
        try (Sandbox after = Sandbox.start(dir)) {
            KubernetesClient client = after.client();
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("db").get()).isNull();
            client.resource(statefulSet("marker", 1, null)).create();
            awaitPods(client, "marker", 1); // the controllers have run since the restart
            assertThat(pods(client, "db")).hasSize(3).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty());
        }
    }

    /** Runs {@link SandboxProcess} until it has deleted StatefulSet {@code db} with {@code policy}, then kills it. */
    private static void killAfterDeleting(Path dir, String policy) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SandboxProcess.class.getName(), dir.toString(), "delete-statefulset", policy)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("deleted"));
            assertThat(line).as("the child process deleted the StatefulSet").isEqualTo("deleted");
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    // --- helpers, also used by SandboxProcess

    static void createNamespace(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }

    /** A small StatefulSet in {@code shop} with a {@code data} claim template; {@code whenDeleted} null means not set. */
    static StatefulSet statefulSet(String name, int replicas, String whenDeleted) {
        StatefulSetBuilder b = new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(name)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .endVolumeClaimTemplate()
                .endSpec();
        if (whenDeleted != null) {
            b.editSpec().withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(whenDeleted).withWhenScaled("Retain")
                    .endPersistentVolumeClaimRetentionPolicy().endSpec();
        }
        return b.build();
    }

    /** Waits for the StatefulSet's {@code n} pods; their uids by name. */
    static Map<String, String> awaitPods(KubernetesClient client, String sts, int n) {
        eventually(() -> pods(client, sts).size() == n);
        return uids(pods(client, sts));
    }

    static List<Pod> pods(KubernetesClient client, String sts) {
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().matches(java.util.regex.Pattern.quote(sts) + "-\\d+")).toList();
    }

    private static List<PersistentVolumeClaim> claims(KubernetesClient client, String sts) {
        return client.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(c -> c.getMetadata().getName().matches("data-" + java.util.regex.Pattern.quote(sts) + "-\\d+")).toList();
    }

    private static Map<String, String> uids(List<? extends HasMetadata> objects) {
        return objects.stream().collect(Collectors.toMap(o -> o.getMetadata().getName(), o -> o.getMetadata().getUid()));
    }

    private static List<String> ownerUids(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs.stream().map(OwnerReference::getUid).toList();
    }

    /** A DELETE with no DeleteOptions at all (fabric8 always sends some), so the API server's default applies. */
    private static void deleteWithoutOptions(KubernetesClient client, String sts) throws Exception {
        URI uri = URI.create(client.getMasterUrl() + "apis/apps/v1/namespaces/" + NS + "/statefulsets/" + sts);
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(uri).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    /** Polls with GETs until the condition holds; fails after a generous deadline, never on how fast it was. */
    static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 15 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
