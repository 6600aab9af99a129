package dev.dbstack.cli;

import dev.dbstack.engine.Engine;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "refresh", mixinStandardHelpOptions = true,
        description = {"Read the live cluster and bring the state up to date: forget objects that are gone,",
                "report objects that drifted from what was applied (preview and up show how they are restored)."})
final class RefreshCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options.load(), options.describe("refresh"), System.err)) {
            System.out.println("Refreshing stack " + engine.stack().model().stack() + " from the cluster");
            Engine.Refreshed refreshed = engine.refresh();
            refreshed.gone().forEach(ref -> System.out.println("  - gone   " + ref + " (no longer in the cluster; forgotten)"));
            refreshed.drifted().forEach(d -> System.out.println("  ! drift  " + d.ref() + ": " + String.join(", ", d.fields())));
            System.out.println("Refreshed: " + refreshed.recorded() + " recorded objects, " + refreshed.drifted().size()
                    + " drifted, " + refreshed.gone().size() + " gone.");
            if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
            // What a cluster that did not answer holds stays recorded: it was not seen, so nothing of it is gone.
            return Faults.unreachable(engine) ? Main.EXIT_FAILURE : 0;
        }
    }
}
