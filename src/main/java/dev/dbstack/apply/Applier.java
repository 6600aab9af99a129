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
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extension.ExtensibleResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Executes a plan: wave by wave along the service graph, independent services in parallel, each
 * service's steps in order (Secret, Services, then the workload), waiting for readiness before
 * dependants start. Each finished step is reported to {@link Recorder} before the next begins, so
 * a crash loses nothing already applied. A failed service stops itself and what depends on it;
 * the rest finishes.
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

    private final KubernetesClient client;
    private final int parallel;
    private final Duration timeout;
    private final Progress progress;

    /** @param progress receives one line per event */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Progress progress) {
        this.client = client;
        this.parallel = Math.max(1, parallel);
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * @deprecated patches are computed when planning and carried by the steps; {@code lastApplied} is not used
     */
    @Deprecated
    public Applier(KubernetesClient client, int parallel, Duration timeout, Map<ObjectRef, JsonNode> lastApplied,
                   Progress progress) {
        this(client, parallel, timeout, progress);
    }

    public Result apply(Plan plan, ServiceGraph graph, Recorder recorder) {
        Map<ServiceId, Outcome> outcomes = new ConcurrentHashMap<>();
        Map<ServiceId, String> errors = new ConcurrentHashMap<>();
        int[] writes = {0};
        AtomicReference<Stopped> stopped = new AtomicReference<>();

        // App-level objects (namespaces) first.
        for (Step s : plan.steps()) {
            if (s.service() == null && s.action() != Action.DELETE) {
                execute(s, recorder);
                writes[0]++;
            }
        }
        Map<ServiceId, List<Step>> byService = new LinkedHashMap<>();
        for (Step s : plan.steps()) {
            if (s.service() != null && s.action() != Action.DELETE) byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            int waveIndex = 0;
            for (List<ServiceId> wave : graph.waves()) {
                progress.wave(++waveIndex, graph.waves().size(), wave);
                List<Future<?>> running = new ArrayList<>();
                for (ServiceId id : wave) {
                    String blocked = graph.providersOf(id).stream().map(ServiceGraph.Dependency::provider)
                            .filter(p -> outcomes.get(p) != null && outcomes.get(p) != Outcome.SUCCEEDED)
                            .map(ServiceId::toString).findFirst().orElse(null);
                    if (blocked != null) {
                        outcomes.put(id, Outcome.SKIPPED);
                        errors.put(id, "skipped: " + blocked + " did not succeed");
                        progress.finished(id, Outcome.SKIPPED);
                        progress.event("  skipped " + id + " (needs " + blocked + ")");
                        continue;
                    }
                    List<Step> steps = byService.getOrDefault(id, List.of());
                    running.add(pool.submit(() -> {
                        try {
                            for (Step s : steps) {
                                if (stopped.get() != null) return; // a recording failed or the plan is stale: begin nothing new
                                execute(s, recorder);
                                synchronized (writes) {
                                    writes[0]++;
                                }
                            }
                            if (!steps.isEmpty()) awaitReady(id, steps);
                            outcomes.put(id, Outcome.SUCCEEDED);
                            progress.finished(id, Outcome.SUCCEEDED);
                        } catch (Stopped e) {
                            stopped.compareAndSet(null, e);
                            throw e; // the run stops: a step that cannot be recorded, or a stale plan, must not be followed by more
                        } catch (RuntimeException e) {
                            if (stopped.get() != null) return; // interrupted because the run stops: not this service's failure
                            outcomes.put(id, Outcome.FAILED);
                            errors.put(id, describe(e));
                            progress.finished(id, Outcome.FAILED);
                            progress.event("  failed " + id + ": " + describe(e));
                        }
                    }));
                }
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException r) throw r;
                        throw new IllegalStateException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while applying", e);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // Deletions last, in reverse order (the plan lists them so).
        List<Step> deletions = plan.steps().stream().filter(s -> s.action() == Action.DELETE).toList();
        for (Step s : deletions) {
            try {
                execute(s, recorder);
                writes[0]++;
            } catch (Stopped e) {
                throw e;
            } catch (RuntimeException e) {
                if (s.service() != null) {
                    outcomes.put(s.service(), Outcome.FAILED);
                    errors.put(s.service(), describe(e));
                }
                progress.event("  failed to delete " + s.object() + ": " + describe(e));
            }
        }
        for (Step s : deletions) if (s.service() != null) outcomes.putIfAbsent(s.service(), Outcome.SUCCEEDED);
        return new Result(outcomes, errors, writes[0]);
    }

    private void execute(Step s, Recorder recorder) {
        progress.event("  " + s.action().symbol() + " " + s.action().verb() + " " + s.object());
        switch (s.action()) {
            case CREATE -> record(s, create(s), recorder);
            case UPDATE, DRIFT -> record(s, patch(s), recorder);
            case REPLACE, EXPAND_VOLUME -> record(s, recreate(s), recorder);
            case DELETE -> {
                delete(s.object(), s.write().against(), s.write().propagation());
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
    private HasMetadata create(Step s) {
        HasMetadata desired = s.desired();
        JsonNode body = SERIALIZATION.convertValue(desired, JsonNode.class);
        return preconditioned(s.object(), null, version -> client.resource(desired).create(),
                live -> live != null && ManagedDiff.changedPaths(body, live).isEmpty() ? desired : null,
                () -> s.object() + " exists now; the plan was made when it did not");
    }

    /** The step's merge patch, as planned: it carries the resourceVersion the plan saw. */
    private HasMetadata patch(Step s) {
        ObjectNode patch = s.write().patch();
        if (patch == null) throw new IllegalStateException("step " + s.action().verb() + " " + s.object() + " carries no patch");
        return preconditioned(s.object(), s.write().against(), version -> {
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
    private HasMetadata recreate(Step s) {
        StatefulSet desired = (StatefulSet) s.desired();
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        for (Step.Claim claim : s.write().claims()) {
            ObjectRef ref = new ObjectRef("v1", "PersistentVolumeClaim", ns, claim.name());
            Quantity size = new Quantity(claim.size());
            preconditioned(ref, claim.against(), version -> {
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
        delete(s.object(), s.write().against(), s.write().propagation());
        waitFor(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() == null,
                "StatefulSet " + ns + "/" + name + " to be deleted");
        JsonNode body = SERIALIZATION.convertValue(desired, JsonNode.class);
        return preconditioned(s.object(), null, version -> client.resource(desired).create(),
                live -> live != null && ManagedDiff.changedPaths(body, live).isEmpty() ? desired : null,
                () -> s.object() + " was created again by someone else after this run deleted it");
    }

    /**
     * A delete with the step's propagation policy, and the version it was planned against as its
     * precondition. An object already gone counts as deleted.
     */
    private void delete(ObjectRef ref, LiveVersion against, DeletionPropagation propagation) {
        GenericKubernetesResource target = new GenericKubernetesResource();
        target.setApiVersion(ref.apiVersion());
        target.setKind(ref.kind());
        target.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(ref.name())
                .withNamespace(ref.namespace().isEmpty() ? null : ref.namespace()).build());
        DeletionPropagation policy = propagation != null ? propagation : DeletionPropagation.BACKGROUND;
        preconditioned(ref, against, version -> {
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
    private <T> T preconditioned(ObjectRef ref, LiveVersion against, Function<String, T> write, Function<JsonNode, T> done,
                                 Supplier<String> stale) {
        String[] version = {against == null ? null : against.resourceVersion()};
        return Retry.withBackoff(() -> {
            for (int statusOnly = 0; ; statusOnly++) {
                try {
                    return write.apply(version[0]);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) throw e;
                    JsonNode live = Retry.withBackoff(() -> get(ref));
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
    private JsonNode get(ObjectRef ref) {
        var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
        GenericKubernetesResource live = ref.namespace().isEmpty() ? kind.withName(ref.name()).get()
                : kind.inNamespace(ref.namespace()).withName(ref.name()).get();
        return live == null ? null : SERIALIZATION.convertValue(live, JsonNode.class);
    }

    /** StatefulSet: all replicas ready on the current revision; Deployment: Available. */
    private void awaitReady(ServiceId id, List<Step> steps) {
        for (Step s : steps) {
            HasMetadata o = s.desired();
            String ns = o.getMetadata().getNamespace();
            String name = o.getMetadata().getName();
            if (o instanceof StatefulSet) {
                waitFor(() -> {
                    StatefulSet live = client.apps().statefulSets().inNamespace(ns).withName(name).get();
                    if (live == null || live.getStatus() == null) return false;
                    var st = live.getStatus();
                    int want = live.getSpec().getReplicas() == null ? 1 : live.getSpec().getReplicas();
                    return Objects.equals(st.getObservedGeneration(), live.getMetadata().getGeneration())
                            && Objects.equals(st.getReplicas(), want) && Objects.equals(st.getReadyReplicas(), want)
                            && Objects.equals(st.getCurrentReplicas(), want)
                            && st.getCurrentRevision() != null && st.getCurrentRevision().equals(st.getUpdateRevision());
                }, "StatefulSet " + ns + "/" + name + " to be ready");
                progress.event("  ready " + id);
            } else if (o instanceof Deployment) {
                waitFor(() -> {
                    Deployment live = client.apps().deployments().inNamespace(ns).withName(name).get();
                    return live != null && live.getStatus() != null && live.getStatus().getConditions() != null
                            && Objects.equals(live.getStatus().getObservedGeneration(), live.getMetadata().getGeneration())
                            && live.getStatus().getConditions().stream()
                            .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
                }, "Deployment " + ns + "/" + name + " to be available");
                progress.event("  ready " + id);
            }
        }
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

    private static String describe(RuntimeException e) {
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
