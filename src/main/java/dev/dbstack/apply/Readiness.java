package dev.dbstack.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.catalog.ReadyCondition;
import java.util.List;
import java.util.Optional;

/**
 * When an applied object counts as ready, so that what consumes its service may start: read on the
 * live object as JSON. {@link ReadinessChecks} holds one per kind; built in are {@link #STATEFUL_SET},
 * {@link #DEPLOYMENT}, {@link #JOB}, {@link #PERSISTENT_VOLUME_CLAIM}, and for every other kind
 * {@link #EXISTS}.
 */
@FunctionalInterface
public interface Readiness {
    Verdict check(JsonNode live);

    enum State { READY, NOT_YET, FAILED }

    /** {@code reason} says what is still missing (or what failed), for the progress line and a timeout. */
    record Verdict(State state, String reason) {
        public static final Verdict READY = new Verdict(State.READY, "ready");

        public static Verdict notYet(String reason) {
            return new Verdict(State.NOT_YET, reason);
        }

        public static Verdict failed(String reason) {
            return new Verdict(State.FAILED, reason);
        }
    }

    /** This check, then {@code next} once this one says ready. */
    default Readiness and(Readiness next) {
        return live -> {
            Verdict v = check(live);
            return v.state() == State.READY ? next.check(live) : v;
        };
    }

    /** Written is ready: Secrets, Services, ConfigMaps and every kind without a check of its own. */
    Readiness EXISTS = live -> Verdict.READY;

    /**
     * Every replica ready ({@code readyReplicas == spec.replicas}) and no more pods than wanted, the
     * controller has seen the current generation, and a rolling update has finished
     * ({@code currentRevision == updateRevision} when the latter is set).
     */
    Readiness STATEFUL_SET = live -> {
        Verdict seen = observed(live);
        if (seen != null) return seen;
        JsonNode status = live.path("status");
        long want = live.path("spec").path("replicas").asLong(1);
        long ready = status.path("readyReplicas").asLong(0);
        long replicas = status.path("replicas").asLong(0);
        if (ready < want) return Verdict.notYet(ready + "/" + want + " replicas ready");
        if (replicas > want) return Verdict.notYet("scaling down to " + want + " replicas (" + replicas + " now)");
        String update = status.path("updateRevision").asText("");
        if (!update.isEmpty() && !update.equals(status.path("currentRevision").asText(""))) {
            return Verdict.notYet("rolling update to revision " + update + " in progress");
        }
        return Verdict.READY;
    };

    /**
     * Every replica updated and available, no old ones left, the controller has seen the current
     * generation; failed when the rollout exceeded its progress deadline.
     */
    Readiness DEPLOYMENT = live -> {
        JsonNode status = live.path("status");
        for (JsonNode c : status.path("conditions")) {
            if ("Progressing".equals(c.path("type").asText()) && "ProgressDeadlineExceeded".equals(c.path("reason").asText())) {
                return Verdict.failed("rollout exceeded its progress deadline: " + c.path("message").asText(""));
            }
        }
        Verdict seen = observed(live);
        if (seen != null) return seen;
        long want = live.path("spec").path("replicas").asLong(1);
        long updated = status.path("updatedReplicas").asLong(0);
        long available = status.path("availableReplicas").asLong(0);
        if (updated < want) return Verdict.notYet(updated + "/" + want + " replicas updated");
        if (status.path("replicas").asLong(0) > updated) return Verdict.notYet("old replicas are terminating");
        if (available < want) return Verdict.notYet(available + "/" + want + " replicas available");
        return Verdict.READY;
    };

    /** Succeeded as often as it should complete; failed when the Job says so. */
    Readiness JOB = live -> {
        JsonNode status = live.path("status");
        for (JsonNode c : status.path("conditions")) {
            if ("Failed".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
                return Verdict.failed("the Job failed: " + c.path("reason").asText("") + " " + c.path("message").asText(""));
            }
        }
        long want = live.path("spec").path("completions").asLong(1);
        long succeeded = status.path("succeeded").asLong(0);
        return succeeded >= want ? Verdict.READY : Verdict.notYet(succeeded + "/" + want + " completions");
    };

    /** Bound to a volume; failed when it lost it. */
    Readiness PERSISTENT_VOLUME_CLAIM = live -> {
        String phase = live.path("status").path("phase").asText("Pending");
        return switch (phase) {
            case "Bound" -> Verdict.READY;
            case "Lost" -> Verdict.failed("its volume is lost");
            default -> Verdict.notYet("phase " + phase);
        };
    };

    /** Every condition holds; the first that does not says why. Never failed: it may hold later. */
    static Readiness conditions(List<ReadyCondition> conditions) {
        return live -> {
            for (ReadyCondition c : conditions) {
                Optional<String> unmet = c.unmet(live);
                if (unmet.isPresent()) return Verdict.notYet(unmet.get());
            }
            return Verdict.READY;
        };
    }

    /** Not yet while the controller has not seen the object's current generation; null when it has. */
    private static Verdict observed(JsonNode live) {
        JsonNode generation = live.path("metadata").path("generation");
        if (!generation.isNumber()) return null;
        long observed = live.path("status").path("observedGeneration").asLong(-1);
        return observed >= generation.asLong() ? null
                : Verdict.notYet("the controller has not yet seen generation " + generation.asLong());
    }
}
