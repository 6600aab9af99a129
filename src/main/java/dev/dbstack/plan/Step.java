package dev.dbstack.plan;

import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One change to one object. {@code service} is null for app-level objects (the namespace).
 * {@code reason} says why in words; {@code fields} lists the changed field paths where that applies;
 * {@code desired} is the object to write (null for a delete); {@code retention} is what the step does
 * to a database's kept data besides (null for most steps).
 */
public record Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                   HasMetadata desired, Retention retention) {

    public Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                HasMetadata desired) {
        this(action, app, service, object, reason, fields, desired, null);
    }

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
