package dev.dbstack.cli;

import dev.dbstack.engine.LoadedStack;

import dev.dbstack.config.StackLoader;
import dev.dbstack.model.Project;
import dev.dbstack.state.StackLock;
import dev.dbstack.state.StackState;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Remove a stack's lock left behind by a run that died. Make sure that run is really gone.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Option(names = {"-y", "--yes"}, description = "Remove the lock without asking.")
    boolean yes;

    @Override
    public Integer call() {
        Project project = StackLoader.loadProject(Path.of(options.cwd).toAbsolutePath().normalize());
        String stack = options.stack != null ? options.stack : LoadedStack.onlyStack(project);
        Path dir = StackState.directory(project.dir(), stack);
        var holder = StackLock.holder(dir);
        if (holder.isEmpty() && !java.nio.file.Files.exists(StackLock.lockFile(dir))) {
            System.out.println("Stack " + stack + " is not locked.");
            return 0;
        }
        System.out.println("Stack " + stack + " is locked by " + holder.map(StackLock.Holder::describe).orElse("an unreadable lock file") + ".");
        ApplyOptions confirm = new ApplyOptions();
        confirm.yes = yes;
        if (!confirm.confirmed("Remove the lock?")) {
            System.out.println("Lock kept.");
            return 0;
        }
        StackLock.forceRelease(dir);
        System.out.println("Lock removed. If the run that held it was applying, the next `dbstack up` converges from its journal.");
        return 0;
    }
}
