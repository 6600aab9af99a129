package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
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
 * and Pods that are Ready at once, a Deployment becomes Available, a claim created directly (a
 * container's volume) is bound, as a dynamic provisioner would. No container runs.
 *
 * <p>Driven by the store's changes, like the real controllers by their watches: a change to a
 * StatefulSet, one of its Pods, a Deployment or an unbound claim queues that one object for a
 * reconcile; nothing is relisted. A reconcile runs under the store's lock, so what it reads is what
 * it writes against, and a reconcile that finds everything as it should be writes nothing.
 * Deletes cascade in {@link SandboxApi} (the garbage collector). Claims are the StatefulSet's
 * (collected with it) only under {@code persistentVolumeClaimRetentionPolicy.whenDeleted: Delete};
 * what an orphaning delete leaves is adopted by the next StatefulSet of that name.
 *
 * <p>Once Velero's CRDs are installed, {@link SandboxVelero} plays Velero's server for its
 * {@code velero.io/v1} objects, driven by their changes the same way.
 *
 * <p>For tests and benchmarks a workload's readiness can be held back ({@link #holdReadiness}): its
 * pods exist, but its status reports no ready or available replicas until the hold lets go.
 */
final class SandboxControllers implements AutoCloseable {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String STATEFUL_SETS = "apps/statefulsets";
    private static final String DEPLOYMENTS = "apps/deployments";
    private static final String JOBS = "batch/jobs";
    private static final String PODS = "/pods";
    private static final String CLAIMS = "/persistentvolumeclaims";
    /** Queue prefix of an object whose owners are all gone: the garbage collector's, not a controller's. */
    private static final String GARBAGE = "gc:";

    private final SandboxApi api;
    private final SandboxObjects objects;
    private final SandboxVelero velero;
    /** Objects to reconcile, {@code type|namespace|name}, in the order their changes came; each once. */
    private final LinkedHashSet<String> queue = new LinkedHashSet<>();
    private final ScheduledExecutorService loop;
    private volatile boolean running;
    private volatile RuntimeException lastError;
    /** Held workloads by {@code namespace/name}: ready once the predicate accepts their age. */
    private final Map<String, Predicate<Duration>> holds = new ConcurrentHashMap<>();
    /** How long every workload takes to become ready (see {@link Sandbox#READY_AFTER}); zero: at once. */
    private final Duration readyAfter = Sandbox.readyAfter();
    /** When the controllers first saw a held workload, by uid: its age counts from there. */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();

    SandboxControllers(SandboxApi api) {
        this.api = api;
        this.objects = api.objects();
        this.velero = new SandboxVelero(api);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-controllers");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts reconciling: once everything that may need it (what a restore brought back), then each
     * object as it changes. Only after a restore, which puts objects back without events.
     */
    void start() {
        objects.listen(this::changed);
        objects.locked(() -> {
            objects.list(STATEFUL_SETS, null).forEach(o -> enqueue(STATEFUL_SETS, o));
            objects.list(DEPLOYMENTS, null).forEach(o -> enqueue(DEPLOYMENTS, o));
            objects.list(JOBS, null).forEach(o -> enqueue(JOBS, o));
            objects.list(CLAIMS, null).forEach(o -> enqueue(CLAIMS, o));
            SandboxVelero.TYPES.forEach(t -> objects.list(t, null).forEach(o -> enqueue(t, o)));
            return null;
        });
        running = true;
        loop.execute(this::drain);
    }

    /** The last reconcile failure, for tests and --verbose; later changes are reconciled all the same. */
    RuntimeException lastError() {
        return lastError;
    }

    /** See {@link Sandbox#holdReadiness}. */
    void holdReadiness(String namespace, String name, Predicate<Duration> readyAfter) {
        holds.put(namespace + "/" + name, readyAfter);
        objects.locked(() -> {
            ObjectNode sts = objects.get(STATEFUL_SETS, namespace, name);
            if (sts != null) enqueue(STATEFUL_SETS, sts);
            ObjectNode d = objects.get(DEPLOYMENTS, namespace, name);
            if (d != null) enqueue(DEPLOYMENTS, d);
            return null;
        });
    }

    /** See {@link Sandbox#runSchedule}. */
    String runSchedule(String namespace, String name) {
        return objects.locked(() -> velero.runSchedule(namespace, name));
    }

    /** A store change, under its lock: queues what it concerns. */
    private void changed(SandboxObjects.Change c) {
        boolean deleted = c.action().equals("DELETED");
        if (!deleted && orphaned(c.object())) enqueue(GARBAGE + c.type(), c.object());
        switch (c.type()) {
            case STATEFUL_SETS, DEPLOYMENTS, JOBS -> {
                if (!deleted) enqueue(c.type(), c.object());
            }
            case PODS -> {
                String ns = c.object().path("metadata").path("namespace").asText();
                for (JsonNode r : c.object().path("metadata").path("ownerReferences")) {
                    if ("StatefulSet".equals(r.path("kind").asText())) enqueue(STATEFUL_SETS, ns, r.path("name").asText());
                }
            }
            case CLAIMS -> {
                if (!deleted && c.object().path("status").path("phase").isMissingNode()) enqueue(CLAIMS, c.object());
            }
            case SandboxVelero.BACKUPS, SandboxVelero.RESTORES, SandboxVelero.SCHEDULES, SandboxVelero.LOCATIONS -> {
                if (!deleted) enqueue(c.type(), c.object());
            }
            case SandboxCrds.TYPE -> {
                // Velero's CRDs installed after its objects were written (a restore): they are looked at now.
                String type = c.object().path("spec").path("group").asText() + "/" + c.object().path("spec").path("names").path("plural").asText();
                if (!deleted && SandboxVelero.TYPES.contains(type)) objects.list(type, null).forEach(o -> enqueue(type, o));
            }
            default -> { }
        }
    }

    private void enqueue(String type, JsonNode o) {
        enqueue(type, o.path("metadata").path("namespace").asText(), o.path("metadata").path("name").asText());
    }

    private void enqueue(String type, String namespace, String name) {
        boolean wake;
        synchronized (queue) {
            wake = queue.isEmpty();
            queue.add(type + "|" + namespace + "|" + name);
        }
        if (wake && running) loop.execute(this::drain);
    }

    /** Reconciles what is queued until nothing is. */
    private void drain() {
        while (running) {
            String next;
            synchronized (queue) {
                if (queue.isEmpty()) return;
                var it = queue.iterator();
                next = it.next();
                it.remove();
            }
            String[] k = next.split("\\|", 3);
            try {
                objects.locked(() -> {
                    reconcile(k[0], k[1], k[2]);
                    return null;
                });
            } catch (RuntimeException e) {
                lastError = e;
            }
        }
    }

    private void reconcile(String type, String namespace, String name) {
        if (type.startsWith(GARBAGE)) {
            String stored = type.substring(GARBAGE.length());
            ObjectNode o = objects.get(stored, namespace, name);
            if (o != null && orphaned(o)) api.collect(stored, o);
            return;
        }
        ObjectNode o = objects.get(type, namespace, name);
        if (o == null) return;
        switch (type) {
            case STATEFUL_SETS -> reconcile(SERIALIZATION.convertValue(o, StatefulSet.class));
            case DEPLOYMENTS -> reconcile(SERIALIZATION.convertValue(o, Deployment.class));
            case CLAIMS -> bind(o);
            case JOBS -> complete(o);
            case SandboxVelero.BACKUPS, SandboxVelero.RESTORES, SandboxVelero.SCHEDULES, SandboxVelero.LOCATIONS -> velero.reconcile(type, o,
                    () -> released(type, SERIALIZATION.convertValue(o.get("metadata"), ObjectMeta.class)));
            default -> { }
        }
    }

    /** Names owners and none of them exists: garbage, as Kubernetes' collector sees it. */
    private boolean orphaned(JsonNode o) {
        JsonNode refs = o.path("metadata").path("ownerReferences");
        if (refs.isEmpty()) return false;
        for (JsonNode r : refs) if (objects.hasUid(r.path("uid").asText())) return false;
        return true;
    }

    /** False while a hold keeps the workload from reporting ready replicas; then it is looked at again shortly. */
    private boolean released(String type, ObjectMeta meta) {
        Predicate<Duration> hold = holds.get(meta.getNamespace() + "/" + meta.getName());
        if (hold == null && !readyAfter.isZero()) hold = age -> age.compareTo(readyAfter) >= 0;
        if (hold == null) return true;
        long seen = firstSeen.computeIfAbsent(meta.getUid(), uid -> System.nanoTime());
        boolean released = hold.test(Duration.ofNanos(System.nanoTime() - seen));
        if (!released && running) {
            loop.schedule(() -> enqueue(type, meta.getNamespace(), meta.getName()), 50, TimeUnit.MILLISECONDS);
        }
        return released;
    }

    private void reconcile(StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName();
        int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        String revision = name + "-" + hash(SERIALIZATION.asJson(sts.getSpec().getTemplate()));

        for (int i = 0; i < replicas; i++) {
            for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) ensureClaim(sts, template, i);
            ensurePod(sts, i, revision);
        }
        boolean deleteOnScale = "Delete".equals(retention(sts, true));
        for (ObjectNode pod : objects.list(PODS, ns)) {
            if (!pod.path("metadata").path("labels").has("statefulset.kubernetes.io/pod-name")) continue;
            int ordinal = ordinal(name, pod.path("metadata").path("name").asText());
            if (ordinal >= replicas && ownedBy(pod, sts)) {
                check(api.delete(path(PODS, ns, pod.path("metadata").path("name").asText()), null));
                if (deleteOnScale) deleteClaims(sts, ordinal);
            }
        }

        int ready = released(STATEFUL_SETS, sts.getMetadata()) ? replicas : 0;
        StatefulSetStatus status = new StatefulSetStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(ready).withCurrentReplicas(replicas)
                .withUpdatedReplicas(replicas).withAvailableReplicas(ready)
                .withCurrentRevision(revision).withUpdateRevision(revision)
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .build();
        if (!status.equals(sts.getStatus())) setStatus(STATEFUL_SETS, ns, name, status);
    }

    /** As in Kubernetes, a claim is the StatefulSet's (collected with it) only under {@code whenDeleted: Delete}. */
    private void ensureClaim(StatefulSet sts, PersistentVolumeClaim template, int ordinal) {
        String ns = sts.getMetadata().getNamespace();
        String claimName = template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
        boolean owned = "Delete".equals(retention(sts, false));
        ObjectNode existing = objects.get(CLAIMS, ns, claimName);
        if (existing != null) {
            List<OwnerReference> refs = new ArrayList<>();
            for (JsonNode r : existing.path("metadata").path("ownerReferences")) refs.add(SERIALIZATION.convertValue(r, OwnerReference.class));
            List<OwnerReference> others = refs.stream().filter(o -> !Objects.equals(o.getUid(), sts.getMetadata().getUid())).toList();
            if (owned != (others.size() < refs.size())) { // the policy changed, or an orphaning delete released it
                List<OwnerReference> wanted = new ArrayList<>(others);
                if (owned) wanted.add(claimOwner(sts));
                setOwners(CLAIMS, ns, claimName, wanted);
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
        check(api.create(path(CLAIMS, ns, null), SERIALIZATION.convertValue(claim, ObjectNode.class)));
    }

    private void ensurePod(StatefulSet sts, int ordinal, String revision) {
        String ns = sts.getMetadata().getNamespace();
        String podName = sts.getMetadata().getName() + "-" + ordinal;
        ObjectNode existing = objects.get(PODS, ns, podName);
        OwnerReference owner = owner(sts);
        if (existing != null) {
            String podRevision = existing.path("metadata").path("labels").path("controller-revision-hash").asText(null);
            if (revision.equals(podRevision)) {
                if (!ownedBy(existing, sts)) setOwners(PODS, ns, podName, List.of(owner)); // adopt what an orphaning delete left
                return;
            }
            check(api.delete(path(PODS, ns, podName), null)); // rolling update: replace the pod
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
        check(api.create(path(PODS, ns, null), SERIALIZATION.convertValue(pod, ObjectNode.class)));
    }

    private void reconcile(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        boolean released = released(DEPLOYMENTS, d.getMetadata());
        int ready = released ? replicas : 0;
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready).withUpdatedReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .addNewCondition().withType("Available").withStatus(released ? "True" : "False")
                .withReason(released ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable").endCondition()
                .addNewCondition().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable").endCondition()
                .build();
        if (!status.equals(d.getStatus())) setStatus(DEPLOYMENTS, d.getMetadata().getNamespace(), d.getMetadata().getName(), status);
    }

    /**
     * A Job succeeds once, as soon as it is released (like a workload's readiness): {@code succeeded: 1} and the
     * {@code Complete} condition. No pod runs; a finished Job is left alone.
     */
    private void complete(ObjectNode job) {
        JsonNode status = job.path("status");
        if (status.path("succeeded").asInt(0) > 0 || status.path("failed").asInt(0) > 0) return;
        JsonNode meta = job.path("metadata");
        if (!released(JOBS, SERIALIZATION.convertValue(meta, ObjectMeta.class))) return;
        String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        ObjectNode body = job.deepCopy();
        ObjectNode done = SandboxApi.JSON.createObjectNode().put("succeeded", 1).put("startTime", now).put("completionTime", now);
        done.putArray("conditions").addObject().put("type", "Complete").put("status", "True")
                .put("lastProbeTime", now).put("lastTransitionTime", now);
        body.set("status", done);
        ((ObjectNode) body.get("metadata")).remove("resourceVersion");
        check(api.update(path(JOBS, meta.path("namespace").asText(), meta.path("name").asText()).status(), body));
    }

    /** A claim nobody has bound yet (one dbstack created itself) is bound with the capacity it asks for. */
    private void bind(ObjectNode claim) {
        if (!claim.path("status").path("phase").isMissingNode()) return;
        ObjectNode status = SandboxApi.JSON.createObjectNode().put("phase", "Bound");
        JsonNode requests = claim.path("spec").path("resources").path("requests");
        if (requests.isObject()) status.set("capacity", requests);
        JsonNode meta = claim.path("metadata");
        ObjectNode body = claim.deepCopy();
        body.set("status", status);
        ((ObjectNode) body.get("metadata")).remove("resourceVersion");
        check(api.update(path(CLAIMS, meta.path("namespace").asText(), meta.path("name").asText()).status(), body));
    }

    private void setStatus(String type, String ns, String name, Object status) {
        ObjectNode body = objects.get(type, ns, name).deepCopy();
        body.set("status", SERIALIZATION.convertValue(status, ObjectNode.class));
        ((ObjectNode) body.get("metadata")).remove("resourceVersion");
        check(api.update(path(type, ns, name).status(), body));
    }

    private void setOwners(String type, String ns, String name, List<OwnerReference> owners) {
        ObjectNode body = objects.get(type, ns, name).deepCopy();
        ObjectNode meta = (ObjectNode) body.get("metadata");
        meta.remove("resourceVersion");
        if (owners.isEmpty()) meta.remove("ownerReferences");
        else meta.set("ownerReferences", SERIALIZATION.convertValue(owners, JsonNode.class));
        check(api.update(path(type, ns, name), body));
    }

    private void deleteClaims(StatefulSet sts, int ordinal) {
        for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
            String claim = t.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal;
            if (objects.get(CLAIMS, sts.getMetadata().getNamespace(), claim) != null) {
                check(api.delete(path(CLAIMS, sts.getMetadata().getNamespace(), claim), null));
            }
        }
    }

    private static ApiPath path(String type, String namespace, String name) {
        int slash = type.indexOf('/');
        return new ApiPath(type.substring(0, slash), "v1", namespace, type.substring(slash + 1), name, null);
    }

    private static void check(SandboxApi.Response r) {
        if (!r.ok()) throw new IllegalStateException("sandbox controller write refused: " + r.code() + " " + r.body().path("message").asText());
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

    private static boolean ownedBy(JsonNode pod, StatefulSet sts) {
        for (JsonNode r : pod.path("metadata").path("ownerReferences")) {
            if (Objects.equals(r.path("uid").asText(), sts.getMetadata().getUid())) return true;
        }
        return false;
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
        running = false;
        loop.shutdownNow();
    }
}
