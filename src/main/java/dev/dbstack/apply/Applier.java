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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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

/**
 * Executes a plan: wave by wave along the service graph, independent services in parallel, each
 * service's steps in order (Secret, Services, then the workload), waiting for readiness before
 * dependants start. Each finished step is reported to {@link Recorder} before the next begins, so
 * a crash loses nothing already applied. A failed service stops itself and what depends on it;
 * the rest finishes.
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

    /**
     * @param lastApplied what state recorded per object, for three-way patches
     * @param progress    receives one line per event
     */
    public Applier(KubernetesClient client, int parallel, Duration timeout, Map<ObjectRef, JsonNode> lastApplied,
                   Progress progress) {
        this.client = client;
        this.parallel = Math.max(1, parallel);
        this.timeout = timeout;
        this.lastApplied = lastApplied;
        this.progress = progress;
    }

    public Result apply(Plan plan, ServiceGraph graph, Recorder recorder) {
        Map<ServiceId, Outcome> outcomes = new ConcurrentHashMap<>();
        Map<ServiceId, String> errors = new ConcurrentHashMap<>();
        int[] writes = {0};
        AtomicReference<RecordingFailed> stopped = new AtomicReference<>();

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
                                if (stopped.get() != null) return; // a recording failed: begin nothing new
                                execute(s, recorder);
                                synchronized (writes) {
                                    writes[0]++;
                                }
                            }
                            if (!steps.isEmpty()) awaitReady(id, steps);
                            outcomes.put(id, Outcome.SUCCEEDED);
                            progress.finished(id, Outcome.SUCCEEDED);
                        } catch (RecordingFailed e) {
                            stopped.compareAndSet(null, e);
                            throw e; // the run stops: a step that cannot be recorded must not be followed by more
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
            } catch (RecordingFailed e) {
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
