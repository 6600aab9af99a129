package dev.dbstack.cli;

import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;

import dev.dbstack.apply.Applier;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.SavedPlan;
import dev.dbstack.render.RenderedStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Compute the plan, show it, and apply it wave by wave, waiting for each service to be ready."
                + " With PLAN (a file `dbstack preview --out` saved), apply exactly that plan instead.")
final class UpCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Mixin
    DataOptions data;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PLAN",
            description = "A plan saved by `dbstack preview --out PLAN`: applied exactly as previewed, or refused if anything"
                    + " it was planned against changed since.")
    String planFile;

    @Override
    public Integer call() {
        if (planFile != null) return applySaved();
        try (Engine engine = Engine.open(options.load(), options.describe("up"), System.err)) {
            Engine.Planned planned = engine.preview(data.planner());
            System.out.println("Updating stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name());
            return confirmAndApply(engine, planned);
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
        SavedPlan.Checked saved = Engine.readPlan(Path.of(planFile), planFile);
        LoadedStack stack = options.load(saved.stack());
        Engine.refuseForeign(stack, saved, planFile);
        try (Engine engine = Engine.open(stack, options.describe("up " + planFile), System.err)) {
            Engine.Planned planned = engine.loadPlan(saved, planFile);
            System.out.println("Updating stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name()
                    + " with the plan saved in " + planFile + " (made " + saved.createdAt() + ")");
            try {
                return confirmAndApply(engine, planned);
            } catch (Applier.PlanStale stale) {
                System.err.println("error: " + stale.getMessage() + ". The plan in " + planFile + " is stale: the run stopped"
                        + " there and wrote nothing more (every step before it is recorded). Run `dbstack preview --stack "
                        + engine.stack().model().stack() + " --out " + planFile + "` again, review it, and apply that");
                return Main.EXIT_FAILURE;
            }
        }
    }

    private Integer confirmAndApply(Engine engine, Engine.Planned planned) {
        RenderedStack desired = planned.desired();
        Plan plan = planned.plan();
        System.out.println();
        System.out.print(PlanPrinter.print(plan, engine.stack().graph()));
        if (!plan.isEmpty() && !apply.confirmed("Apply these changes?")) {
            System.out.println("Cancelled; nothing was changed.");
            stats(engine);
            return 0;
        }
        if (!plan.isEmpty()) System.out.println();
        ConsoleProgress progress = ConsoleProgress.forStdout();
        Applier.Result result;
        try {
            result = engine.up(planned, apply.parallel, apply.timeout(), progress);
        } finally {
            progress.close();
        }
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

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
