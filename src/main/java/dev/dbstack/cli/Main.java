package dev.dbstack.cli;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dbstack", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Declarative database services on Kubernetes: stack files in, plan out, cluster converged.")
public final class Main implements Runnable {
    /** The subcommands, in the order help lists them (registered by {@link #commandLine(Main, String...)}). */
    static List<Class<?>> subcommands() {
        return List.of(PreviewCommand.class, UpCommand.class, DestroyCommand.class, RefreshCommand.class,
                OutputsCommand.class, BackupCommand.class, BackupsCommand.class, RestoreCommand.class, CancelCommand.class, StateCommand.class,
                AppsCommand.class, AppCommand.class,
                RenderCommand.class, GraphCommand.class, TypesCommand.class,
                CommandLine.HelpCommand.class);
    }

    /** Exit code for input the user can fix: configuration, arguments, references. */
    public static final int EXIT_USER_ERROR = 2;
    public static final int EXIT_FAILURE = 1;
    /**
     * Exit code of {@code preview --expect-no-changes} and {@code up --expect-no-changes} when the plan has
     * changes (up then applies nothing): neither a failure (1) nor input to fix (2), so CI can tell them apart.
     */
    public static final int EXIT_CHANGES_PENDING = 3;
    /** Enough to see every kind of mistake in a file; a thousand generated lines would hide them. */
    static final int MAX_PRINTED_PROBLEMS = 40;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Show internal detail (stack traces of unexpected failures).")
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        ScratchDir.claim(); // first: before any library reads java.io.tmpdir
        int code = run(args);
        RunStats.writeIfAsked(code);
        System.exit(code);
    }

    /** Runs the CLI and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // As fast as the JVM allows: the answer needs no command model (picocli's costs a few tenths of a second).
            System.out.println(version());
            return 0;
        }
        quietLibraryLogging();
        Main main = new Main();
        CommandLine cli = commandLine(main, args);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, commandLine.getErr(), main.verbose));
        return cli.execute(args);
    }

    /** The command line with every subcommand registered (tests parse with it). */
    static CommandLine commandLine(Main main) {
        return commandLine(main, new String[0]);
    }

    /**
     * The command line {@link #run} executes for {@code args}: when they name a subcommand, that one alone is
     * registered. picocli builds the model of every registered command up front, by reflection (about a tenth of a
     * second for all of them), and a run needs one; help, version, an unknown or no subcommand get all of them.
     */
    static CommandLine commandLine(Main main, String... args) {
        CommandLine cli = new CommandLine(main);
        String named = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        List<Class<?>> all = subcommands();
        Class<?> only = named == null || named.equals("help") ? null : all.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(named)).findFirst().orElse(null);
        for (Class<?> c : only == null ? all : List.of(only)) cli.addSubcommand(c);
        return cli;
    }

    /**
     * No library's internal logging reaches the user's terminal: dbstack reports what matters itself.
     * The JDK's HTTP client (fabric8's transport) and gRPC (under the Pulumi SDK) log through
     * java.util.logging, whose default console handler would print their warnings into the user's
     * output. So JUL gets no handler and no level.
     */
    static void quietLibraryLogging() {
        LogManager.getLogManager().reset();
        Logger.getLogger("").setLevel(Level.OFF);
    }

    private static int handle(Exception ex, PrintWriter err, boolean verbose) {
        if (ex instanceof UserInputException u) {
            List<Problem> problems = u.problems();
            problems.stream().limit(MAX_PRINTED_PROBLEMS).forEach(p -> err.println("error: " + p.render()));
            if (problems.size() > MAX_PRINTED_PROBLEMS) {
                err.println("... and " + (problems.size() - MAX_PRINTED_PROBLEMS) + " more like these (fix these first)");
            }
            if (problems.size() > 1) err.println(problems.size() + " errors");
            err.flush();
            return EXIT_USER_ERROR;
        }
        Optional<String> fault = Faults.describe(ex);
        if (fault.isPresent()) {
            err.println("error: " + fault.get());
            if (verbose) ex.printStackTrace(err);
            err.flush();
            return EXIT_FAILURE;
        }
        err.println("dbstack: internal error: " + ex);
        if (verbose) ex.printStackTrace(err);
        else err.println("(run with --verbose for details; please report this)");
        err.flush();
        return EXIT_FAILURE;
    }

    /** {@code dbstack <version>}. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/dbstack-version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // the version stays unknown
        }
        return "dbstack ".concat(p.getProperty("version", "unknown")); // no + : see ScratchDir.claim
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
