package dev.dbstack.plan;

import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One change to one object. {@code service} is null for app-level objects (the namespace).
 * {@code reason} says why in words; {@code fields} lists the changed field paths where that applies;
 * {@code desired} is the object to write (null for a delete).
 */
public record Step(Action action, String app, ServiceId service, ObjectRef object, String reason, List<String> fields,
                   HasMetadata desired) {}
