package dev.dbstack.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.LiveVersion;
import dev.dbstack.plan.ManagedDiff;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Step;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extension.ExtensibleResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Executes a plan along the service graph: a service starts as soon as the services it consumes are
 * ready, at most {@code parallel} at a time, its steps in order (Secret, Services, then the workload);
 * readiness is judged per kind by {@link ReadinessChecks}. Deletes run in reverse: consumers first,
 * independent ones at once. Each finished step is reported to {@link Recorder} before the next of its
 * service begins, so a crash loses nothing already applied. A failed service stops itself and what
 * depends on it; the rest finishes. See {@link Schedule} for how.
 *
 * <p>Each step is carried out exactly as planned: the object it creates, the merge patch it sends,
 * the claims it grows and the propagation of its delete all come from the step; nothing is computed
 * or listed here. Every write carries the step's precondition (a create fails if the object exists,
 * a patch carries the planned resourceVersion, a delete sends it in DeleteOptions), so the API
 * server refuses it with 409 Conflict when the object changed since the plan: the run then stops as
 * {@link PlanStale}, like a step that cannot be recorded — no new step begins.
 *
 * <p>A 409 is not always someone else's change, so the live object is read to tell (see
 * {@link #preconditioned}): a write whose earlier attempt was carried out with its answer lost (fabric8
 * and {@link Retry} retry transient failures) finds the object already as the step makes it, and is
 * done; an object whose only change is its status (a controller's report) is written again with its new
 * resourceVersion; anything else is stale.
 */
public final class Applier {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Where applied steps are recorded (the stack's state). */
    public interface Recorder {
        void applied(Step step, HasMetadata written);

        void deleted(Step step);

        /** A {@link Action#KEEP}: the object stays in the cluster, and state stops tracking it. */
        void forgotten(Step step);
    }

    public enum Outcome { SUCCEEDED, FAILED, SKIPPED }

    /** What stops the whole run: no new step begins; the steps recorded before it stand. */
    public abstract static class Stopped extends RuntimeException {
        Stopped(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The recorder failed (state could not be written): the run stops, since a step it cannot record must
     * not be followed by more. The cause says why; the steps recorded before it stand.
     */
    public static final class RecordingFailed extends Stopped {
        RecordingFailed(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * An object changed since the plan was made (the API server refused a write's precondition with 409
     * Conflict, or the object is gone): the plan no longer describes the cluster, so the run stops and
     * nothing more is written. The message names the object and what changed.
     */
    public static final class PlanStale extends Stopped {
        private final ObjectRef object;

        public PlanStale(ObjectRef object, String message) {
            super(message, null);
            this.object = object;
        }

        public ObjectRef object() {
            return object;
        }
    }

    public record Result(Map<ServiceId, Outcome> services, Map<ServiceId, String> errors, int writes) {
        public boolean ok() {
            return services.values().stream().allMatch(o -> o == Outcome.SUCCEEDED);
        }
    }

    /** The client of the cluster each app deployment is on (one for all, on a stack of one cluster). */
    private final Function<String, KubernetesClient> clients;
    private final int parallel;
    private final Duration timeout;
    private final Progress progress;
    private final ReadinessChecks readiness;

    /** @param progress receives one line per event */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Progress progress) {
        this(client, parallel, timeout, progress, ReadinessChecks.builtIn());
    }

    /**
     * Like {@link #Applier(KubernetesClient, int, Duration, Progress)}, with the readiness check of each
     * kind taken from {@code readiness} instead of {@link ReadinessChecks#builtIn()}.
     */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Progress progress, ReadinessChecks readiness) {
        this(app -> client, parallel, timeout, progress, readiness);
    }

    /**
     * An applier for a stack over several clusters: each step is written, and each readiness read, through the
     * client {@code clients} gives for the step's app. One schedule over the whole graph, so a service waits for
     * the services it consumes on any cluster, and a failure skips its consumers wherever they are.
     */
    public Applier(Function<String, KubernetesClient> clients, int parallel, Duration timeout, Progress progress,
                   ReadinessChecks readiness) {
        this.readiness = readiness;
        this.clients = clients;
        this.parallel = Math.max(1, parallel);
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * App-level steps (namespaces) first, one by one. Then every service once the services it consumes
     * have succeeded and are ready ({@link Schedule}). Then the deletes, each service's after those of
     * every service that consumes it, independent ones at once; a removed service the graph no longer
     * knows has no known consumers and is deleted independently. Deletes of objects with no service
     * come last. Within a service, its steps run in plan order.
     *
     * @throws Stopped when a step could not be recorded, or an object changed since the plan: the run stopped there
     */
    public Result apply(Plan plan, ServiceGraph graph, Recorder recorder) {
        Schedule schedule = new Schedule(parallel, timeout, progress, this::readForPoll);
        AtomicInteger writes = new AtomicInteger();
        for (Step s : plan.steps()) {
            if (s.service() == null && s.action() != Action.DELETE) {
                execute(s, recorder);
                writes.incrementAndGet();
            }
        }
        Map<ServiceId, List<Step>> writing = byService(plan, false);
        Map<ServiceId, List<Step>> deleting = byService(plan, true);

        // Every service of the graph (one without steps succeeds as soon as its providers have), and any
        // other with steps, on its own.
        Map<ServiceId, Set<ServiceId>> providers = new LinkedHashMap<>();
        for (ServiceId id : graph.applyOrder()) {
            providers.put(id, graph.providersOf(id).stream().map(ServiceGraph.Dependency::provider).collect(Collectors.toSet()));
        }
        writing.keySet().forEach(id -> providers.putIfAbsent(id, Set.of()));
        schedule.run(providers, writing::containsKey, id -> {
            List<Schedule.Pending> pending = new ArrayList<>();
            for (Step s : writing.get(id)) {
                if (schedule.stopping()) return List.of(); // a recording failed: begin nothing new
                execute(s, recorder);
                writes.incrementAndGet();
                Readiness check = s.desired() == null ? null : readiness.of(s.desired());
                if (check != null) pending.add(new Schedule.Pending(ObjectRef.of(s.desired()), label(s.desired(), Labels.STACK),
                        label(s.desired(), Labels.APP), s.app(), check));
            }
            return pending;
        });

        Map<ServiceId, Set<ServiceId>> consumers = new LinkedHashMap<>();
        deleting.keySet().forEach(id -> consumers.put(id, consumersAmong(graph, id, deleting.keySet())));
        schedule.run(consumers, deleting::containsKey, id -> {
            for (Step s : deleting.get(id)) {
                if (schedule.stopping()) return List.of();
                execute(s, recorder);
                writes.incrementAndGet();
            }
            return List.of();
        });

        for (Step s : plan.steps()) {
            if (s.service() != null || s.action() != Action.DELETE) continue;
            try {
                execute(s, recorder);
                writes.incrementAndGet();
            } catch (Stopped e) {
                throw e;
            } catch (RuntimeException e) {
                progress.event("  failed to delete " + s.object() + ": " + describe(e));
            }
        }
        return new Result(schedule.outcomes(), schedule.errors(), writes.get());
    }

    /** Each service's deletes, or its other steps, in plan order. */
    private static Map<ServiceId, List<Step>> byService(Plan plan, boolean deletes) {
        Map<ServiceId, List<Step>> out = new LinkedHashMap<>();
        for (Step s : plan.steps()) {
            if (s.service() != null && (s.action() == Action.DELETE) == deletes) {
                out.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
            }
        }
        return out;
    }

    /** The services among {@code among} that consume {@code id}, directly or through others. */
    private static Set<ServiceId> consumersAmong(ServiceGraph graph, ServiceId id, Set<ServiceId> among) {
        Set<ServiceId> found = new LinkedHashSet<>();
        Set<ServiceId> known = graph.services();
        ArrayDeque<ServiceId> queue = new ArrayDeque<>(List.of(id));
        Set<ServiceId> seen = new LinkedHashSet<>(queue);
        while (!queue.isEmpty()) {
            ServiceId at = queue.removeFirst();
            if (!known.contains(at)) continue;
            for (ServiceGraph.Dependency d : graph.consumersOf(at)) {
                if (!seen.add(d.consumer())) continue;
                if (among.contains(d.consumer())) found.add(d.consumer());
                queue.addLast(d.consumer());
            }
        }
        return found;
    }

    private static String label(HasMetadata desired, String key) {
        Map<String, String> labels = desired.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    /** Kinds whose cluster-wide LIST RBAC forbids (HTTP 403): polled per namespace for the rest of the run. */
    private final Set<String> listedPerNamespace = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * For a readiness poll, the live objects of one kind that {@code wanted} asks about: one LIST of the kind in
     * all namespaces by the stack's label, narrowed to the apps still waiting (so a poll late in a large
     * {@code up} does not read back all that is long ready), or one per namespace of {@code wanted} where RBAC
     * forbids that; an object without the labels is read on its own. Transient failures are retried.
     */
    private Map<ObjectRef, JsonNode> readForPoll(String apiVersion, String kind, List<Schedule.Pending> wanted) {
        Map<KubernetesClient, List<Schedule.Pending>> byCluster = new java.util.IdentityHashMap<>();
        for (Schedule.Pending p : wanted) byCluster.computeIfAbsent(clients.apply(p.route()), c -> new ArrayList<>()).add(p);
        Map<ObjectRef, JsonNode> out = new java.util.HashMap<>();
        byCluster.forEach((client, pending) -> out.putAll(readForPoll(client, apiVersion, kind, pending)));
        return out;
    }

    private Map<ObjectRef, JsonNode> readForPoll(KubernetesClient client, String apiVersion, String kind, List<Schedule.Pending> wanted) {
        Map<ObjectRef, JsonNode> out = new java.util.HashMap<>();
        Set<ObjectRef> asked = new java.util.HashSet<>();
        wanted.forEach(p -> asked.add(p.object()));
        Map<String, Set<String>> namespacesByStack = new LinkedHashMap<>();
        Map<String, Set<String>> appsByStack = new LinkedHashMap<>();
        for (Schedule.Pending p : wanted) {
            if (p.stack() == null || p.app() == null) {
                JsonNode live = Retry.withBackoff(() -> get(client, p.object()));
                if (live != null) out.put(p.object(), live);
            } else {
                namespacesByStack.computeIfAbsent(p.stack(), k -> new java.util.TreeSet<>()).add(p.object().namespace());
                appsByStack.computeIfAbsent(p.stack(), k -> new java.util.TreeSet<>()).add(p.app());
            }
        }
        var resources = client.genericKubernetesResources(apiVersion, kind);
        String key = System.identityHashCode(client) + "|" + apiVersion + "|" + kind;
        namespacesByStack.forEach((stack, namespaces) -> {
            if (!listedPerNamespace.contains(key) || namespaces.contains("")) {
                try {
                    String[] apps = appsByStack.get(stack).toArray(String[]::new);
                    add(out, asked, Retry.withBackoff(() -> resources.inAnyNamespace().withLabel(Labels.STACK, stack)
                            .withLabelIn(Labels.APP, apps).list().getItems()));
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 403 || namespaces.contains("")) throw e;
                    listedPerNamespace.add(key);
                }
            }
            for (String ns : namespaces) {
                add(out, asked, Retry.withBackoff(() -> resources.inNamespace(ns).withLabel(Labels.STACK, stack).list().getItems()));
            }
        });
        return out;
    }

    /** The items asked about, as JSON (the rest of the stack's objects of the kind are not converted). */
    private static void add(Map<ObjectRef, JsonNode> out, Set<ObjectRef> asked, List<GenericKubernetesResource> items) {
        for (GenericKubernetesResource r : items) {
            ObjectRef ref = ObjectRef.of(r);
            if (asked.contains(ref)) out.put(ref, SERIALIZATION.convertValue(r, JsonNode.class));
        }
    }

    private void execute(Step s, Recorder recorder) {
        progress.event("  " + s.action().symbol() + " " + s.action().verb() + " " + s.object());
        KubernetesClient client = clients.apply(s.app());
        switch (s.action()) {
            case CREATE -> record(s, create(client, s), recorder);
            case UPDATE, DRIFT -> record(s, patch(client, s), recorder);
            case REPLACE, EXPAND_VOLUME -> record(s, recreate(client, s), recorder);
            case DELETE -> {
                delete(client, s.object(), s.write().against(), s.write().propagation());
                record(() -> recorder.deleted(s));
            }
            case KEEP -> record(() -> recorder.forgotten(s));
        }
    }

    private static void record(Step s, HasMetadata written, Recorder recorder) {
        record(() -> recorder.applied(s, written));
    }

    /** A step is recorded before the next begins; if recording fails, the whole run stops. */
    private static void record(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            throw new RecordingFailed(e);
        }
    }

    /**
     * Planned absent: a POST, which the API server refuses with 409 AlreadyExists when someone created
     * the object since. (A run killed between a create and its record converges on the next {@code up}:
     * that plan sees the object and updates it.)
     */
    private HasMetadata create(KubernetesClient client, Step s) {
        HasMetadata desired = s.desired();
        JsonNode body = SERIALIZATION.convertValue(desired, JsonNode.class);
        return preconditioned(client, s.object(), null, version -> client.resource(desired).create(),
                live -> live != null && ManagedDiff.changedPaths(body, live).isEmpty() ? desired : null,
                () -> s.object() + " exists now; the plan was made when it did not");
    }

    /** The step's merge patch, as planned: it carries the resourceVersion the plan saw. */
    private HasMetadata patch(KubernetesClient client, Step s) {
        ObjectNode patch = s.write().patch();
        if (patch == null) throw new IllegalStateException("step " + s.action().verb() + " " + s.object() + " carries no patch");
        return preconditioned(client, s.object(), s.write().against(), version -> {
            try {
                return client.resource(s.desired()).patch(PatchContext.of(PatchType.JSON_MERGE), withVersion(patch, version));
            } catch (KubernetesClientException e) {
                throw e.getCode() == 404 ? gone(s.object()) : e;
            }
        }, live -> live != null && ManagedDiff.satisfied(patch, live) ? s.desired() : null,
                () -> changed(s.object(), s.plannedVersion()));
    }

    /**
     * StatefulSet fields that cannot change: grow each of the step's claims first (expand-volume), delete
     * the StatefulSet with the step's propagation (orphan when the new one adopts the pods), then create it
     * anew; it takes over the claims by name.
     */
    private HasMetadata recreate(KubernetesClient client, Step s) {
        if (!(s.desired() instanceof StatefulSet)) return recreateOther(client, s);
        StatefulSet desired = (StatefulSet) s.desired();
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        for (Step.Claim claim : s.write().claims()) {
            ObjectRef ref = new ObjectRef("v1", "PersistentVolumeClaim", ns, claim.name());
            Quantity size = new Quantity(claim.size());
            preconditioned(client, ref, claim.against(), version -> {
                String patch = "{\"metadata\":{\"resourceVersion\":" + TextNode.valueOf(version) + "},\"spec\":{\"resources\":"
                        + "{\"requests\":{\"storage\":" + TextNode.valueOf(claim.size()) + "}}}}";
                try {
                    return client.persistentVolumeClaims().inNamespace(ns).withName(claim.name())
                            .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                } catch (KubernetesClientException e) {
                    throw e.getCode() == 404 ? gone(ref) : e;
                }
            }, live -> {
                JsonNode now = live == null ? null : live.path("spec").path("resources").path("requests").path("storage");
                return now != null && now.isTextual() && new Quantity(now.asText()).equals(size) ? claim : null;
            }, () -> changed(ref, claim.against().resourceVersion()));
            progress.event("    grew " + ns + "/" + claim.name() + " to " + claim.size());
        }
        delete(client, s.object(), s.write().against(), s.write().propagation());
        waitFor(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() == null,
                "StatefulSet " + ns + "/" + name + " to be deleted");
        JsonNode body = SERIALIZATION.convertValue(desired, JsonNode.class);
        return preconditioned(client, s.object(), null, version -> client.resource(desired).create(),
                live -> live != null && ManagedDiff.changedPaths(body, live).isEmpty() ? desired : null,
                () -> s.object() + " was created again by someone else after this run deleted it");
    }

    /** An object other than a StatefulSet that cannot be patched into its new shape (a Service becoming ExternalName). */
    private HasMetadata recreateOther(KubernetesClient client, Step s) {
        HasMetadata desired = s.desired();
        delete(client, s.object(), s.write().against(), s.write().propagation());
        waitFor(() -> client.resource(desired).get() == null, s.object() + " to be deleted");
        JsonNode body = SERIALIZATION.convertValue(desired, JsonNode.class);
        return preconditioned(client, s.object(), null, version -> client.resource(desired).create(),
                live -> live != null && ManagedDiff.changedPaths(body, live).isEmpty() ? desired : null,
                () -> s.object() + " was created again by someone else after this run deleted it");
    }

    /**
     * A delete with the step's propagation policy, and the version it was planned against as its
     * precondition. An object already gone counts as deleted.
     */
    private void delete(KubernetesClient client, ObjectRef ref, LiveVersion against, DeletionPropagation propagation) {
        GenericKubernetesResource target = new GenericKubernetesResource();
        target.setApiVersion(ref.apiVersion());
        target.setKind(ref.kind());
        target.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(ref.name())
                .withNamespace(ref.namespace().isEmpty() ? null : ref.namespace()).build());
        DeletionPropagation policy = propagation != null ? propagation : DeletionPropagation.BACKGROUND;
        preconditioned(client, ref, against, version -> {
            var resource = client.resource(target).withPropagationPolicy(policy);
            if (version == null) return resource.delete();
            if (!(resource instanceof ExtensibleResource<?> locking)) {
                throw new IllegalStateException("this fabric8 client cannot send a delete precondition");
            }
            return locking.lockResourceVersion(version).delete();
        }, live -> live == null || live.path("metadata").has("deletionTimestamp") ? List.of() : null,
                () -> changed(ref, against == null ? null : against.resourceVersion()));
    }

    /**
     * One write with a precondition, retried on transient failures. The write is given the resourceVersion to
     * send (null for a create). A 409 is the precondition failing; the live object is read once to see why:
     * <ul>
     *   <li>it already is what the step makes it ({@code done} returns non-null): this write's own earlier
     *       attempt, carried out with its answer lost (fabric8 retries 5xx and 429 itself, and {@link Retry}
     *       after it, so whether an attempt reached the server cannot be known here), or someone else's
     *       identical change — either way nothing is left to do and nothing of anyone's is overwritten;
     *   <li>it is the object planned {@code against}, changed only in status (a controller's report): the
     *       write is sent again with the new resourceVersion, content unchanged;
     *   <li>otherwise it changed since the plan: {@link PlanStale}.
     * </ul>
     * A patch of an object that is gone (404) is stale too: it throws {@link #gone}.
     */
    private <T> T preconditioned(KubernetesClient client, ObjectRef ref, LiveVersion against, Function<String, T> write, Function<JsonNode, T> done,
                                 Supplier<String> stale) {
        String[] version = {against == null ? null : against.resourceVersion()};
        return Retry.withBackoff(() -> {
            for (int statusOnly = 0; ; statusOnly++) {
                try {
                    return write.apply(version[0]);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) throw e;
                    JsonNode live = Retry.withBackoff(() -> get(client, ref));
                    T landed = done.apply(live);
                    if (landed != null) return landed;
                    if (against != null && statusOnly < MAX_STATUS_ONLY && against.sameObject(live)) {
                        version[0] = live.path("metadata").path("resourceVersion").asText();
                        continue;
                    }
                    throw new PlanStale(ref, stale.get() + " (" + describe(e) + ")");
                }
            }
        });
    }

    /** How often a write follows status-only changes before it gives up (a controller rewriting status in a loop). */
    private static final int MAX_STATUS_ONLY = 20;

    /** The patch with the precondition to send (the planned version, or a newer one of the same object). */
    private static String withVersion(ObjectNode patch, String version) {
        if (version == null || version.equals(patch.path("metadata").path("resourceVersion").asText(null))) return patch.toString();
        ObjectNode copy = patch.deepCopy();
        copy.with("metadata").put("resourceVersion", version);
        return copy.toString();
    }

    private static String changed(ObjectRef ref, String version) {
        return ref + " changed since the plan was made" + (version == null ? "" : " (planned against resourceVersion "
                + version + ")");
    }

    private static PlanStale gone(ObjectRef ref) {
        return new PlanStale(ref, ref + " was deleted since the plan was made");
    }

    /** The live object, or null: one GET, only to tell a lost answer from a conflict. */
    private static JsonNode get(KubernetesClient client, ObjectRef ref) {
        var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
        GenericKubernetesResource live = ref.namespace().isEmpty() ? kind.withName(ref.name()).get()
                : kind.inNamespace(ref.namespace()).withName(ref.name()).get();
        return live == null ? null : SERIALIZATION.convertValue(live, JsonNode.class);
    }

    private void waitFor(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long delay = 50;
        while (!Retry.withBackoff(condition::getAsBoolean)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
            delay = Math.min(delay * 2, 2_000);
        }
    }

    static String describe(RuntimeException e) {
        if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return "HTTP " + k.getCode() + ": " + k.getStatus().getMessage();
        }
        String what = e.getMessage() != null ? e.getMessage() : e.toString();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        // fabric8 wraps transport failures in a generic message; the cause says what happened.
        return root != e && root.getMessage() != null ? what + " (" + root.getMessage() + ")" : what;
    }
}
