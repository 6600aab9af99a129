package dev.dbstack.cli;

import dev.dbstack.engine.Backups;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.AppDeployment;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up an app now, from its Velero Schedule (as `velero backup create --from-schedule` does), and"
                + " wait for the Backup with progress: before a risky change, or to try a restore drill.",
                "The Backup carries the app's labels, runs the same hooks and keeps the same retention as the scheduled ones."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the Backup completed", "1:the Backup failed, partially failed or timed out; a fault of the cluster",
                "2:input to fix: an unknown app, an app whose cluster group does not back up, a Schedule not applied yet,"
                        + " Velero not installed"})
final class BackupCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--app", required = true, paramLabel = "APP", description = "The app deployment to back up.")
    String app;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "How long to wait for the Backup, e.g. 90s, 30m (default: ${DEFAULT-VALUE}); it goes on after.")
    String timeout;

    @Override
    public Integer call() {
        ApplyOptions durations = new ApplyOptions();
        durations.timeout = timeout;
        Duration wait = durations.timeout();
        LoadedStack stack = options.load();
        AppDeployment target = Backups.app(stack.model(), app, "--app"); // before the cluster is contacted
        // The lock: a Backup is written to the stack's cluster (on the sandbox, only a lock holder writes).
        try (Engine engine = Engine.open(stack, options.describe("backup"), System.err)) {
            try {
                Backups backups = new Backups(engine);
                String name = backups.backupNow(target);
                String ns = Backups.veleroNamespace(stack.model(), target);
                System.out.println("Created Velero Backup " + ns + "/" + name + " of app " + target.name() + " (namespace "
                        + target.namespace() + "); waiting up to " + timeout + " for it");
                Backups.Backup done = backups.awaitBackup(target, name, wait, b -> System.out.println("  " + b.phaseOrNew()));
                if (!Backups.TERMINAL.contains(done.phaseOrNew())) {
                    System.err.println("error: Backup " + ns + "/" + name + " is still " + done.phaseOrNew() + " after " + timeout
                            + "; it goes on in the cluster: dbstack backups --app " + target.name());
                    return Main.EXIT_FAILURE;
                }
                if (!done.phaseOrNew().equals("Completed")) {
                    String why = done.failureReason() != null ? ": " + done.failureReason()
                            : !done.validationErrors().isEmpty() ? ": " + String.join("; ", done.validationErrors()) : "";
                    System.err.println("error: Backup " + ns + "/" + name + " ended " + done.phaseOrNew() + why + " (" + done.errors()
                            + " errors, " + done.warnings() + " warnings). See `velero backup describe " + name + " --details`");
                    return Main.EXIT_FAILURE;
                }
                System.out.println();
                System.out.println("Backup " + ns + "/" + name + " Completed" + (done.expires() != null ? ", kept until "
                        + done.expires() : "") + ".");
                System.out.println("Try it in a drill: dbstack restore --stack " + stack.model().stack() + " --app " + target.name()
                        + " --backup " + name + " --into " + drillNamespace(target.namespace()));
                return 0;
            } catch (Backups.WaitFailed e) {
                System.err.println("error: " + e.getMessage());
                return Main.EXIT_FAILURE;
            } finally {
                if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
            }
        }
    }

    /** A namespace name to suggest for a drill: the app's with {@code -drill}, within a DNS label's 63 characters. */
    private static String drillNamespace(String namespace) {
        String base = namespace.length() > 57 ? namespace.substring(0, 57).replaceFirst("-+$", "") : namespace;
        return base + "-drill";
    }
}
