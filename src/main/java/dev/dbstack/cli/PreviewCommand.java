package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show the steps `dbstack up` would take, as a tree per app deployment and layer. Changes nothing;"
                + " with --out, saves the plan for `dbstack up <file>` to apply exactly.")
final class PreviewCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--diff", description = "Show the changed fields of every update.")
    boolean diff;

    @Mixin
    DataOptions data;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Save the plan to FILE (JSON, secrets sealed with the stack's key) for `dbstack up FILE` to apply"
                    + " exactly; takes the stack's lock while planning.")
    String out;

    @Override
    public Integer call() {
        // Saving a plan takes the lock: its secrets are sealed with state's key, and state must not move meanwhile.
        try (Engine engine = Engine.open(options.load(), out == null ? null : options.describe("preview --out " + out), System.err)) {
            Engine.Planned planned = engine.preview(data.planner());
            Plan plan = planned.plan();
            System.out.println("Previewing stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name()
                    + (engine.stateIsEmpty() ? " (no state recorded yet)" : ""));
            System.out.println();
            System.out.print(PlanPrinter.print(plan, engine.stack().graph(), diff));
            if (out != null) {
                engine.savePlan(planned, Path.of(out));
                System.out.println();
                System.out.println("Saved this plan to " + out + ". `dbstack up " + out + "` applies exactly it, and refuses it if"
                        + " the configuration, the stack's state or any object it was planned against changes first.");
            }
            stats(engine);
            return 0;
        }
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
