package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import dev.dbstack.apply.Applier;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.PlanReport;
import dev.dbstack.render.RenderedStack;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Compute the plan, show it, and apply it wave by wave, waiting for each service to be ready.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a failed apply or a fault of the machine or cluster",
                "2:input to fix: configuration, arguments, a refused plan, a held lock",
                "3:changes pending (--expect-no-changes)"})
final class UpCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Option(names = "--json", description = "Print the plan as one JSON document (docs/plan-output.schema.json), then"
            + " one JSON object per line for each event, the last one with the result.")
    boolean json;

    @Option(names = "--expect-no-changes", description = "If the plan has any change, apply nothing and exit with code 3"
            + " (a CI check).")
    boolean expectNoChanges;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        PlanOutput.Format format = json ? PlanOutput.Format.json : PlanOutput.Format.text;
        LoadedStack stack = null;
        Engine opened;
        try {
            stack = options.load();
            opened = Engine.open(stack, options.describe("up"), System.err);
        } catch (UserInputException e) {
            PlanOutput.refused(format, stack, options.stack, e, System.out, true);
            throw e;
        }
        try (Engine engine = opened) {
            Engine.Planned planned;
            try {
                planned = engine.preview(data.planner());
            } catch (UserInputException e) {
                PlanOutput.refused(format, stack, options.stack, e, System.out, true);
                throw e;
            }
            RenderedStack desired = planned.desired();
            Plan plan = planned.plan();
            if (json) {
                System.out.println(PlanReport.compact(PlanReport.of(plan)));
            } else {
                System.out.println("Updating stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name());
                System.out.println();
                System.out.print(PlanPrinter.print(plan, engine.stack().graph()));
            }
            System.out.flush();
            if (expectNoChanges && !plan.isEmpty()) {
                stats(engine);
                return PlanOutput.changesPending(plan, "up", System.err);
            }
            JsonProgress events = json ? new JsonProgress(System.out, plan, Clock.systemUTC()) : null;
            if (!plan.isEmpty() && !apply.confirmed("Apply these changes?")) {
                if (events != null) events.finished(new Applier.Result(Map.of(), Map.of(), 0), "Cancelled; nothing was changed.");
                else System.out.println("Cancelled; nothing was changed.");
                stats(engine);
                return 0;
            }
            if (!plan.isEmpty() && events == null) System.out.println();
            ConsoleProgress console = events == null ? ConsoleProgress.forStdout() : null;
            Applier.Result result;
            try {
                result = engine.up(planned, apply.parallel, apply.timeout(), events != null ? events : console);
            } catch (RuntimeException e) {
                // The run stopped (state could not be recorded, the cluster went away): the stream still says so last.
                if (events != null) events.stopped(Faults.describe(e).orElse("internal error: " + e));
                throw e;
            }
            String applied = "Applied: " + JsonProgress.count(result, Applier.Outcome.SUCCEEDED) + " services succeeded, "
                    + JsonProgress.count(result, Applier.Outcome.FAILED) + " failed, "
                    + JsonProgress.count(result, Applier.Outcome.SKIPPED) + " skipped.";
            if (events != null) {
                events.finished(result, plan.isEmpty() ? "No changes." : applied);
            } else {
                console.close();
                if (!plan.isEmpty()) {
                    System.out.println();
                    result.services().forEach((id, outcome) -> {
                        if (outcome != Applier.Outcome.SUCCEEDED) System.out.println(outcome.name().toLowerCase() + ": " + id + " — " + result.errors().get(id));
                    });
                    System.out.println(applied);
                }
                if (result.ok()) OutputsCommand.print(desired, false, System.out);
            }
            stats(engine);
            return result.ok() ? 0 : Main.EXIT_FAILURE;
        }
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
