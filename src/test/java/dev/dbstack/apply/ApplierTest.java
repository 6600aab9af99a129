package dev.dbstack.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Step;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.testing.ExampleStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApplierTest {
    private static final Applier.Recorder NO_STATE = new Applier.Recorder() {
        @Override
        public void applied(Step step, HasMetadata written) {}

        @Override
        public void deleted(Step step) {}

        @Override
        public void forgotten(Step step) {}
    };

    @Test
    void transientApiErrorsAreRetried() {
        RenderedStack stack = ExampleStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        try (Sandbox sandbox = Sandbox.start()) {
            sandbox.injectFaults(4, 503);
            List<String> events = new ArrayList<>();
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(30), Map.of(), (Progress) events::add)
                    .apply(plan, stack.graph(), NO_STATE);
            assertThat(r.ok()).as(r.errors().toString()).isTrue();
            assertThat(sandbox.client().apps().statefulSets().inNamespace("shop").list().getItems()).hasSize(4);

            sandbox.injectFaults(2, 429);
            Applier.Result again = new Applier(sandbox.client(), 2, Duration.ofSeconds(30), Map.of(), (Progress) events::add)
                    .apply(plan, stack.graph(), NO_STATE);
            assertThat(again.ok()).as("creates of existing objects converge to patches: %s", again.errors()).isTrue();
        }
    }

    @Test
    void aPermanentFailureStopsTheServiceAndItsDependantsWhileOthersFinish() {
        RenderedStack stack = ExampleStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        try (Sandbox sandbox = Sandbox.start()) {
            // An admission-style refusal that no retry fixes: the namespace exists, postgresql-1's Secret is rejected.
            sandbox.client().resource(stack.appObjects().get("shop").get(0)).create();
            List<Step> steps = plan.steps().stream().filter(s -> s.service() != null).toList();
            Plan services = new Plan("p", "dev", steps, List.of());
            sandbox.injectFaults(1, 403); // not transient: one refusal is final
            Applier.Result r = new Applier(sandbox.client(), 1, Duration.ofSeconds(30), Map.of(), (Progress) e -> { })
                    .apply(services, stack.graph(), NO_STATE);
            assertThat(r.services().get(new ServiceId("shop", "postgresql-1"))).isEqualTo(Applier.Outcome.FAILED);
            assertThat(r.services().get(new ServiceId("shop", "api"))).isEqualTo(Applier.Outcome.SKIPPED);
            assertThat(r.services().get(new ServiceId("shop", "redis-1"))).isEqualTo(Applier.Outcome.SUCCEEDED);
            assertThat(r.errors().get(new ServiceId("shop", "postgresql-1"))).contains("HTTP 403");
        }
    }

    @Test
    void aStepThatCannotBeRecordedStopsTheWholeRun() {
        RenderedStack stack = ExampleStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        List<Step> recorded = new ArrayList<>();
        Applier.Recorder diskFullAfterThree = new Applier.Recorder() {
            @Override
            public synchronized void applied(Step step, HasMetadata written) {
                if (recorded.size() == 3) throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
                recorded.add(step);
            }

            @Override
            public void deleted(Step step) {}

            @Override
            public void forgotten(Step step) {}
        };
        try (Sandbox sandbox = Sandbox.start()) {
            Applier applier = new Applier(sandbox.client(), 1, Duration.ofSeconds(30), Map.of(), (Progress) e -> { });
            Applier.RecordingFailed failed = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.RecordingFailed.class,
                    () -> applier.apply(plan, stack.graph(), diskFullAfterThree));

            assertThat(failed).as("recording failure ends the run instead of failing one service").isNotNull();
            assertThat(failed.getMessage()).contains("No space left on device");
            // One step was written to the cluster and not recorded; nothing after it was attempted.
            String ours = dev.dbstack.render.Labels.STACK;
            int objects = sandbox.client().secrets().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().services().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().apps().statefulSets().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().apps().deployments().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().namespaces().withLabel(ours).list().getItems().size();
            assertThat(objects).isEqualTo(recorded.size() + 1);
        }
    }
}
