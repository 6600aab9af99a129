package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import dev.dbstack.apply.Applier;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.render.RenderedStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Compute the plan, show it, and apply it wave by wave, waiting for each service to be ready.")
final class UpCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options.load(), options.describe("up"), System.err)) {
            Engine.Planned planned = engine.preview(data.planner());
            RenderedStack desired = planned.desired();
            Plan plan = planned.plan();
            System.out.println("Updating stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name());
            System.out.println();
            System.out.print(PlanPrinter.print(plan, engine.stack().graph()));
            if (!plan.isEmpty() && !apply.confirmed("Apply these changes?")) {
                System.out.println("Cancelled; nothing was changed.");
                stats(engine);
                return 0;
            }
            if (!plan.isEmpty()) System.out.println();
            ConsoleProgress progress = ConsoleProgress.forStdout();
            Applier.Result result = engine.up(planned, apply.parallel, apply.timeout(), progress);
            progress.close();
            if (!plan.isEmpty()) {
                System.out.println();
                result.services().forEach((id, outcome) -> {
                    if (outcome != Applier.Outcome.SUCCEEDED) System.out.println(outcome.name().toLowerCase() + ": " + id + " — " + result.errors().get(id));
                });
                long ok = result.services().values().stream().filter(o -> o == Applier.Outcome.SUCCEEDED).count();
                System.out.println("Applied: " + ok + " services succeeded, "
                        + result.services().values().stream().filter(o -> o == Applier.Outcome.FAILED).count() + " failed, "
                        + result.services().values().stream().filter(o -> o == Applier.Outcome.SKIPPED).count() + " skipped.");
            }
            if (result.ok()) OutputsCommand.print(desired, false, System.out);
            stats(engine);
            return result.ok() ? 0 : Main.EXIT_FAILURE;
        }
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
