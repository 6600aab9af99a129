package dev.dbstack.cli;

import dev.dbstack.config.PinEditor;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.profiles.PinUpdate;
import dev.dbstack.profiles.ProfileDiff;
import dev.dbstack.profiles.ProfileUpdates;
import dev.dbstack.profiles.UpdatePrinter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "app", mixinStandardHelpOptions = true, description = "Work on one app deployment.",
        subcommands = AppCommand.Update.class)
final class AppCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: app update APP [--to VERSION]");
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Pin one app to another version of its profile (the newest, or --to VERSION): rewrites only that"
                    + " app's profile: line in the stack file, then previews what `up` would change for the app. Deploys"
                    + " nothing; other apps keep their pins.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:success (also when the app already pins that version)", "1:a fault of the machine or the cluster",
                    "2:input to fix: an unknown app or version, a file dbstack cannot edit safely"})
    static final class Update implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Parameters(paramLabel = "APP", description = "The app deployment to update.")
        String app;

        @Option(names = "--to", paramLabel = "VERSION", description = "The profile version to pin (default: the newest).")
        String to;

        @Override
        public Integer call() {
            LoadedStack before = options.load();
            PinUpdate update = PinUpdate.of(before.model(), app, to);
            if (update.unchanged()) {
                System.out.println("App " + app + " already pins " + update.newRef() + "; the stack file is unchanged.");
                return 0;
            }
            String oldRef = update.app().profile() + "@" + update.app().profileVersion();
            var diff = ProfileDiff.between(before.model().profileOf(update.app()),
                    ProfileUpdates.versions(before.model(), update.app().profile()).stream()
                            .filter(p -> p.version().equals(update.target())).findFirst().orElseThrow(), before.catalog(), app);
            String file = before.model().stackFile();
            PinEditor.setPin(before.project().dir().resolve(file), file, app, update.newRef());
            System.out.println("Updated app " + app + " in " + file + ": profile " + oldRef + " → " + update.newRef());
            System.out.print(UpdatePrinter.layers(diff));
            LoadedStack after = options.load(before.model().stack());
            try (Engine engine = Engine.open(after, null, System.err)) {
                Plan plan = engine.preview(new DataOptions().planner()).plan();
                // Only this app: its steps, and no warning that names another app.
                var others = after.model().apps().stream().map(a -> a.name()).filter(n -> !n.equals(app)).toList();
                Plan mine = new Plan(plan.project(), plan.stack(),
                        plan.steps().stream().filter(s -> app.equals(s.app())).toList(),
                        plan.warnings().stream().filter(w -> others.stream().noneMatch(o -> w.contains("app '" + o + "'"))).toList());
                System.out.println();
                System.out.println("Preview of app " + app + " (nothing is deployed until `dbstack up`):");
                System.out.println();
                System.out.print(PlanPrinter.print(mine, engine.stack().graph()));
                if (Faults.unreachable(engine)) return Main.EXIT_FAILURE;
            }
            return 0;
        }
    }
}
