package dev.dbstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.apply.Applier;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.Step;
import dev.dbstack.render.RenderedStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Compute the plan, show it, and apply it wave by wave, waiting for each service to be ready.")
final class UpCommand implements Callable<Integer> {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options, options.describe("up"), System.err)) {
            RenderedStack desired = engine.render(true);
            Plan plan = engine.plan(desired, new HashSet<>(apply.deleteData));
            System.out.println("Updating stack " + engine.stack.model().stack() + " of project " + engine.stack.project().name());
            System.out.println();
            System.out.print(PlanPrinter.print(plan, engine.stack.graph()));
            if (plan.isEmpty()) {
                adoptUnrecorded(engine, desired);
                OutputsCommand.print(desired, false, System.out);
                stats(engine);
                return 0;
            }
            if (!apply.confirmed("Apply these changes?")) {
                System.out.println("Cancelled; nothing was changed.");
                stats(engine);
                return 0;
            }
            System.out.println();
            ConsoleProgress progress = ConsoleProgress.forStdout();
            Applier applier = new Applier(engine.client, apply.parallel, apply.timeout(), engine.lastApplied(), progress);
            Applier.Result result = applier.apply(plan, engine.stack.graph(), recorder(engine));
            progress.close();
            System.out.println();
            result.services().forEach((id, outcome) -> {
                if (outcome != Applier.Outcome.SUCCEEDED) System.out.println(outcome.name().toLowerCase() + ": " + id + " — " + result.errors().get(id));
            });
            long ok = result.services().values().stream().filter(o -> o == Applier.Outcome.SUCCEEDED).count();
            System.out.println("Applied: " + ok + " services succeeded, "
                    + result.services().values().stream().filter(o -> o == Applier.Outcome.FAILED).count() + " failed, "
                    + result.services().values().stream().filter(o -> o == Applier.Outcome.SKIPPED).count() + " skipped.");
            if (result.ok()) {
                adoptUnrecorded(engine, desired);
                OutputsCommand.print(desired, false, System.out);
            }
            stats(engine);
            return result.ok() ? 0 : Main.EXIT_FAILURE;
        }
    }

    /**
     * Records desired objects that exist live exactly as desired but are missing from state: a run
     * killed between a write and its record leaves such objects, and without this a later removal
     * from config would not delete them.
     */
    private static void adoptUnrecorded(Engine engine, RenderedStack desired) {
        // The objects in question were already live when the plan read the cluster: no second read.
        var recorded = engine.recorded();
        var live = engine.plannedAgainst().objects();
        for (var entry : desired.appObjects().entrySet()) {
            for (HasMetadata o : entry.getValue()) adopt(engine, recorded, live, entry.getKey(), "", o);
        }
        for (var id : desired.graph().applyOrder()) {
            for (HasMetadata o : desired.service(id).objects()) adopt(engine, recorded, live, id.app(), id.toString(), o);
        }
    }

    private static void adopt(Engine engine, java.util.Map<dev.dbstack.plan.ObjectRef, dev.dbstack.plan.Recorded> recorded,
                              java.util.Map<dev.dbstack.plan.ObjectRef, JsonNode> live, String app, String service, HasMetadata o) {
        var ref = dev.dbstack.plan.ObjectRef.of(o);
        if (recorded.containsKey(ref) || !live.containsKey(ref)) return;
        engine.state.putObject(Engine.key(ref), app, service,
                Planner.withoutSecretData(SERIALIZATION.convertValue(o, JsonNode.class)));
    }

    /** Records each applied step in the stack's state: the desired object, never a Secret's values. */
    static Applier.Recorder recorder(Engine engine) {
        return new Applier.Recorder() {
            @Override
            public void applied(Step step, HasMetadata written) {
                JsonNode applied = Planner.withoutSecretData(SERIALIZATION.convertValue(step.desired(), JsonNode.class));
                engine.state.putObject(Engine.key(step.object()), step.app(),
                        step.service() == null ? "" : step.service().toString(), applied);
            }

            @Override
            public void deleted(Step step) {
                engine.state.removeObject(Engine.key(step.object()));
            }
        };
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
