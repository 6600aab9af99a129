package dev.dbstack.cli;

import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanMarkdown;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.PlanReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show the steps `dbstack up` would take, as a tree per app deployment and layer. Changes nothing;"
                + " with --out, saves the plan for `dbstack up <file>` to apply exactly.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a fault of the machine or the cluster",
                "2:input to fix: configuration, arguments, a refused plan, a held lock",
                "3:changes pending (--expect-no-changes)"})
final class PreviewCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--diff", description = "Show the changed fields of every update (text format; json and markdown always have them).")
    boolean diff;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json (schema: docs/plan-output.schema.json) or markdown (a pull-request comment).")
    PlanOutput.Format format;

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = "--expect-no-changes", description = "Exit with code 3 if the plan has any change (a CI check).")
    boolean expectNoChanges;

    @Mixin
    DataOptions data;

    @Mixin
    TargetOptions target;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Save the plan to FILE (JSON, secrets sealed with the stack's key) for `dbstack up FILE` to apply"
                    + " exactly; takes the stack's lock while planning.")
    String out;

    @Override
    public Integer call() {
        PlanOutput.Format f = PlanOutput.format(format, json);
        LoadedStack stack = null;
        try {
            stack = options.load();
            // Saving a plan takes the lock: its secrets are sealed with state's key, and state must not move meanwhile.
            try (Engine engine = Engine.open(stack, out == null ? null : options.describe("preview --out " + out), System.err)) {
                if (out != null) engine.unlockSecrets(); // the plan file's secrets are sealed with it: a wrong passphrase first
                Engine.Planned planned = engine.preview(data.planner(), target.targets);
                Plan plan = planned.plan();
                switch (f) {
                    case json -> System.out.println(PlanReport.pretty(UpdateNotes.addTo(PlanReport.of(plan), engine.stack())));
                    case markdown -> System.out.print(PlanMarkdown.render(plan) + UpdateNotes.markdown(engine.stack()));
                    case text -> {
                        System.out.println("Previewing stack " + engine.stack().model().stack() + " of project "
                                + engine.stack().project().name() + (engine.stateIsEmpty() ? " (no state recorded yet)" : ""));
                        System.out.println();
                        System.out.print(PlanPrinter.print(plan, engine.stack().graph(), diff));
                        System.out.print(UpdateNotes.text(engine.stack()));
                    }
                }
                System.out.flush();
                if (out != null) {
                    engine.savePlan(planned, Path.of(out));
                    // Where a program reads stdout, the note goes to stderr.
                    (f == PlanOutput.Format.text ? System.out : System.err).println((f == PlanOutput.Format.text ? "\n" : "")
                            + "Saved this plan to " + out + (plan.targets().isAll() ? "" : " (targets: "
                            + String.join(", ", plan.targets().named()) + "; " + plan.deferred().size()
                            + (plan.deferred().size() == 1 ? " step" : " steps") + " deferred)")
                            + ". `dbstack up " + out + "` applies exactly it, and refuses it if"
                            + " the configuration, the stack's state or any object it was planned against changes first.");
                }
                System.out.flush();
                stats(engine);
                if (Faults.unreachable(engine)) return Main.EXIT_FAILURE;
                return expectNoChanges && !plan.isEmpty() ? PlanOutput.changesPending(plan, "preview", System.err) : 0;
            }
        } catch (UserInputException e) {
            PlanOutput.refused(f, stack, options.stack, e, System.out, false);
            throw e;
        }
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
    }
}
