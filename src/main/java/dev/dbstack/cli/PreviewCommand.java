package dev.dbstack.cli;

import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.Planner;
import dev.dbstack.render.RenderedStack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show the steps `dbstack up` would take, as a tree per app deployment and layer. Contacts no cluster yet.")
final class PreviewCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Override
    public Integer call() {
        LoadedStack stack = LoadedStack.load(options);
        RenderedStack rendered = stack.render(false);
        Plan plan = Planner.planFromScratch(stack.project().name(), stack.model().stack(), rendered);
        System.out.println("Previewing stack " + stack.model().stack() + " of project " + stack.project().name()
                + " (no state recorded yet: every object is new)");
        System.out.println();
        System.out.print(PlanPrinter.print(plan, stack.graph()));
        return 0;
    }
}
