package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.PlanReport;
import dev.dbstack.plan.SavedPlan;
import dev.dbstack.render.RenderedStack;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Compute the plan, show it, and apply it along the service graph, each service once what it"
                + " consumes is ready. With PLAN (a file `dbstack preview --out` saved), apply exactly that plan instead.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a failed apply, a stale plan, or a fault of the machine or cluster",
                "2:input to fix: configuration, arguments, a refused or stale saved plan, a held lock",
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

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PLAN",
            description = "A plan saved by `dbstack preview --out PLAN`: applied exactly as previewed, or refused if anything"
                    + " it was planned against changed since.")
    String planFile;

    @Override
    public Integer call() {
        if (planFile != null) return applySaved();
        LoadedStack[] stack = {null};
        try (Engine engine = refusing(stack, () -> Engine.open(stack[0] = options.load(), options.describe("up"), System.err))) {
            Engine.Planned planned = refusing(stack, () -> engine.preview(data.planner(), target.targets));
            return show(engine, planned, "Updating stack " + engine.stack().model().stack() + " of project "
                    + engine.stack().project().name());
        }
    }

    /** {@code up PLAN}: the saved plan, if it still holds; the data options were given when it was made. */
    private Integer applySaved() {
        String flag = data.firstGiven();
        if (flag != null) {
            throw UserInputException.of(SourceRef.UNKNOWN, flag, "is given when the plan is made (`dbstack preview --out "
                    + planFile + " " + flag + " ...`); " + planFile + " already says what it does to data, so `up " + planFile
                    + "` takes no data options");
        }
        if (target.given()) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--target", "is given when the plan is made (`dbstack preview --out "
                    + planFile + " --target ...`); " + planFile + " already says what it applies, so `up " + planFile
                    + "` takes no --target");
        }
        LoadedStack[] stack = {null};
        SavedPlan.Checked saved = refusing(stack, () -> Engine.readPlan(Path.of(planFile), planFile));
        refusing(stack, () -> {
            stack[0] = options.load(saved.stack());
            Engine.refuseForeign(stack[0], saved, planFile);
            return null;
        });
        try (Engine engine = refusing(stack, () -> Engine.open(stack[0], options.describe("up " + planFile), System.err))) {
            Engine.Planned planned = refusing(stack, () -> engine.loadPlan(saved, planFile));
            try {
                return show(engine, planned, "Updating stack " + engine.stack().model().stack() + " of project "
                        + engine.stack().project().name() + " with the plan saved in " + planFile + " (made " + saved.createdAt() + ")");
            } catch (Applier.PlanStale stale) {
                System.err.println("error: " + stale.getMessage() + ". The plan in " + planFile + " is stale: the run stopped"
                        + " there and wrote nothing more (every step before it is recorded). Run `dbstack preview --stack "
                        + engine.stack().model().stack() + " --out " + planFile + "` again, review it, and apply that");
                return Main.EXIT_FAILURE;
            }
        }
    }

    /** Runs {@code step}; input it refuses is also printed as a JSON document when --json asks for one. */
    private <T> T refusing(LoadedStack[] stack, Supplier<T> step) {
        try {
            return step.get();
        } catch (UserInputException e) {
            PlanOutput.refused(json ? PlanOutput.Format.json : PlanOutput.Format.text, stack[0], options.stack, e, System.out, true);
            throw e;
        }
    }

    /** Shows the plan, stops there under --expect-no-changes, confirms, applies and reports. */
    private Integer show(Engine engine, Engine.Planned planned, String heading) {
        RenderedStack desired = planned.desired();
        Plan plan = planned.plan();
        if (json) {
            System.out.println(PlanReport.compact(UpdateNotes.addTo(PlanReport.of(plan), engine.stack())));
        } else {
            System.out.println(heading);
            System.out.println();
            System.out.print(PlanPrinter.print(plan, engine.stack().graph()));
            System.out.print(UpdateNotes.text(engine.stack()));
        }
        System.out.flush();
        if (expectNoChanges && !plan.isEmpty()) {
            stats(engine);
            Faults.unreachable(engine);
            return PlanOutput.changesPending(plan, "up", System.err);
        }
        JsonProgress events = json ? new JsonProgress(System.out, plan, Clock.systemUTC()) : null;
        if (!plan.isEmpty() && !apply.confirmed("Apply these changes?")) {
            if (events != null) events.finished(new Applier.Result(Map.of(), Map.of(), 0), "Cancelled; nothing was changed.");
            else System.out.println("Cancelled; nothing was changed.");
            stats(engine);
            return Faults.unreachable(engine) ? Main.EXIT_FAILURE : 0;
        }
        if (!plan.isEmpty() && events == null) System.out.println();
        ConsoleProgress console = events == null ? ConsoleProgress.forStdout(plan) : null;
        Applier.Result result;
        try {
            result = engine.up(planned, apply.parallel, apply.timeout(), events != null ? events : console);
        } catch (RuntimeException e) {
            // The run stopped (state could not be recorded, a stale plan, the cluster went away): the stream says so last.
            if (events != null) events.stopped(Faults.describe(e).orElse(e.getMessage() != null ? e.getMessage() : e.toString()));
            throw e;
        } finally {
            if (console != null) console.close();
        }
        String applied = "Applied: " + JsonProgress.count(result, Applier.Outcome.SUCCEEDED) + " services succeeded, "
                + JsonProgress.count(result, Applier.Outcome.FAILED) + " failed, "
                + JsonProgress.count(result, Applier.Outcome.SKIPPED) + " skipped.";
        if (events != null) {
            // Clusters that did not answer: their apps were not planned (stderr says so too); the stream says it first.
            engine.unreachable().forEach(u -> events.event("error: " + u.message()));
            events.finished(result, plan.isEmpty() ? "No changes." : applied);
        } else {
            if (!plan.isEmpty()) {
                System.out.println();
                result.services().forEach((id, outcome) -> {
                    if (outcome != Applier.Outcome.SUCCEEDED) System.out.println(outcome.name().toLowerCase() + ": " + id + " — " + result.errors().get(id));
                });
                System.out.println(applied);
            }
            if (!plan.deferred().isEmpty()) {
                System.out.println(plan.deferred().size() + (plan.deferred().size() == 1 ? " step" : " steps")
                        + " deferred (not targeted): `dbstack up` without --target"
                        + " applies them.");
            }
            // A targeted up shows the outputs of what it applied: a deferred service's are not there yet.
            if (result.ok()) OutputsCommand.print(desired, false, System.out, plan.targets().isAll() ? id -> true
                    : id -> plan.targets().services().contains(id));
        }
        stats(engine);
        boolean unreachable = Faults.unreachable(engine);
        return result.ok() && !unreachable ? 0 : Main.EXIT_FAILURE;
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
    }
}
