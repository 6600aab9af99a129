package dev.dbstack.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The controller behaviour dbstack waits on, done the way the real controllers do it but
 * instantly: a StatefulSet gets one claim per replica and template ({@code <template>-<sts>-<n>})
 * and Pods that are Ready at once, a Deployment becomes Available. Deletes cascade as in
 * Kubernetes, through ownerReferences and the garbage collector ({@link SandboxDispatcher#collectGarbage},
 * run on every tick): Pods are owned by their StatefulSet, claims only under
 * {@code persistentVolumeClaimRetentionPolicy.whenDeleted: Delete}. What an orphaning delete leaves
 * is adopted by the next StatefulSet of that name. A claim created directly (a container's volume) is
 * bound at once, as a dynamic provisioner would. No container runs.
 *
 * <p>For tests and benchmarks a workload's readiness can be held back ({@link #holdReadiness}): its
 * pods exist, but its status reports no ready or available replicas until the hold lets go.
 */
final class SandboxControllers implements AutoCloseable {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final SandboxDispatcher dispatcher;
    private final ScheduledExecutorService loop;
    private volatile RuntimeException lastError;
    /** Held workloads by {@code namespace/name}: ready once the predicate accepts their age. */
    private final Map<String, Predicate<Duration>> holds = new ConcurrentHashMap<>();
    /** When the controllers first saw a held workload, by uid: its age counts from there. */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();

    SandboxControllers(KubernetesClient client, SandboxDispatcher dispatcher) {
        this.client = client;
        this.dispatcher = dispatcher;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-controllers");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the loop; only after a restore, which would otherwise be collected half-done (claims come before their owners). */
    void start() {
        loop.scheduleWithFixedDelay(this::reconcileAll, 0, 50, TimeUnit.MILLISECONDS);
    }

    /** The last reconcile failure, for tests and --verbose; the loop keeps going. */
    RuntimeException lastError() {
        return lastError;
    }

    /** See {@link Sandbox#holdReadiness}. */
    void holdReadiness(String namespace, String name, Predicate<Duration> readyAfter) {
        holds.put(namespace + "/" + name, readyAfter);
    }

    /** False while a hold keeps the workload from reporting ready replicas. */
    private boolean released(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        Predicate<Duration> hold = holds.get(meta.getNamespace() + "/" + meta.getName());
        if (hold == null) return true;
        long seen = firstSeen.computeIfAbsent(meta.getUid(), uid -> System.nanoTime());
        return hold.test(Duration.ofNanos(System.nanoTime() - seen));
    }

    synchronized void reconcileAll() {
        try {
            dispatcher.collectGarbage();
            for (PersistentVolumeClaim claim : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) bind(claim);
            for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
                try {
                    reconcile(sts);
                } catch (KubernetesClientException e) {
                    if (exists(sts)) throw e; // else it was deleted meanwhile, and what failed no longer matters
                }
            }
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) reconcile(d);
        } catch (KubernetesClientException e) {
            lastError = e; // a conflict with a concurrent write: the next tick retries
        } catch (RuntimeException e) {
            lastError = e;
        }
    }

    private void reconcile(StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName();
        int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        String revision = name + "-" + hash(SERIALIZATION.asJson(sts.getSpec().getTemplate()));

        for (int i = 0; i < replicas; i++) {
            for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
                ensureClaim(sts, template, i);
            }
            ensurePod(sts, i, revision);
        }
        boolean deleteOnScale = "Delete".equals(retention(sts, true));
        for (Pod pod : client.pods().inNamespace(ns).withLabel("statefulset.kubernetes.io/pod-name").list().getItems()) {
            int ordinal = ordinal(name, pod.getMetadata().getName());
            if (ordinal >= replicas && ownedBy(pod, sts)) {
                client.resource(pod).delete();
                if (deleteOnScale) deleteClaims(sts, ordinal);
            }
        }

        int ready = released(sts.getMetadata()) ? replicas : 0;
        StatefulSetStatus status = new StatefulSetStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(ready).withCurrentReplicas(replicas)
                .withUpdatedReplicas(replicas).withAvailableReplicas(ready)
                .withCurrentRevision(revision).withUpdateRevision(revision)
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .build();
        if (!status.equals(sts.getStatus())) {
            client.resource(new StatefulSetBuilder(sts).withStatus(status).build()).updateStatus();
        }
    }

    /** As in Kubernetes, a claim is the StatefulSet's (collected with it) only under {@code whenDeleted: Delete}. */
    private void ensureClaim(StatefulSet sts, PersistentVolumeClaim template, int ordinal) {
        String ns = sts.getMetadata().getNamespace();
        String claimName = template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
        boolean owned = "Delete".equals(retention(sts, false));
        var resource = client.persistentVolumeClaims().inNamespace(ns).withName(claimName);
        PersistentVolumeClaim existing = resource.get();
        if (existing != null) {
            List<OwnerReference> refs = existing.getMetadata().getOwnerReferences() == null ? List.of()
                    : existing.getMetadata().getOwnerReferences();
            List<OwnerReference> others = refs.stream().filter(o -> !Objects.equals(o.getUid(), sts.getMetadata().getUid())).toList();
            if (owned != (others.size() < refs.size())) { // the policy changed, or an orphaning delete released it
                List<OwnerReference> wanted = new java.util.ArrayList<>(others);
                if (owned) wanted.add(claimOwner(sts));
                setOwners(resource, wanted);
            }
            return;
        }
        Map<String, String> labels = new TreeMap<>(sts.getSpec().getSelector().getMatchLabels());
        if (template.getMetadata().getLabels() != null) labels.putAll(template.getMetadata().getLabels());
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(claimName).withNamespace(ns).withLabels(labels)
                .withOwnerReferences(owned ? List.of(claimOwner(sts)) : List.of()).endMetadata()
                .withSpec(template.getSpec())
                .editSpec().withStorageClassName(Objects.requireNonNullElse(template.getSpec().getStorageClassName(),
                        Sandbox.DEFAULT_STORAGE_CLASS)).endSpec()
                .withNewStatus().withPhase("Bound").withCapacity(template.getSpec().getResources().getRequests()).endStatus()
                .build();
        client.resource(claim).create();
    }

    private void ensurePod(StatefulSet sts, int ordinal, String revision) {
        String ns = sts.getMetadata().getNamespace();
        String podName = sts.getMetadata().getName() + "-" + ordinal;
        Pod existing = client.pods().inNamespace(ns).withName(podName).get();
        OwnerReference owner = owner(sts);
        if (existing != null) {
            String podRevision = existing.getMetadata().getLabels() == null ? null
                    : existing.getMetadata().getLabels().get("controller-revision-hash");
            if (revision.equals(podRevision)) {
                if (!ownedBy(existing, sts)) { // adopt a pod an orphaning delete left behind
                    setOwners(client.pods().inNamespace(ns).withName(podName), List.of(owner));
                }
                return;
            }
            client.resource(existing).withGracePeriod(0).delete(); // rolling update: replace the pod
        }
        Map<String, String> labels = new TreeMap<>();
        if (sts.getSpec().getTemplate().getMetadata().getLabels() != null) {
            labels.putAll(sts.getSpec().getTemplate().getMetadata().getLabels());
        }
        labels.put("controller-revision-hash", revision);
        labels.put("statefulset.kubernetes.io/pod-name", podName);
        PodSpecBuilder spec = new PodSpecBuilder(sts.getSpec().getTemplate().getSpec());
        for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
            spec.addNewVolume().withName(t.getMetadata().getName()).withNewPersistentVolumeClaim()
                    .withClaimName(t.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal)
                    .endPersistentVolumeClaim().endVolume();
        }
        PodSpec podSpec = spec.withHostname(podName).withSubdomain(sts.getSpec().getServiceName()).build();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(ns).withLabels(labels).withOwnerReferences(owner).endMetadata()
                .withSpec(podSpec)
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .withContainerStatuses(podSpec.getContainers().stream().map(c -> new ContainerStatusBuilder()
                        .withName(c.getName()).withImage(c.getImage()).withReady(true).withStarted(true).build()).toList())
                .endStatus()
                .build();
        client.resource(pod).create();
    }

    private void reconcile(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        boolean released = released(d.getMetadata());
        int ready = released ? replicas : 0;
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready).withUpdatedReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .addNewCondition().withType("Available").withStatus(released ? "True" : "False")
                .withReason(released ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable").endCondition()
                .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable").endCondition()
                .build();
        if (!status.equals(d.getStatus())) {
            client.resource(new DeploymentBuilder(d).withStatus(status).build()).updateStatus();
        }
    }

    /** A claim nobody has bound yet (one dbstack created itself) is bound with the capacity it asks for. */
    private void bind(PersistentVolumeClaim claim) {
        if (claim.getStatus() != null && claim.getStatus().getPhase() != null) return;
        var requests = claim.getSpec() == null || claim.getSpec().getResources() == null ? null
                : claim.getSpec().getResources().getRequests();
        client.resource(new PersistentVolumeClaimBuilder(claim).withNewStatus().withPhase("Bound").withCapacity(requests)
                .endStatus().build()).updateStatus();
    }

    private boolean exists(StatefulSet sts) {
        StatefulSet live = client.apps().statefulSets().inNamespace(sts.getMetadata().getNamespace())
                .withName(sts.getMetadata().getName()).get();
        return live != null && Objects.equals(live.getMetadata().getUid(), sts.getMetadata().getUid());
    }

    /** A merge patch without resourceVersion: the controllers' own status writes must not make it conflict. */
    private static void setOwners(Resource<?> target, List<OwnerReference> owners) {
        // Built by hand: fabric8's serializer drops empty lists, and "null" is how a merge patch removes a field.
        String json = "{\"metadata\":{\"ownerReferences\":"
                + (owners.isEmpty() ? "null" : SERIALIZATION.asJson(owners)) + "}}";
        target.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
    }

    private void deleteClaims(StatefulSet sts, int ordinal) {
        for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
            client.persistentVolumeClaims().inNamespace(sts.getMetadata().getNamespace())
                    .withName(t.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal).delete();
        }
    }

    /** {@code whenScaled} or {@code whenDeleted}; Kubernetes' default for both is Retain. */
    private static String retention(StatefulSet sts, boolean scaled) {
        var policy = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
        if (policy == null) return "Retain";
        String value = scaled ? policy.getWhenScaled() : policy.getWhenDeleted();
        return value == null ? "Retain" : value;
    }

    private static OwnerReference owner(StatefulSet sts) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** Not a controller reference: the StatefulSet controller sets a plain one on the claims it may delete. */
    private static OwnerReference claimOwner(StatefulSet sts) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid()).build();
    }

    private static boolean ownedBy(Pod pod, StatefulSet sts) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Objects.equals(o.getUid(), sts.getMetadata().getUid()));
    }

    /** The ordinal of {@code <sts>-<n>}, or -1 when the pod is not one of this StatefulSet's. */
    private static int ordinal(String sts, String pod) {
        if (!pod.startsWith(sts + "-")) return -1;
        String rest = pod.substring(sts.length() + 1);
        return rest.matches("\\d+") ? Integer.parseInt(rest) : -1;
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
