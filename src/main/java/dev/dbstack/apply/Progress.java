package dev.dbstack.apply;

import dev.dbstack.model.ServiceId;

/**
 * What an apply reports as it goes: a line per event, and where each service stands for a live
 * display. There are no waves: services start whenever what they consume is ready, so a service is
 * {@link #started}, maybe {@link #waiting} for readiness, then {@link #finished} (the deletes of a
 * service report the same way). Calls come from several threads.
 */
public interface Progress {
    void event(String line);

    /** A service's steps begin. */
    default void started(ServiceId service) {}

    /** A service's steps are done and it waits for its objects to be ready; called when {@code reason} changes. */
    default void waiting(ServiceId service, String reason) {}

    default void finished(ServiceId service, Applier.Outcome outcome) {}
}
