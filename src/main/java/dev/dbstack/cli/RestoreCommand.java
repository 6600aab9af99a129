package dev.dbstack.cli;

import dev.dbstack.engine.Backups;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore an app from a Velero Backup and wait for it, with progress.",
                "--into NAMESPACE is a restore drill: the app's objects and volumes are restored into a new namespace,"
                        + " and the live app is not touched.",
                "--in-place APP restores over the live app: Velero never overwrites existing objects, so the app's"
                        + " database StatefulSets and their PersistentVolumeClaims (the live data) are deleted first, after"
                        + " confirmation (--yes).",
                "The stack's state is not changed; `dbstack up` afterwards converges the stack."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the Restore completed", "1:the Restore failed, partially failed or timed out; a fault of the cluster",
                "2:input to fix: an unknown app or backup, a backup that cannot be restored, a namespace that exists,"
                        + " --in-place without --yes"})
final class RestoreCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--app", required = true, paramLabel = "APP", description = "The app deployment to restore.")
    String app;

    @Option(names = "--backup", required = true, paramLabel = "NAME", description = "The Velero Backup (see `dbstack backups`).")
    String backup;

    @Option(names = "--into", paramLabel = "NAMESPACE", description = "A new namespace to restore into (a drill).")
    String into;

    @Option(names = "--in-place", paramLabel = "APP",
            description = "Restore over the live app instead, deleting its databases' StatefulSets and claims first;"
                    + " must name the same app as --app.")
    String inPlace;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking (--in-place).")
    boolean yes;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long to wait for the Restore, e.g. 90s, 10m (default: ${DEFAULT-VALUE}); it goes on after.")
    String timeout;

    @Override
    public Integer call() {
        ApplyOptions durations = new ApplyOptions();
        durations.timeout = timeout;
        Duration wait = durations.timeout();
        LoadedStack stack = options.load();
        AppDeployment target = Backups.checkRequest(stack.model(), app, into, inPlace);
        // The lock: a restore writes to the stack's cluster, and an in-place one deletes what `up` manages.
        try (Engine engine = Engine.open(stack, options.describe("restore"), System.err)) {
            try {
                return restore(engine, target, wait);
            } catch (Backups.WaitFailed e) {
                System.err.println("error: " + e.getMessage());
                return Main.EXIT_FAILURE;
            } finally {
                if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
            }
        }
    }

    private int restore(Engine engine, AppDeployment target, Duration wait) {
        Backups backups = new Backups(engine);
        Backups.Checked checked = backups.check(target, backup, into);
        checked.warnings().forEach(w -> System.err.println("warning: " + w));
        String ns = target.namespace();
        if (checked.inPlace()) {
            System.out.println("Restoring app " + target.name() + " in place (namespace " + ns + ") from backup " + backup + ".");
            System.out.println("Velero never overwrites existing objects, so this first deletes:");
            checked.statefulSets().forEach(s -> System.out.println("  - StatefulSet " + ns + "/" + s + " (and its pods)"));
            checked.claims().forEach(c -> System.out.println("  - PersistentVolumeClaim " + ns + "/" + c + " (its data)"));
            if (checked.statefulSets().isEmpty() && checked.claims().isEmpty()) System.out.println("  (nothing: no StatefulSets of the app are live)");
            System.out.println("The data written since the backup is lost.");
            if (!confirmed("Delete these and restore from " + backup + "?")) {
                System.out.println("Cancelled; nothing was changed.");
                return 0;
            }
            backups.deleteForInPlace(checked, wait, line -> System.out.println("  " + line));
        } else {
            System.out.println("Restoring app " + target.name() + " (namespace " + ns + ") from backup " + backup
                    + " into the new namespace " + into + " (a drill: the live app is not touched).");
        }
        String name = backups.createRestore(checked);
        String where = checked.veleroNamespace() + "/" + name;
        String look = "kubectl -n " + checked.veleroNamespace() + " get restore " + name + " -o yaml";
        System.out.println("Created Velero Restore " + where + "; waiting up to " + timeout + " for it (see it: " + look + ")");
        Thread interrupted = new Thread(() -> System.err.println("\ninterrupted: Restore " + where + " goes on in the cluster"
                + " without dbstack; see how it ends: " + look));
        Runtime.getRuntime().addShutdownHook(interrupted);
        Backups.RestoreStatus done;
        try {
            done = backups.await(checked, name, wait, s -> System.out.println("  " + s.phase()
                    + (s.totalItems() > 0 || s.itemsRestored() > 0 ? "  " + s.itemsRestored() + "/" + s.totalItems() + " items" : "")));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: it says where the Restore is
            }
        }
        if (done.timedOut()) {
            System.err.println("error: Restore " + where + " is still " + done.phase() + " after " + timeout + " (" + done.itemsRestored()
                    + "/" + done.totalItems() + " items); it goes on in the cluster: " + look);
            return Main.EXIT_FAILURE;
        }
        String counts = done.itemsRestored() + "/" + done.totalItems() + " items, " + done.errors() + " errors, " + done.warnings()
                + " warnings";
        switch (done.phase()) {
            case "Completed" -> {
                System.out.println();
                System.out.println("Restore " + where + " Completed (" + counts + ").");
                if (checked.inPlace()) {
                    System.out.println("App " + target.name() + " is restored in namespace " + ns + " from " + backup + "."
                            + " The stack's state was not changed: run `dbstack up --stack " + engine.stack().model().stack()
                            + "` to converge the stack (it recreates anything the backup did not hold).");
                } else {
                    System.out.println("The restored copy of app " + target.name() + " is in namespace " + into + ":");
                    System.out.println("  kubectl -n " + into + " get statefulsets,services,pvc,pods");
                    System.out.println("It is not managed by the stack (not in its state; `dbstack up` and `destroy` leave it"
                            + " alone). Delete it when the drill is done: kubectl delete namespace " + into);
                }
                return 0;
            }
            default -> {
                String why = done.failureReason() != null ? ": " + done.failureReason()
                        : !done.validationErrors().isEmpty() ? ": " + String.join("; ", done.validationErrors()) : "";
                System.err.println("error: Restore " + where + " ended " + done.phase() + why + " (" + counts + "). See `velero restore"
                        + " describe " + name + " --details` or " + look);
                if (!checked.inPlace()) System.err.println("What it restored is in namespace " + into + "; delete it with: kubectl"
                        + " delete namespace " + into);
                return Main.EXIT_FAILURE;
            }
        }
    }

    /** --yes, or a person's answer on a terminal; without either, exit 2 before anything is deleted. */
    private boolean confirmed(String question) {
        if (yes) return true;
        if (!Terminal.canPrompt()) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--yes", "an in-place restore deletes the app's live data first and"
                    + " this is not a terminal" + (System.console() != null ? " (CI is set)" : "") + ", so nothing to confirm"
                    + " with: run again with --yes to delete them and restore (nothing was changed)");
        }
        String answer = System.console().readLine("%s [y/N] ", question);
        return answer != null && (answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes"));
    }
}
