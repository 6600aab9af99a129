package dev.dbstack.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.ManagedDiff;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Step;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Executes a plan along the service graph: a service starts as soon as the services it consumes are
 * ready, at most {@code parallel} at a time, its steps in order (Secret, Services, then the workload);
 * readiness is judged per kind by {@link ReadinessChecks}. Deletes run in reverse: consumers first,
 * independent ones at once. Each finished step is reported to {@link Recorder} before the next of its
 * service begins, so a crash loses nothing already applied. A failed service stops itself and what
 * depends on it; the rest finishes. See {@link Schedule} for how.
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

    /**
     * The recorder failed (state could not be written): the run stops, since a step it cannot record must
     * not be followed by more. The cause says why; the steps recorded before it stand.
     */
    public static final class RecordingFailed extends RuntimeException {
        RecordingFailed(RuntimeException cause) {
            super(cause.getMessage(), cause);
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
    private final Map<ObjectRef, JsonNode> lastApplied;
    private final ReadinessChecks readiness;

    /**
     * @param lastApplied what state recorded per object, for three-way patches
     * @param progress    receives one line per event
     */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Map<ObjectRef, JsonNode> lastApplied,
                   Progress progress) {
        this(client, parallel, timeout, lastApplied, progress, ReadinessChecks.builtIn());
    }

    /**
     * Like {@link #Applier(KubernetesClient, int, Duration, Map, Progress)}, with the readiness check
     * of each kind taken from {@code readiness} instead of {@link ReadinessChecks#builtIn()}.
     */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Map<ObjectRef, JsonNode> lastApplied,
                   Progress progress, ReadinessChecks readiness) {
        this.readiness = readiness;
        this.client = client;
        this.parallel = Math.max(1, parallel);
        this.timeout = timeout;
        this.lastApplied = lastApplied;
        this.progress = progress;
    }

    /**
     * App-level steps (namespaces) first, one by one. Then every service once the services it consumes
     * have succeeded and are ready ({@link Schedule}). Then the deletes, each service's after those of
     * every service that consumes it, independent ones at once; a removed service the graph no longer
     * knows has no known consumers and is deleted independently. Deletes of objects with no service
     * come last. Within a service, its steps run in plan order.
     *
     * @throws RecordingFailed when a step could not be recorded: the run stopped there
     */
    public Result apply(Plan plan, ServiceGraph graph, Recorder recorder) {
        Schedule schedule = new Schedule(parallel, timeout, progress);
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
                if (check != null) pending.add(pending(s.desired(), check));
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
            } catch (RecordingFailed e) {
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

    /** {@code desired} as it lives, read once per poll, judged by {@code check}. */
    private Schedule.Pending pending(HasMetadata desired, Readiness check) {
        return new Schedule.Pending(ObjectRef.of(desired).toString(), () -> {
            HasMetadata live = Retry.withBackoff(() -> client.resource(desired).get());
            return live == null ? Readiness.Verdict.notYet("not found")
                    : check.check(SERIALIZATION.convertValue(live, JsonNode.class));
        });
    }

    private void execute(Step s, Recorder recorder) {
        progress.event("  " + s.action().symbol() + " " + s.action().verb() + " " + s.object());
        switch (s.action()) {
            case CREATE -> record(s, create(s), recorder);
            case UPDATE, DRIFT -> record(s, patch(s), recorder);
            case REPLACE -> record(s, recreate(s, false, keepsPods(s)), recorder);
            case EXPAND_VOLUME -> record(s, recreate(s, true, true), recorder);
            case DELETE -> {
                delete(s.object());
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

    private HasMetadata create(Step s) {
        try {
            return Retry.withBackoff(() -> {
                try {
                    return client.resource(s.desired()).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409) { // a POST conflicts only when the object already exists
                        throw new AlreadyExists();
                    }
                    throw e;
                }
            });
        } catch (AlreadyExists e) {
            // A crash after the create and before its record: converge with a patch instead.
            return patch(s);
        }
    }

    private static final class AlreadyExists extends RuntimeException {
        AlreadyExists() {
            super(null, null, false, false);
        }
    }

    private HasMetadata patch(Step s) {
        JsonNode desired = SERIALIZATION.convertValue(s.desired(), JsonNode.class);
        String patch = ManagedDiff.mergePatch(desired, lastApplied.get(s.object())).toString();
        return Retry.withBackoff(() -> client.resource(s.desired()).patch(PatchContext.of(PatchType.JSON_MERGE), patch));
    }

    /** A new selector would not adopt the old pods, which would then run on without an owner. */
    private static boolean keepsPods(Step s) {
        return s.fields().stream().noneMatch(f -> f.startsWith("spec.selector"));
    }

    /**
     * StatefulSet fields that cannot change: delete it (with orphan propagation when the new one can
     * adopt the pods, else with them), optionally grow each claim first, then create it anew; it
     * takes over the claims by name.
     */
    private HasMetadata recreate(Step s, boolean growClaims, boolean keepPods) {
        StatefulSet desired = (StatefulSet) s.desired();
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        if (growClaims) {
            for (PersistentVolumeClaim template : desired.getSpec().getVolumeClaimTemplates()) {
                String prefix = template.getMetadata().getName() + "-" + name + "-";
                String size = template.getSpec().getResources().getRequests().get("storage").toString();
                for (PersistentVolumeClaim claim : client.persistentVolumeClaims().inNamespace(ns).list().getItems()) {
                    String claimName = claim.getMetadata().getName();
                    if (!claimName.startsWith(prefix) || !claimName.substring(prefix.length()).matches("\\d+")) continue;
                    String patch = "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + size + "\"}}}}";
                    Retry.withBackoff(() -> client.persistentVolumeClaims().inNamespace(ns).withName(claimName)
                            .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
                    progress.event("    grew " + ns + "/" + claimName + " to " + size);
                }
            }
        }
        Retry.withBackoff(() -> client.apps().statefulSets().inNamespace(ns).withName(name)
                .withPropagationPolicy(keepPods ? DeletionPropagation.ORPHAN : DeletionPropagation.BACKGROUND).delete());
        waitFor(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() == null,
                "StatefulSet " + ns + "/" + name + " to be deleted");
        return Retry.withBackoff(() -> client.resource(desired).create());
    }

    /**
     * Background propagation, said explicitly: a workload's pods go with it (never pods running on
     * without an owner); claims made from a StatefulSet's templates are not owned by it and stay.
     */
    private void delete(ObjectRef ref) {
        GenericKubernetesResource target = new GenericKubernetesResource();
        target.setApiVersion(ref.apiVersion());
        target.setKind(ref.kind());
        target.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(ref.name())
                .withNamespace(ref.namespace().isEmpty() ? null : ref.namespace()).build());
        Retry.withBackoff(() -> client.resource(target).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
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
