package dev.dbstack.cli;

import dev.dbstack.plan.ManagedDiff;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Recorded;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "refresh", mixinStandardHelpOptions = true,
        description = {"Read the live cluster and bring the state up to date: forget objects that are gone,",
                "report objects that drifted from what was applied (preview and up show how they are restored)."})
final class RefreshCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options, options.describe("refresh"), System.err)) {
            var known = engine.known();
            Map<ObjectRef, Recorded> recorded = known.objects();
            var live = engine.readLive(engine.stack.renderWithheld(), known).objects();
            int gone = 0;
            int drifted = 0;
            System.out.println("Refreshing stack " + engine.stack.model().stack() + " from the cluster");
            for (Recorded r : recorded.values()) {
                var current = live.get(r.ref());
                if (current == null) {
                    engine.state.removeObject(Engine.key(r.ref()));
                    System.out.println("  - gone   " + r.ref() + " (no longer in the cluster; forgotten)");
                    gone++;
                    continue;
                }
                if (r.lastApplied() == null) continue;
                List<String> fields = ManagedDiff.changedPaths(r.lastApplied(), Planner.withoutSecretData(current));
                if (!fields.isEmpty()) {
                    System.out.println("  ! drift  " + r.ref() + ": " + String.join(", ", fields));
                    drifted++;
                }
            }
            System.out.println("Refreshed: " + recorded.size() + " recorded objects, " + drifted + " drifted, " + gone + " gone.");
            return 0;
        }
    }
}
