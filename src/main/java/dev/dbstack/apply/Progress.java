package dev.dbstack.apply;

import dev.dbstack.model.ServiceId;
import java.util.List;

/** What an apply reports as it goes: a line per event, and where it stands for a live display. */
public interface Progress {
    void event(String line);

    /** A wave starts: {@code index} counts from 1. */
    default void wave(int index, int total, List<ServiceId> services) {}

    default void finished(ServiceId service, Applier.Outcome outcome) {}
}
