package dev.dbstack.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.ShopStack;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceGraphTest {
    private static ServiceId id(String app, String layer) {
        return new ServiceId(app, layer);
    }

    @Test
    void shopStackHasDatabasesInTheFirstWaveAndTheApiAfterThem(@TempDir Path dir) {
        ServiceGraph graph = ShopStack.project(dir).graph(ShopStack.STACK);

        assertThat(graph.waves()).containsExactly(
                List.of(id("shop", "postgresql-1"), id("shop", "redis-1")),
                List.of(id("shop", "api")));
        assertThat(graph.providersOf(id("shop", "api")))
                .extracting(ServiceGraph.Dependency::provider, ServiceGraph.Dependency::variables)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(id("shop", "postgresql-1"),
                                Set.of("USERNAME", "PASSWORD", "POSTGRESMSTR_SVC", "POSTGRESMSTR_SVC_PORT")),
                        org.assertj.core.groups.Tuple.tuple(id("shop", "redis-1"),
                                Set.of("PASSWORD", "REDISMSTR_SVC", "REDISMSTR_SVC_PORT")));
        assertThat(graph.destroyOrder()).first().isEqualTo(id("shop", "api"));
    }

    @Test
    void chainsMakeOneWavePerStepAndIndependentAppsShareWaves(@TempDir Path dir) {
        ServiceGraph graph = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups:
                    - {name: dev, cluster: sandbox}
                  dbstack:profiles:
                    - name: chain
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: cache, type: redis, storage: 1}
                        - name: migrate
                          type: container
                          image: ghcr.io/acme/migrate:1
                          autoEnv: false
                          env: {DB: "{{.spectro.app.$appDeploymentName.db.POSTGRES_URI}}"}
                        - name: web
                          type: container
                          image: ghcr.io/acme/web:1
                          autoEnv: false
                          dependsOn: [migrate]
                          env: {CACHE: "{{.spectro.app.$appDeploymentName.cache.REDIS_URI}}"}
                  dbstack:apps:
                    - {name: blue, profile: chain}
                    - {name: green, profile: chain}
                """).graph();

        assertThat(graph.waves()).containsExactly(
                List.of(id("blue", "db"), id("blue", "cache"), id("green", "db"), id("green", "cache")),
                List.of(id("blue", "migrate"), id("green", "migrate")),
                List.of(id("blue", "web"), id("green", "web")));
        ServiceGraph.Dependency explicit = graph.providersOf(id("blue", "web")).stream()
                .filter(d -> d.provider().equals(id("blue", "migrate"))).findFirst().orElseThrow();
        assertThat(explicit.explicit()).isTrue();
        assertThat(explicit.variables()).isEmpty();
        assertThat(graph.consumersOf(id("green", "db"))).extracting(ServiceGraph.Dependency::consumer)
                .containsExactly(id("green", "migrate"));
        assertThat(graph.edges()).hasSize(6);
    }

    // ---- dependency cycles ---------------------------------------------------------------------

    private static final String CYCLE = "dependency cycle in profile ";

    /** A profile of {@code n} container layers, each depending on every other one. */
    private static String everyoneDependsOnEveryone(int n) {
        StringBuilder yaml = new StringBuilder("""
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: mesh
                      layers:
                """);
        for (int i = 0; i < n; i++) {
            int self = i;
            String others = IntStream.range(0, n).filter(j -> j != self).mapToObj(j -> name(j)).collect(Collectors.joining(", "));
            yaml.append("        - {name: ").append(name(i)).append(", type: container, image: busybox, dependsOn: [")
                    .append(others).append("]}\n");
        }
        return yaml.append("  dbstack:apps: [{name: mesh, profile: mesh}]\n").toString();
    }

    private static String name(int i) {
        return "c%03d".formatted(i);
    }

    private static List<Problem> cycleProblems(UserInputException e) {
        return e.problems().stream().filter(p -> p.message().startsWith(CYCLE)).toList();
    }

    @ParameterizedTest(name = "{0} layers")
    @ValueSource(ints = {12, 50, 200})
    void mutuallyDependentLayersGiveOneBoundedCycleReportQuickly(int n, @TempDir Path dir) {
        TestProject project = TestProject.create(dir, everyoneDependsOnEveryone(n));
        StackModel model = project.model();
        Catalog catalog = project.catalog();

        // a hang guard only (enumerating every cycle never finishes even for 12 layers); it takes well under a second
        UserInputException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> catchThrowableOfType(UserInputException.class, () -> ServiceGraph.build(model, catalog)));

        assertThat(e).isNotNull();
        // all layers form one tangle: one problem, a shortest cycle through the first, and the rest counted
        List<Problem> cycles = cycleProblems(e);
        assertThat(cycles).hasSize(1);
        assertThat(cycles.get(0).key()).isEqualTo("config.dbstack:profiles[mesh]");
        assertThat(cycles.get(0).source().line()).isEqualTo(6);
        String others = IntStream.range(2, Math.min(n, 12)).mapToObj(ServiceGraphTest::name).collect(Collectors.joining(", "));
        assertThat(cycles.get(0).message()).isEqualTo(CYCLE + "mesh@1.0.0: c000 depends on c001 depends on c000; "
                + (n - 2) + " more layers are in cycles with them: " + others + (n > 12 ? " and " + (n - 12) + " more" : ""));
        // the hierarchy problems, one per dependsOn entry naming a layer above, are still all there
        assertThat(e.problems()).hasSize(1 + n * (n - 1) / 2);
    }

    @Test
    void separateCyclesAreEachReportedUpToALimit(@TempDir Path dir) {
        // eight independent pairs that depend on each other, in two apps of one profile: eight cycles, not sixteen
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            layers.append("        - {name: a%d, type: container, image: busybox, dependsOn: [b%d]}\n".formatted(i, i));
            layers.append("        - {name: b%d, type: container, image: busybox, dependsOn: [a%d]}\n".formatted(i, i));
        }
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: pairs
                      layers:
                %s  dbstack:apps: [{name: blue, profile: pairs}, {name: green, profile: pairs}]
                """.formatted(layers)).graph());

        List<String> cycles = cycleProblems(e).stream().map(Problem::render).toList();
        assertThat(cycles).containsExactly(
                "stacks/Pulumi.test.yaml:6: config.dbstack:profiles[pairs]: " + CYCLE + "pairs@1.0.0: a0 depends on b0 depends on a0",
                "stacks/Pulumi.test.yaml:8: config.dbstack:profiles[pairs]: " + CYCLE + "pairs@1.0.0: a1 depends on b1 depends on a1",
                "stacks/Pulumi.test.yaml:10: config.dbstack:profiles[pairs]: " + CYCLE + "pairs@1.0.0: a2 depends on b2 depends on a2",
                "stacks/Pulumi.test.yaml:12: config.dbstack:profiles[pairs]: " + CYCLE + "pairs@1.0.0: a3 depends on b3 depends on a3",
                "stacks/Pulumi.test.yaml:14: config.dbstack:profiles[pairs]: " + CYCLE + "pairs@1.0.0: a4 depends on b4 depends on a4"
                        + " (and 3 more dependency cycles)");
        assertThat(ServiceGraph.MAX_CYCLES_REPORTED).isEqualTo(5);
    }

    @Test
    void theShortestCycleThroughTheFirstLayerIsNamed(@TempDir Path dir) {
        // a → e → d → c → b → a is long; a → c → b → a is shorter; through the database and back via outputs is not a cycle
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: ring
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: a, type: container, image: busybox, dependsOn: [e, c, db]}
                        - {name: b, type: container, image: busybox, dependsOn: [a]}
                        - {name: c, type: container, image: busybox, dependsOn: [b]}
                        - {name: d, type: container, image: busybox, dependsOn: [c]}
                        - {name: e, type: container, image: busybox, dependsOn: [d]}
                  dbstack:apps: [{name: ring, profile: ring}]
                """).graph());

        assertThat(cycleProblems(e)).extracting(Problem::message).containsExactly(
                CYCLE + "ring@1.0.0: a depends on c depends on b depends on a; 2 more layers are in cycles with them: d, e");
    }
}
