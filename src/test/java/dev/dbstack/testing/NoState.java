package dev.dbstack.testing;

import dev.dbstack.apply.Applier;
import dev.dbstack.plan.Step;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** An apply's recorder for tests and benchmarks about the cluster only: it records nothing. */
public final class NoState implements Applier.Recorder {
    public static final Applier.Recorder RECORDER = new NoState();

    private NoState() {}

    @Override
    public void applied(Step step, HasMetadata written) {}

    @Override
    public void deleted(Step step) {}

    @Override
    public void forgotten(Step step) {}
}
