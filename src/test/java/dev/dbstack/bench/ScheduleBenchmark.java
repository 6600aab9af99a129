package dev.dbstack.bench;

import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Step;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Wall time of one {@code up} of many small apps on the sandbox, where one database of each app
 * becomes ready slowly: the graph schedule against the barrier waves it replaced. Each app has two or
 * three databases and a container consuming them; {@code db1} of every app is ready only 2 s after
 * the sandbox's controllers first see it. Every run starts from an empty sandbox and applies the same
 * plan with the same {@link Applier}; the median of a few runs is printed (the one with slots held runs once):
 * <ul>
 *   <li><b>graph</b>: one {@code apply}, as {@code dbstack up} does now;</li>
 *   <li><b>waves, slot held</b>: the old strategy, rebuilt from the outside: wave by wave, each service
 *       of a wave applied alone on a pool of {@code parallel} threads, its thread held until it is ready,
 *       the next wave only when all are;</li>
 *   <li><b>waves</b>: wave by wave, each wave one {@code apply}: barriers alone, readiness polled without
 *       holding a worker.</li>
 * </ul>
 * Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.bench.ScheduleBenchmark [apps] [slow-ms] [rounds]}
 */
public final class ScheduleBenchmark {
    private static final Applier.Recorder NO_STATE = dev.dbstack.testing.NoState.RECORDER;
    private static final Progress QUIET = line -> { };

    public static void main(String[] args) throws Exception {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        long slowMs = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("dbstack-schedule-bench");
        TestProject project = TestProject.create(dir, stack(apps));
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        Plan plan = Planner.plan("bench", TestProject.STACK, stack, Catalog.builtIn(), Planner.Known.nothing(),
                new Planner.Live(Map.of(), Set.of("standard"), "standard"), Planner.Options.NONE);
        ServiceGraph graph = stack.graph();
        System.out.printf("%d apps, %d services, %d steps, %d waves; db1 of each app ready %d ms after it is created%n%n",
                apps, graph.services().size(), plan.steps().size(), graph.waves().size(), slowMs);
        try (Sandbox warmUp = Sandbox.start()) { // class loading and JIT, not measured
            new Applier(warmUp.client(), 4, Duration.ofMinutes(5), QUIET).apply(plan, graph, NO_STATE);
        }
        System.out.println("strategy          parallel   median   runs");
        for (int parallel : new int[] {4, 8}) {
            Map<String, List<Double>> times = new java.util.LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) { // alternated, so that drift in the machine's load hits both
                for (String strategy : List.of("graph", "waves")) {
                    times.computeIfAbsent(strategy, k -> new ArrayList<>()).add(run(strategy, parallel, apps, slowMs, plan, graph));
                }
            }
            times.put("waves, slot held", List.of(run("waves, slot held", parallel, apps, slowMs, plan, graph))); // slow: once
            times.forEach((strategy, runs) -> {
                List<Double> sorted = runs.stream().sorted().toList();
                System.out.printf("%-17s %8d  %5.1f s   %s%n", strategy, parallel, sorted.get(sorted.size() / 2),
                        String.join(", ", runs.stream().map(t -> String.format("%.1f", t)).toList()));
            });
        }
    }

    /** Seconds for one apply of {@code plan} by {@code strategy} on a fresh sandbox; NaN when it failed. */
    private static double run(String strategy, int parallel, int apps, long slowMs, Plan plan, ServiceGraph graph)
            throws Exception {
        try (Sandbox sandbox = Sandbox.start()) {
            for (int i = 0; i < apps; i++) sandbox.holdReadiness(app(i), "db1", age -> age.toMillis() >= slowMs);
            Applier applier = new Applier(sandbox.client(), parallel, Duration.ofMinutes(5), QUIET);
            long start = System.nanoTime();
            boolean ok = switch (strategy) {
                case "graph" -> applier.apply(plan, graph, NO_STATE).ok();
                case "waves" -> waves(applier, plan, graph);
                default -> wavesHoldingSlots(sandbox, parallel, plan, graph);
            };
            return ok ? (System.nanoTime() - start) / 1e9 : Double.NaN;
        }
    }

    private static String app(int i) {
        return "app" + i;
    }

    /** Even apps have two databases, odd ones three (the catalog's types in turn); the container consumes every one. */
    private static String stack(int apps) {
        StringBuilder s = new StringBuilder("""
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                """);
        Catalog catalog = Catalog.builtIn();
        List<String> types = catalog.types().stream().sorted().toList();
        for (int dbs = 2; dbs <= 3; dbs++) {
            s.append("    - name: p").append(dbs).append("\n      layers:\n");
            List<String> names = new ArrayList<>();
            for (int d = 1; d <= dbs; d++) {
                String type = types.get((d - 1) % types.size());
                String version = catalog.get(type).defaultVersion();
                s.append("        - {name: db").append(d).append(", type: ").append(type).append(", version: \"")
                        .append(version).append("\", storage: 1}\n");
                names.add("db" + d);
            }
            s.append("        - {name: api, type: container, image: busybox, dependsOn: [").append(String.join(", ", names))
                    .append("]}\n");
        }
        s.append("  dbstack:apps:\n");
        for (int i = 0; i < apps; i++) {
            s.append("    - {name: ").append(app(i)).append(", profile: p").append(2 + i % 2).append(", virtualCluster: ")
                    .append(app(i)).append("}\n");
        }
        return s.toString();
    }

    private static Plan only(Plan plan, java.util.function.Predicate<Step> which) {
        return new Plan(plan.project(), plan.stack(), plan.steps().stream().filter(which).toList(), List.of());
    }

    /** Barriers alone: one apply per wave. */
    private static boolean waves(Applier applier, Plan plan, ServiceGraph graph) {
        boolean ok = applier.apply(only(plan, s -> s.service() == null), graph, NO_STATE).ok();
        for (List<ServiceId> wave : graph.waves()) {
            ok &= applier.apply(only(plan, s -> wave.contains(s.service())), graph, NO_STATE).ok();
        }
        return ok;
    }

    /** The strategy before graph scheduling: a wave's services on {@code parallel} threads, each held until ready. */
    private static boolean wavesHoldingSlots(Sandbox sandbox, int parallel, Plan plan, ServiceGraph graph) throws Exception {
        Applier one = new Applier(sandbox.client(), 1, Duration.ofMinutes(5), QUIET);
        boolean ok = one.apply(only(plan, s -> s.service() == null), graph, NO_STATE).ok();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            for (List<ServiceId> wave : graph.waves()) {
                List<Future<Boolean>> running = new ArrayList<>();
                for (ServiceId id : wave) {
                    running.add(pool.submit(() -> one.apply(only(plan, s -> id.equals(s.service())), graph, NO_STATE).ok()));
                }
                for (Future<Boolean> f : running) ok &= f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return ok;
    }
}
