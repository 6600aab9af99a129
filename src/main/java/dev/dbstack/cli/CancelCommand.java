package dev.dbstack.cli;

import dev.dbstack.config.StackLoader;
import dev.dbstack.engine.Backends;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.Project;
import dev.dbstack.state.StackLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Remove a stack's lock (the lock file, or the Lease of a kubernetes:// backend) left behind by a run"
                + " that died. Make sure that run is really gone.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Option(names = {"-y", "--yes"}, description = "Remove the lock without asking.")
    boolean yes;

    @Override
    public Integer call() {
        Project project = StackLoader.loadProject(Path.of(options.cwd).toAbsolutePath().normalize());
        String stack = options.stack != null ? options.stack : LoadedStack.onlyStack(project);
        Optional<Path> local = Backends.localLockDir(project, stack);
        boolean localLocked = local.isPresent() && Files.exists(StackLock.lockFile(local.get()));
        try (Backends.Opened opened = Backends.openToBreak(project, stack)) {
            var holder = opened.backend.holder();
            if (holder.isEmpty() && local.isPresent()) holder = StackLock.holder(local.get());
            if (!opened.backend.isLocked() && !localLocked) {
                System.out.println("Stack " + stack + " is not locked.");
                return 0;
            }
            System.out.println("Stack " + stack + " is locked by " + holder.map(StackLock.Holder::describe)
                    .orElse("an unreadable lock") + ".");
            ApplyOptions confirm = new ApplyOptions();
            confirm.yes = yes;
            if (!confirm.confirmed("Remove the lock?")) {
                System.out.println("Lock kept.");
                return 0;
            }
            opened.backend.breakLock();
        }
        local.ifPresent(StackLock::forceRelease);
        System.out.println("Lock removed. If the run that held it was applying, the next `dbstack up` converges from its journal.");
        return 0;
    }
}
