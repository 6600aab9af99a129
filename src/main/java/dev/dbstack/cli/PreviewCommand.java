package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show the steps `dbstack up` would take, as a tree per app deployment and layer. Changes nothing.")
final class PreviewCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--diff", description = "Show the changed fields of every update.")
    boolean diff;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options.load(), null, System.err)) {
            Plan plan = engine.preview(data.planner()).plan();
            System.out.println("Previewing stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name()
                    + (engine.stateIsEmpty() ? " (no state recorded yet)" : ""));
            System.out.println();
            System.out.print(PlanPrinter.print(plan, engine.stack().graph(), diff));
            stats(engine);
            return 0;
        }
    }

    private void stats(Engine engine) {
        if (main != null && main.verbose && engine.requestStats() != null) System.err.println(engine.requestStats());
    }
}
