package dev.dbstack.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One change to one object. {@code service} is null for app-level objects (the namespace).
 * {@code reason} says why in words; {@code fields} lists the changed field paths where that applies;
 * {@code desired} is the object to create (create, replace, expand-volume) or the desired object an
 * update's patch was computed from, which state records as applied (null for a delete); {@code retention}
 * is what the step does to a database's kept data besides (null for most steps); {@code write} is
 * everything apply sends, decided when planning, and what the step was planned against.
 */
public record Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                   HasMetadata desired, Retention retention, Write write) {

    /** A step planned against an absent object, with nothing to send but {@code desired}. */
    public Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                HasMetadata desired) {
        this(action, app, service, object, reason, fields, desired, null, Write.ABSENT);
    }

    public Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                HasMetadata desired, Retention retention) {
        this(action, app, service, object, reason, fields, desired, retention, Write.ABSENT);
    }

    /** The live object's {@code metadata.resourceVersion} when the step was planned; null: it was absent. */
    public String plannedVersion() {
        return write.against() == null ? null : write.against().resourceVersion();
    }

    /**
     * How apply carries the step out, all decided when planning, and what it was planned against. Each
     * write carries its precondition, so the API server refuses it (409 Conflict) when the object changed
     * since: a create fails if the object appeared, a patch carries {@code metadata.resourceVersion}, a
     * delete sends it in {@code DeleteOptions.preconditions}.
     *
     * @param against     the live object when planned (its resourceVersion, the precondition); null when absent
     * @param patch       update and drift: the JSON merge patch sent as it is (desired's fields, a null for each
     *                    field the last apply set and desired dropped, and {@code metadata.resourceVersion})
     * @param claims      expand-volume: the claims to grow, each with its new size and its own version
     * @param propagation delete, replace and expand-volume: the propagation policy of the delete
     */
    public record Write(LiveVersion against, ObjectNode patch, List<Claim> claims, DeletionPropagation propagation) {
        /** Planned against an absent object: a create sends {@code desired} and nothing else. */
        public static final Write ABSENT = new Write(null, null, List.of(), null);

        public Write {
            claims = claims == null ? List.of() : List.copyOf(claims);
        }

        public static Write patch(LiveVersion against, ObjectNode patch) {
            return new Write(against, patch, List.of(), null);
        }

        public static Write delete(LiveVersion against, DeletionPropagation propagation) {
            return new Write(against, null, List.of(), propagation);
        }

        /** Replace and expand-volume: grow {@code claims}, delete with {@code propagation}, create {@code desired}. */
        public static Write recreate(LiveVersion against, DeletionPropagation propagation, List<Claim> claims) {
            return new Write(against, null, claims, propagation);
        }

        /** Keep: nothing is sent; the version still says what the step was planned against. */
        public static Write none(LiveVersion against) {
            return new Write(against, null, List.of(), null);
        }
    }

    /** A PersistentVolumeClaim expand-volume grows to {@code size}, if it is still the object planned {@code against}. */
    public record Claim(String name, String size, LiveVersion against) {}

    /**
     * What happens to a database's data beyond the step's own object: {@code KEEP} when its workload
     * goes and the data stays (state remembers it), {@code REATTACH} when a new workload takes over
     * kept data, {@code RELEASE} when {@code --delete-data} deleted it (state forgets it and its
     * credentials).
     */
    public record Retention(Kind kind, Retained data) {
        public enum Kind { KEEP, REATTACH, RELEASE }
    }
}
