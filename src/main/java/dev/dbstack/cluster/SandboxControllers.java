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
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller behaviour dbstack waits on, done the way the real controllers do it but
 * instantly: a StatefulSet gets one claim per replica and template ({@code <template>-<sts>-<n>})
 * and Pods that are Ready at once, a Deployment becomes Available. Pods and claims survive an
 * orphaning delete and are adopted by the next StatefulSet of that name; claims are deleted only
 * where {@code persistentVolumeClaimRetentionPolicy} says so. No container runs.
 */
final class SandboxControllers implements AutoCloseable {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final ScheduledExecutorService loop;
    /** Last seen StatefulSets, for what a delete must cascade to after the object is gone. */
    private final Map<String, StatefulSet> seen = new ConcurrentHashMap<>();
    private volatile RuntimeException lastError;

    SandboxControllers(KubernetesClient client, SandboxDispatcher dispatcher) {
        this.client = client;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-controllers");
            t.setDaemon(true);
            return t;
        });
        // The dispatcher calls back while it serves the DELETE; cascading through HTTP from inside
        // that request would wait on itself, so the garbage collection runs on the controller thread.
        dispatcher.onStatefulSetDelete((path, policy) -> loop.execute(() -> statefulSetDeleted(path, policy)));
        loop.scheduleWithFixedDelay(this::reconcileAll, 0, 50, TimeUnit.MILLISECONDS);
    }

    /** The last reconcile failure, for tests and --verbose; the loop keeps going. */
    RuntimeException lastError() {
        return lastError;
    }

    synchronized void reconcileAll() {
        try {
            for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().list().getItems()) reconcile(sts);
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
        seen.put(ns + "/" + name, sts);
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

        StatefulSetStatus status = new StatefulSetStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(replicas).withCurrentReplicas(replicas)
                .withUpdatedReplicas(replicas).withAvailableReplicas(replicas)
                .withCurrentRevision(revision).withUpdateRevision(revision)
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .build();
        if (!status.equals(sts.getStatus())) {
            client.resource(new StatefulSetBuilder(sts).withStatus(status).build()).updateStatus();
        }
    }

    private void ensureClaim(StatefulSet sts, PersistentVolumeClaim template, int ordinal) {
        String ns = sts.getMetadata().getNamespace();
        String claimName = template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
        if (client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get() != null) return;
        Map<String, String> labels = new TreeMap<>(sts.getSpec().getSelector().getMatchLabels());
        if (template.getMetadata().getLabels() != null) labels.putAll(template.getMetadata().getLabels());
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(claimName).withNamespace(ns).withLabels(labels).endMetadata()
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
                    setOwners(ns, podName, List.of(owner));
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
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).withUpdatedReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .addNewCondition().withType("Available").withStatus("True").withReason("MinimumReplicasAvailable").endCondition()
                .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable").endCondition()
                .build();
        if (!status.equals(d.getStatus())) {
            client.resource(new DeploymentBuilder(d).withStatus(status).build()).updateStatus();
        }
    }

    /** What the garbage collector does after a StatefulSet is deleted with {@code policy}. */
    private synchronized void statefulSetDeleted(String path, String policy) {
        try {
            cascade(path, policy);
        } catch (RuntimeException e) {
            lastError = e;
            loop.schedule(() -> statefulSetDeleted(path, policy), 100, TimeUnit.MILLISECONDS); // as the real GC: retry
        }
    }

    private void cascade(String path, String policy) {
        String[] parts = path.split("\\?")[0].split("/");
        String ns = parts[parts.length - 3];
        String name = parts[parts.length - 1];
        StatefulSet last = seen.remove(ns + "/" + name);
        for (Pod pod : client.pods().inNamespace(ns).withLabel("statefulset.kubernetes.io/pod-name").list().getItems()) {
            if (ordinal(name, pod.getMetadata().getName()) < 0) continue;
            if ("Orphan".equals(policy)) {
                setOwners(ns, pod.getMetadata().getName(), List.of());
            } else {
                client.resource(pod).withGracePeriod(0).delete();
            }
        }
        if (last != null && !"Orphan".equals(policy) && "Delete".equals(retention(last, false))) {
            int replicas = last.getSpec().getReplicas() == null ? 1 : last.getSpec().getReplicas();
            for (int i = 0; i < replicas; i++) deleteClaims(last, i);
        }
    }

    /** A merge patch without resourceVersion: the controllers' own status writes must not make it conflict. */
    private void setOwners(String ns, String pod, List<OwnerReference> owners) {
        // Built by hand: fabric8's serializer drops empty lists, and "null" is how a merge patch removes a field.
        String json = "{\"metadata\":{\"ownerReferences\":"
                + (owners.isEmpty() ? "null" : SERIALIZATION.asJson(owners)) + "}}";
        client.pods().inNamespace(ns).withName(pod)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
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
