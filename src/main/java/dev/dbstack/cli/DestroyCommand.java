package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import dev.dbstack.apply.Applier;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.Step;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {"Remove the stack's objects, workloads first; their pods go with them.",
                "A database's PersistentVolumeClaims, namespace and the credentials that open them are kept unless"
                        + " --delete-data names the service."})
final class DestroyCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Option(names = "--delete-data", paramLabel = "SERVICE",
            description = "Delete this service's PersistentVolumeClaims and credentials too (app/layer, or a layer in"
                    + " every app); repeatable.")
    List<String> deleteData = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options.load(), options.describe("destroy"), System.err)) {
            try {
                return destroy(engine);
            } finally {
                if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
            }
        }
    }

    private Integer destroy(Engine engine) {
        Plan plan = engine.destroyPlan(Planner.Options.deleteData(Set.copyOf(deleteData)));
        if (plan.isEmpty()) {
            System.out.println("Nothing to destroy in stack " + engine.stack().model().stack()
                    + (engine.unreachable().isEmpty() ? "." : " on the clusters that answered."));
            return Faults.unreachable(engine) ? Main.EXIT_FAILURE : 0;
        }
        System.out.println("Destroying stack " + engine.stack().model().stack() + " of project " + engine.stack().project().name());
        System.out.println();
        System.out.print(PlanPrinter.printFlat(plan));
        if (!apply.confirmed("Destroy these objects?")) {
            System.out.println("Cancelled; nothing was changed.");
            return Faults.unreachable(engine) ? Main.EXIT_FAILURE : 0;
        }
        ConsoleProgress progress = ConsoleProgress.forStdout(plan);
        Applier.Result result = engine.destroy(plan, apply.parallel, apply.timeout(), progress);
        progress.close();
        if (plan.steps().stream().anyMatch(s -> s.retention() != null && s.retention().kind() == Step.Retention.Kind.KEEP)) {
            System.out.println();
            System.out.println("Kept the PersistentVolumeClaims of the databases, the namespaces they live in, and the"
                    + " credentials that open them. To delete a service's data too: dbstack destroy --stack "
                    + engine.stack().model().stack() + " --delete-data <app>/<layer>");
        }
        boolean unreachable = Faults.unreachable(engine);
        return result.ok() && !unreachable ? 0 : Main.EXIT_FAILURE;
    }
}
