package dev.dbstack.cli;

import dev.dbstack.config.StackLoader;
import dev.dbstack.engine.Backends;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.Project;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.state.StackState;
import dev.dbstack.state.StateBackend;
import dev.dbstack.state.StateDocument;
import dev.dbstack.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "state", mixinStandardHelpOptions = true,
        description = "Export a stack's state as one JSON document, or import one: to move a stack between backends"
                + " (file:// and kubernetes://) or keep a backup.",
        subcommands = {StateCommand.Export.class, StateCommand.Import.class})
final class StateCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static Project project(StackOptions options) {
        return StackLoader.loadProject(Path.of(options.cwd).toAbsolutePath().normalize());
    }

    static String stack(StackOptions options, Project project) {
        return options.stack != null ? options.stack : LoadedStack.onlyStack(project);
    }

    static boolean stdio(String file) {
        return file == null || file.equals("-");
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the stack's whole state (from the backend backend.url or DBSTACK_BACKEND_URL selects) as a"
                    + " JSON document with a checksum. Credentials stay encrypted, as in state.")
    static final class Export implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write here instead of standard output ('-').")
        String file;

        @Override
        public Integer call() throws IOException {
            Project project = project(options);
            String stack = stack(options, project);
            byte[] doc;
            StateStore.State state;
            String where;
            try (Backends.Opened opened = Backends.open(project, stack, null)) {
                state = opened.backend.load();
                where = opened.backend.describe();
                if (state.entries().isEmpty()) {
                    throw UserInputException.of(SourceRef.UNKNOWN, "", "stack '" + stack + "' has no state in " + where
                            + ": nothing to export (is this the backend it was deployed with? backend.url in Pulumi.yaml, or "
                            + Backends.ENV + ")");
                }
                doc = StateDocument.write(project.name(), stack, state, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                        where);
            }
            if (stdio(file)) {
                System.out.write(doc);
                System.out.flush();
            } else {
                Path target = Path.of(file).toAbsolutePath();
                Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                Files.write(tmp, doc);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.err.println("Exported the state of stack " + stack + " (serial " + state.serial() + ", "
                    + state.entries().size() + " entries) from " + where + (stdio(file) ? "" : " to " + file) + ".");
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Write a document from `dbstack state export` into the backend backend.url or DBSTACK_BACKEND_URL"
                    + " selects, as a fresh snapshot, under the stack's lock. Refuses (nothing written) a document of another"
                    + " project or stack, one that fails its checksum, a newer format, and a stack that already has state"
                    + " unless --yes.")
    static final class Import implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read from here instead of standard input ('-').")
        String file;

        @Option(names = {"-y", "--yes"}, description = "Replace the state the stack already has in the target backend.")
        boolean yes;

        @Override
        public Integer call() throws IOException {
            Project project = project(options);
            String stack = stack(options, project);
            String where = stdio(file) ? "<stdin>" : file;
            byte[] bytes;
            try {
                bytes = stdio(file) ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            } catch (NoSuchFileException e) {
                throw UserInputException.of(new SourceRef(file, 0), "--file", "no such file");
            }
            // Every check of the document before anything is opened, let alone written.
            StateDocument.Parsed doc = StateDocument.read(bytes, where, project.name(), stack);
            String command = options.describe("state import");
            try (Backends.Opened opened = Backends.open(project, stack, command);
                 StateBackend.Lock lock = opened.backend.acquire(command)) {
                StackState existing = StackState.open(opened.backend);
                if (!existing.isEmpty() && !yes) {
                    throw UserInputException.of(new SourceRef(where, 0), "--yes", "refusing to import: stack '" + stack
                            + "' already has state in " + opened.backend.describe() + " (serial " + existing.serial() + ", "
                            + existing.objects().size() + " objects). Nothing was written. Export it first if it may be"
                            + " needed, then run again with --yes to replace it");
                }
                // Keep the document's serial (a plan saved before the move still applies) unless the target has
                // counted further: then past both, so no plan made against either state is mistaken for current.
                long serial = existing.serial() == 0 ? doc.state().serial()
                        : Math.max(existing.serial(), doc.state().serial()) + 1;
                opened.backend.checkpoint(new StateStore.State(doc.state().entries(), 0, serial));
                long objects = doc.state().entries().keySet().stream().filter(k -> k.startsWith("object:")).count();
                long credentials = doc.state().entries().keySet().stream().filter(k -> k.startsWith("credential:")).count();
                System.out.println("Imported the state of stack " + stack + " (" + objects + " objects, " + credentials
                        + " credentials, exported " + doc.exportedAt() + " from " + doc.source() + ") into "
                        + opened.backend.describe() + " at serial " + serial
                        + (existing.isEmpty() ? "." : ", replacing the state it had at serial " + existing.serial() + "."));
            }
            return 0;
        }
    }
}
