package dev.dbstack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.cli.RunStats;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.StackState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The scale benchmark (issue 12): stacks of 5, 50, 250 and 1,000 services — 1, 10, 50 and 200 apps of five
 * layers, four databases of the catalog's types and a container consuming them, one namespace per app — each
 * taken through its life cycle by the packaged CLI ({@code target/dbstack.jar}), one separate process per
 * command so that wall time, CPU time and peak RSS are the process's own, JVM start included:
 * <ol>
 *   <li>{@code render};</li>
 *   <li>{@code preview} on an empty cluster;</li>
 *   <li>the first {@code up};</li>
 *   <li>a no-op {@code up}, then a no-op {@code preview};</li>
 *   <li>one line of the stack file changed (one container's environment in one app): {@code preview}, {@code up};</li>
 *   <li>{@code destroy}.</li>
 * </ol>
 * Each command runs with {@code DBSTACK_STATS} set ({@link RunStats}): CPU, peak RSS and the API requests it made.
 * The state column is the size of the stack's state after the command; the written column the bytes the command
 * wrote under {@code .dbstack} (state and the sandbox's store: appended bytes for a file that grew by appending,
 * the whole file for one rewritten).
 * <p>
 * Side by side, after the first {@code up}: the reads of a per-object refresh — one GET per object in state, as
 * Terraform's and Pulumi's refresh do — made against the same sandbox (opened read-only in this JVM), against the
 * reads of dbstack's {@code preview} of the same stack.
 * <p>
 * Then the growth exponent between consecutive sizes, {@code log(cost2/cost1)/log(n2/n1)}: 1 is linear, 0 flat.
 * <p>
 * Run: {@code bin/benchmark [services...]} (default {@code 5 50 250 1000}; each a multiple of 5). Options:
 * {@code --out DIR} (default {@code target/bench/scale}), {@code --timeout-min M} per command (default 180),
 * {@code --java-opts "..."} for the CLI's JVM. Projects are generated under the output directory and kept.
 */
public final class ScaleBenchmark {
    static final String STACK = "bench";
    static final int LAYERS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The one-line change: the log level of the first app's container (its profile is its own). */
    static final String CHANGE_FROM = "LOG_LEVEL: info";
    static final String CHANGE_TO = "LOG_LEVEL: debug";

    record Step(String name, String... args) {}

    static final List<Step> STEPS = List.of(
            new Step("render", "render"),
            new Step("preview, empty cluster", "preview"),
            new Step("up, first", "up", "--yes"),
            new Step("up, no-op", "up", "--yes"),
            new Step("preview, no-op", "preview"),
            new Step("preview, 1 line changed", "preview"),
            new Step("up, 1 line changed", "up", "--yes"),
            new Step("destroy", "destroy", "--yes"));

    /** One command's cost. Fields are null where unknown (the command failed before writing its statistics). */
    record Cost(int exit, double wallS, Double cpuS, Long peakRss, Long reads, Long lists, Long writes, long stateBytes,
                long writtenBytes) {
        long apiReads() {
            return reads == null ? -1 : reads + lists;
        }
    }

    record Refresh(int objects, long perObjectReads, double perObjectSeconds, long previewReads) {}

    record Result(int services, int apps, int objects, Map<String, Cost> costs, Refresh refresh) {}

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset(); // the sandbox's libraries would narrate in this JVM
        List<Integer> sizes = new ArrayList<>();
        Path out = Path.of("target/bench/scale");
        long timeoutMin = 180;
        List<String> javaOpts = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--timeout-min" -> timeoutMin = Long.parseLong(args[++i]);
                case "--java-opts" -> javaOpts = Arrays.stream(args[++i].trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
                default -> {
                    int n = Integer.parseInt(args[i].replace(",", "").replace("_", ""));
                    if (n <= 0 || n % LAYERS != 0) throw new IllegalArgumentException("sizes are services, multiples of " + LAYERS + ": " + n);
                    sizes.add(n);
                }
            }
        }
        if (sizes.isEmpty()) sizes = List.of(5, 50, 250, 1000);
        Path jar = Path.of("target/dbstack.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " missing: run ./mvnw -q -DskipTests package first");
        out = out.toAbsolutePath();
        Files.createDirectories(out);
        Cli cli = new Cli(jar, counterClassPath(out), javaOpts == null ? defaultJavaOpts(jar) : javaOpts,
                TimeUnit.MINUTES.toMillis(timeoutMin));

        System.out.println(machine(cli));
        Cost version = cli.run(out, "version", null, "--version");
        System.out.printf(Locale.ROOT, "JVM start, `dbstack --version`: %.2f s wall, %.2f s CPU, %s peak RSS%n%n", version.wallS(),
                version.cpuS(), mb(version.peakRss()));

        List<Result> results = new ArrayList<>();
        for (int services : sizes) {
            Result r = runSize(cli, out, services);
            results.add(r);
            System.out.println(table(r));
            System.out.flush();
        }
        String report = machine(cli) + "\n" + results.stream().map(ScaleBenchmark::table).collect(Collectors.joining("\n"))
                + "\n" + refreshTable(results) + "\n" + growth(results);
        System.out.println(refreshTable(results));
        System.out.println(growth(results));
        Files.writeString(out.resolve("results.md"), report);
        System.out.println("(written to " + out.resolve("results.md") + ")");
    }

    static Result runSize(Cli cli, Path out, int services) throws Exception {
        int apps = services / LAYERS;
        Path project = out.resolve(services + "-services");
        if (Files.exists(project)) deleteTree(project);
        Files.createDirectories(project.resolve("stacks"));
        Files.writeString(project.resolve("Pulumi.yaml"), "name: scale-bench\nruntime: java\nstackConfigDir: stacks\n");
        Path stackFile = project.resolve("stacks/Pulumi." + STACK + ".yaml");
        Files.writeString(stackFile, stack(apps, Catalog.builtIn()));
        System.out.printf("== %d services (%d apps): %s%n", services, apps, project);

        Map<String, Cost> costs = new LinkedHashMap<>();
        Refresh refresh = null;
        int objects = 0;
        for (Step step : STEPS) {
            if (step.name().equals("preview, 1 line changed")) {
                String text = Files.readString(stackFile);
                if (!text.contains(CHANGE_FROM)) throw new IllegalStateException("no '" + CHANGE_FROM + "' in " + stackFile);
                Files.writeString(stackFile, text.replaceFirst(CHANGE_FROM, CHANGE_TO));
            }
            Cost cost = cli.run(project, step.name(), project, step.args());
            costs.put(step.name(), cost);
            System.out.printf(Locale.ROOT, "  %-24s %s%n", step.name(), row(cost));
            System.out.flush();
            if (step.name().equals("preview, no-op")) {
                objects = stateObjects(project).size();
                refresh = perObjectRefresh(project, cost);
            }
        }
        return new Result(services, apps, objects, costs, refresh);
    }

    /**
     * One GET per object recorded in state, against the sandbox the stack was applied to, opened read-only in this
     * JVM: the reads a per-object refresh makes, counted by the sandbox's API server.
     */
    static Refresh perObjectRefresh(Path project, Cost preview) {
        Map<String, StackState.ObjectEntry> objects = stateObjects(project);
        try (Sandbox sandbox = Sandbox.start(project.resolve(".dbstack").resolve("sandbox"), true)) {
            KubernetesClient client = sandbox.client();
            long before = sandbox.readRequests();
            long start = System.nanoTime();
            int missing = 0;
            for (String key : objects.keySet()) {
                String[] ref = key.split("\\|", -1); // apiVersion|kind|namespace|name
                @SuppressWarnings("unchecked")
                Class<? extends HasMetadata> type = (Class<? extends HasMetadata>) client.getKubernetesSerialization()
                        .getRegisteredKubernetesResource(ref[0], ref[1]);
                if (type == null) throw new IllegalStateException("no model class for " + key);
                HasMetadata live = ref[2].isEmpty() ? client.resources(type).withName(ref[3]).get()
                        : client.resources(type).inNamespace(ref[2]).withName(ref[3]).get();
                if (live == null) missing++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (missing > 0) System.out.println("  (per-object refresh: " + missing + " objects in state not found)");
            return new Refresh(objects.size(), sandbox.readRequests() - before, seconds, preview.apiReads());
        }
    }

    static Map<String, StackState.ObjectEntry> stateObjects(Path project) {
        return StackState.open(StackState.directory(project, STACK)).objects();
    }

    /**
     * {@code apps} apps of five layers: four databases, their types taken from the catalog in turn (each app's
     * profile starts one type further), and a container consuming an output of each. The first app has a profile
     * of its own, so that the one-line change touches one object.
     */
    static String stack(int apps, Catalog catalog) {
        List<String> types = catalog.types().stream().sorted().toList();
        if (types.isEmpty()) throw new IllegalStateException("empty catalog");
        int profiles = Math.min(types.size(), Math.max(1, apps - 1));
        StringBuilder s = new StringBuilder("""
                # Generated by dev.dbstack.bench.ScaleBenchmark: %d apps of %d layers.
                config:
                  dbstack:clusterGroups:
                    - {name: bench, cluster: sandbox}
                  dbstack:profiles:
                """.formatted(apps, LAYERS));
        profile(s, "edge", types, 0, catalog, "info");
        for (int p = 0; p < profiles; p++) profile(s, "p" + p, types, p, catalog, "warn");
        s.append("  dbstack:apps:\n");
        for (int i = 1; i <= apps; i++) {
            String name = String.format(Locale.ROOT, "app-%04d", i);
            String profile = i == 1 ? "edge" : "p" + ((i - 2) % profiles);
            s.append("    - {name: ").append(name).append(", profile: ").append(profile).append(", clusterGroup: bench, virtualCluster: ")
                    .append(name).append("}\n");
        }
        return s.toString();
    }

    private static void profile(StringBuilder s, String name, List<String> types, int offset, Catalog catalog, String logLevel) {
        s.append("    - name: ").append(name).append("\n      version: 1.0.0\n      layers:\n");
        List<String> layers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int d = 0; d < LAYERS - 1; d++) {
            String type = types.get((offset + d) % types.size());
            String layer = type + "-" + seen.merge(type, 1, Integer::sum);
            layers.add(layer);
            s.append("        - {name: ").append(layer).append(", type: ").append(type).append(", storage: 1}\n");
        }
        s.append("        - name: api\n          type: container\n          image: ghcr.io/dbstack/bench-api:1.0.0\n")
                .append("          ports: [8080]\n          env:\n            ").append("LOG_LEVEL: ").append(logLevel).append("\n");
        for (int d = 0; d < layers.size(); d++) {
            String layer = layers.get(d);
            Component c = catalog.get(types.get((offset + d) % types.size()));
            String output = c.outputNames().contains("PASSWORD") ? "PASSWORD" : c.outputNames().get(0);
            s.append("            ").append(layer.toUpperCase(Locale.ROOT).replace('-', '_')).append('_').append(output)
                    .append(": \"{{.spectro.app.$appDeploymentName.").append(layer).append('.').append(output).append("}}\"\n");
        }
    }

    /** The CLI as {@code bin/dbstack} runs it, plus the request counter's directory on its class path. */
    record Cli(Path jar, Path counter, List<String> javaOpts, long timeoutMs) {
        Cost run(Path workDir, String name, Path project, String... args) throws Exception {
            Path logs = Files.createDirectories(workDir.resolve("logs"));
            String file = name.replaceAll("[^a-z0-9]+", "-");
            Path stats = logs.resolve(file + ".stats.json");
            Files.deleteIfExists(stats);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(javaOpts);
            command.addAll(List.of("-cp", jar + java.io.File.pathSeparator + counter, "dev.dbstack.cli.Main"));
            command.addAll(List.of(args));
            if (project != null) command.addAll(List.of("-C", project.toString(), "--stack", STACK));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(logs.resolve(file + ".out").toFile())
                    .redirectError(logs.resolve(file + ".err").toFile());
            pb.environment().put(RunStats.ENV, stats.toString());
            pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", "scale benchmark passphrase");
            pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
            pb.environment().remove("DBSTACK_BACKEND_URL");
            pb.environment().remove("CI");
            Map<Path, byte[]> before = project == null ? Map.of() : files(project.resolve(".dbstack"));
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(name + ": no answer within " + timeoutMs / 60_000 + " min; see " + logs);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            if (p.exitValue() != 0) {
                System.out.println("  ! " + name + " exited " + p.exitValue() + ": " + lastLines(logs.resolve(file + ".err"), 5));
            }
            long state = project == null ? 0 : size(StackState.directory(project, STACK));
            long written = project == null ? 0 : written(before, files(project.resolve(".dbstack")));
            if (!Files.exists(stats)) return new Cost(p.exitValue(), wall, null, null, null, null, null, state, written);
            JsonNode j = JSON.readTree(stats.toFile());
            JsonNode api = j.path("api");
            return new Cost(p.exitValue(), wall, j.path("cpuMs").isNumber() ? j.path("cpuMs").asLong() / 1000.0 : null,
                    j.path("peakRssBytes").isNumber() ? j.path("peakRssBytes").asLong() : null,
                    api.isObject() ? api.path("reads").asLong() : null, api.isObject() ? api.path("lists").asLong() : null,
                    api.isObject() ? api.path("writes").asLong() : null, state, written);
        }
    }

    /**
     * The options {@code bin/dbstack} gives the JVM: the class-data-sharing archive next to the jar when there is
     * one. {@code bin/dbstack --print-java-opts} says them; without the script, none.
     */
    static List<String> defaultJavaOpts(Path jar) throws IOException, InterruptedException {
        Path script = jar.getParent().getParent().resolve("bin/dbstack");
        if (!Files.isExecutable(script)) return List.of();
        Process p = new ProcessBuilder(script.toString(), "--print-java-opts").redirectErrorStream(true).start();
        String opts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) throw new IllegalStateException("bin/dbstack --print-java-opts: " + opts);
        return opts.isEmpty() ? List.of() : Arrays.asList(opts.split("\\s+"));
    }

    /**
     * A directory with {@link CountingHttpClientFactory} and the service entry that makes fabric8 use it: on the
     * CLI's class path only, so the product's own classes and resources are those of the jar.
     */
    static Path counterClassPath(Path out) throws IOException, java.net.URISyntaxException {
        Path dir = out.resolve("counter");
        Path services = dir.resolve("META-INF/services/io.fabric8.kubernetes.client.http.HttpClient$Factory");
        Files.createDirectories(services.getParent());
        Files.writeString(services, CountingHttpClientFactory.class.getName() + "\n");
        String pkg = CountingHttpClientFactory.class.getPackageName().replace('.', '/');
        Path classes = Files.createDirectories(dir.resolve(pkg));
        String simple = CountingHttpClientFactory.class.getSimpleName();
        Path compiled = Path.of(CountingHttpClientFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(pkg);
        try (Stream<Path> files = Files.list(compiled)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(simple)).toList()) {
                Files.copy(f, classes.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot copy the request counter's classes from " + compiled, e);
        }
        return dir;
    }

    // ---- bytes on disk

    static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> out = new HashMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(f, Files.readAllBytes(f));
                } catch (java.nio.file.NoSuchFileException e) {
                    // gone between listing and reading
                }
            }
        }
        return out;
    }

    /** Bytes written between two pictures of a directory: appended bytes for a file that grew by appending, else whole files. */
    static long written(Map<Path, byte[]> before, Map<Path, byte[]> after) {
        long total = 0;
        for (Map.Entry<Path, byte[]> e : after.entrySet()) {
            byte[] old = before.get(e.getKey());
            byte[] now = e.getValue();
            if (old == null) total += now.length;
            else if (Arrays.equals(old, now)) continue;
            else if (now.length > old.length && Arrays.equals(old, 0, old.length, now, 0, old.length)) total += now.length - old.length;
            else total += now.length;
        }
        return total;
    }

    static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String lastLines(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no stderr)";
        }
    }

    // ---- tables

    static String row(Cost c) {
        return String.format(Locale.ROOT, "%7.1f s wall %7.1f s CPU %8s RSS %6s reads %6s lists %6s writes%s", c.wallS(),
                c.cpuS() == null ? Double.NaN : c.cpuS(), mb(c.peakRss()), c.reads() == null ? none(c) : n(c.reads()),
                c.lists() == null ? none(c) : n(c.lists()), c.writes() == null ? none(c) : n(c.writes()),
                c.exit() == 0 ? "" : "  (exit " + c.exit() + ")");
    }

    static String table(Result r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%n%,d services (%d apps, %,d objects in state)%n%n",
                r.services(), r.apps(), r.objects()));
        s.append("| step | wall | CPU | peak RSS | API reads (GET + LIST) | API writes | state | written to .dbstack |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        r.costs().forEach((step, c) -> s.append(String.format(Locale.ROOT, "| %s%s | %.1f s | %s | %s | %s | %s | %s | %s |%n",
                step, c.exit() == 0 ? "" : " (exit " + c.exit() + ")", c.wallS(), c.cpuS() == null ? "?" : String.format(Locale.ROOT, "%.1f s", c.cpuS()),
                mb(c.peakRss()), c.reads() == null ? none(c) : String.format(Locale.ROOT, "%,d (%,d + %,d)", c.reads() + c.lists(), c.reads(), c.lists()),
                c.writes() == null ? none(c) : n(c.writes()), bytes(c.stateBytes()), bytes(c.writtenBytes()))));
        return s.toString();
    }

    /** No counts: a command that made no Kubernetes client at all (render) made no request; otherwise unknown. */
    private static String none(Cost c) {
        return c.exit() == 0 && c.cpuS() != null ? "none" : "?";
    }

    static String refreshTable(List<Result> results) {
        StringBuilder s = new StringBuilder("\nReads to learn the live state of an applied stack: one GET per object in state (Terraform's and"
                + " Pulumi's refresh) against dbstack's preview, same stack, same sandbox\n\n");
        s.append("| services | objects in state | per-object GETs | their time (in-process client) | dbstack preview reads | ratio |\n");
        s.append("|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Refresh f = r.refresh();
            if (f == null) continue;
            s.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %.1f s | %s | %s |%n", r.services(), f.objects(), f.perObjectReads(),
                    f.perObjectSeconds(), f.previewReads() < 0 ? "?" : String.format(Locale.ROOT, "%,d", f.previewReads()),
                    f.previewReads() <= 0 ? "?" : String.format(Locale.ROOT, "%.1f : 1", (double) f.perObjectReads() / f.previewReads())));
        }
        return s.toString();
    }

    /** Growth exponents of CPU time and of wall time between consecutive sizes, per step. */
    static String growth(List<Result> results) {
        if (results.size() < 2) return "";
        StringBuilder s = new StringBuilder("\nGrowth exponent log(cost2/cost1) / log(n2/n1) between sizes (1 = linear, 0 = flat): CPU (wall)\n\n| step |");
        for (int i = 1; i < results.size(); i++) {
            s.append(String.format(Locale.ROOT, " %,d → %,d |", results.get(i - 1).services(), results.get(i).services()));
        }
        s.append("\n|---|").append("---:|".repeat(results.size() - 1)).append('\n');
        for (Step step : STEPS) {
            s.append("| ").append(step.name()).append(" |");
            for (int i = 1; i < results.size(); i++) {
                Result a = results.get(i - 1);
                Result b = results.get(i);
                Cost ca = a.costs().get(step.name());
                Cost cb = b.costs().get(step.name());
                double ratio = Math.log((double) b.services() / a.services());
                String cpu = ca == null || cb == null || ca.cpuS() == null || cb.cpuS() == null ? "?"
                        : String.format(Locale.ROOT, "%.2f", Math.log(cb.cpuS() / ca.cpuS()) / ratio);
                String wall = ca == null || cb == null ? "?" : String.format(Locale.ROOT, "%.2f", Math.log(cb.wallS() / ca.wallS()) / ratio);
                s.append(' ').append(cpu).append(" (").append(wall).append(") |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    static String machine(Cli cli) {
        String cpu = "?";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException | UncheckedIOException e) {
            // not Linux
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "Machine: %d cores (%s), %.0f GB RAM, load average %.1f at the start; Java %s; code %s;"
                        + " CLI JVM options: %s%n", Runtime.getRuntime().availableProcessors(), cpu, memory / 1e9,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.version"), commit(),
                cli.javaOpts().isEmpty() ? "(none)" : String.join(" ", cli.javaOpts()));
    }

    private static String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                String s = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                return p.waitFor() == 0 ? s : "?";
            }
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    static String mb(Long bytes) {
        return bytes == null ? "?" : String.format(Locale.ROOT, "%,d MB", bytes / (1024 * 1024));
    }

    static String bytes(long b) {
        if (b < 10_000) return String.format(Locale.ROOT, "%,d B", b);
        if (b < 10_000_000) return String.format(Locale.ROOT, "%,d KB", b / 1000);
        return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }

    static String n(Long v) {
        return v == null ? "?" : String.format(Locale.ROOT, "%,d", v);
    }
}
