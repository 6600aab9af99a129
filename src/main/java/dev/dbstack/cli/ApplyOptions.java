package dev.dbstack.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of the commands that change the cluster. */
public class ApplyOptions {
    @Option(names = {"-y", "--yes"}, description = "Apply without asking for confirmation.")
    boolean yes;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
            description = "Services applied at once (default: ${DEFAULT-VALUE}); waiting for readiness takes no slot.")
    int parallel;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long to wait for each service to become ready, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
    String timeout;

    Duration timeout() {
        String t = timeout.trim().toLowerCase();
        try {
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("s")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            if (t.endsWith("m")) return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            if (t.endsWith("h")) return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw dev.dbstack.model.UserInputException.of(dev.dbstack.model.SourceRef.UNKNOWN, "--timeout",
                    "'" + timeout + "' is not a duration such as 90s or 10m");
        }
    }

    /** Asks on a terminal; without one (or under CI), only --yes may proceed. */
    boolean confirmed(String question) {
        if (yes) return true;
        java.io.Console console = System.console();
        if (!Terminal.canPrompt()) {
            throw dev.dbstack.model.UserInputException.of(dev.dbstack.model.SourceRef.UNKNOWN, "--yes",
                    "not on a terminal" + (console != null ? " (CI is set)" : "") + ", so nothing to confirm with: run again"
                            + " with --yes to apply this plan");
        }
        String answer = console.readLine("%s [y/N] ", question);
        return answer != null && (answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes"));
    }
}
