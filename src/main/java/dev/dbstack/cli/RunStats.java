package dev.dbstack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one CLI run cost, for benchmarks: with {@code DBSTACK_STATS=<file>} in the environment, {@link Main#main}
 * writes at exit one JSON object to that file:
 * <pre>{"exitCode":0,"wallMs":812,"cpuMs":1490,"peakRssBytes":131072000,"api":{"reads":0,"lists":6,"writes":19}}</pre>
 * <ul>
 *   <li>{@code wallMs}: since the JVM started (the process's own clock, JVM start-up included);</li>
 *   <li>{@code cpuMs}: the process's user and system CPU time so far, every thread (the JIT and GC included);</li>
 *   <li>{@code peakRssBytes}: the resident set's high-water mark ({@code VmHWM} of {@code /proc/self/status});
 *       {@code null} where the system does not say;</li>
 *   <li>{@code api}: the Kubernetes API requests the run made, from what {@link #apiCounts} was given;
 *       {@code null} when nothing counts them.</li>
 * </ul>
 * Nothing is measured or written without the variable: a run pays nothing for it.
 */
public final class RunStats {
    /** The environment variable naming the file to write. */
    public static final String ENV = "DBSTACK_STATS";

    /**
     * Requests to the Kubernetes API: {@code reads} GET one object, {@code lists} GET a collection (a watch
     * counts as a list), {@code writes} are POST, PUT, PATCH and DELETE.
     */
    public record ApiCounts(long reads, long lists, long writes) {}

    private static volatile Supplier<ApiCounts> apiCounts;

    private RunStats() {}

    /**
     * The hook through which whatever counts API requests (a client-side interceptor) tells the run
     * statistics about them. The last one set wins; {@code null} forgets it.
     */
    public static void apiCounts(Supplier<ApiCounts> counts) {
        apiCounts = counts;
    }

    /** Writes the statistics when {@link #ENV} names a file; a failure to write is said on stderr, never fatal. */
    static void writeIfAsked(int exitCode) {
        String file = System.getenv(ENV);
        if (file == null || file.isBlank()) return;
        try {
            Files.writeString(Path.of(file), json(exitCode) + "\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            System.err.println("dbstack: cannot write " + ENV + " file " + file + ": " + e.getMessage());
        }
    }

    static String json(int exitCode) {
        long wallMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        long cpuMs = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        Supplier<ApiCounts> counts = apiCounts;
        ApiCounts api = counts == null ? null : counts.get();
        return "{\"exitCode\":" + exitCode + ",\"wallMs\":" + wallMs + ",\"cpuMs\":" + (cpuMs < 0 ? "null" : cpuMs)
                + ",\"peakRssBytes\":" + peakRssBytes().map(String::valueOf).orElse("null")
                + ",\"api\":" + (api == null ? "null"
                : "{\"reads\":" + api.reads() + ",\"lists\":" + api.lists() + ",\"writes\":" + api.writes() + "}")
                + "}";
    }

    /** This process's peak resident set: {@code VmHWM} from {@code /proc/self/status} (Linux), in bytes. */
    public static Optional<Long> peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (!line.startsWith("VmHWM:")) continue;
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return Optional.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value);
            }
        } catch (IOException | RuntimeException e) { // no /proc: not Linux
            return Optional.empty();
        }
        return Optional.empty();
    }
}
