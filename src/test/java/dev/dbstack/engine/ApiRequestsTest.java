package dev.dbstack.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.RequestCounter;
import dev.dbstack.cluster.RequestCounter.Type;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Step;
import dev.dbstack.testing.GeneratedStack;
import dev.dbstack.testing.TestProject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API requests of preview and up, counted on the engine's client, exactly: they do not depend on the
 * machine. Planning reads one LIST per kind for the whole stack, whatever the number of apps and
 * namespaces, and nothing per object; a no-op {@code up} writes nothing; a one-line change writes one
 * object. Readiness waits list (one LIST per kind per poll), never GET.
 */
class ApiRequestsTest {
    /** Three apps in three namespaces; a container with a volume of its own (a claim dbstack creates). */
    static final String FIXTURE = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: web
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, version: "17", storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0.0
                      ports: [8080]
                      volume: {size: 1, mountPath: /data}
                      env:
                        PGHOST: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"
                - name: jobs
                  version: 1.0.0
                  layers:
                    - {name: queue, type: redis, version: "8.2", storage: 1}
                    - {name: worker, type: container, image: ghcr.io/acme/worker:2.0.0, dependsOn: [queue]}
              dbstack:apps:
                - {name: alpha, profile: web}
                - {name: beta, profile: jobs}
                - {name: gamma, profile: jobs, virtualCluster: gamma-ns}
            """;

    /** What planning this stack reads: one LIST of each kind it has, and of StorageClasses; nothing else. */
    static final Map<String, Long> ONE_LIST_PER_KIND = Map.of(
            "LIST namespaces", 1L, "LIST resourcequotas", 1L, "LIST limitranges", 1L, "LIST secrets", 1L,
            "LIST services", 1L, "LIST statefulsets", 1L, "LIST deployments", 1L, "LIST persistentvolumeclaims", 1L,
            "LIST networkpolicies", 1L,
            "LIST storageclasses", 1L);

    /** The kinds a readiness wait lists: those with a readiness check of their own. */
    static final Set<String> POLLED = Set.of("statefulsets", "deployments", "persistentvolumeclaims");

    @TempDir
    Path dir;

    @Test
    void aStackOfThreeAppsInThreeNamespaces() {
        TestProject project = TestProject.create(dir, FIXTURE);
        scenario(project, p -> p.edit(TestProject.STACK, "image: ghcr.io/acme/api:1.0.0", "image: ghcr.io/acme/api:1.0.1"));
    }

    @Test
    void aGeneratedStackOfFiftyApps() {
        TestProject project = TestProject.create(dir, GeneratedStack.yaml(Catalog.builtIn(), 50));
        // The database types come from the catalog (its first ones in order, as many as an app has databases).
        assertThat(GeneratedStack.types(Catalog.builtIn())).containsAll(Catalog.builtIn().types().stream()
                .limit(GeneratedStack.DATABASES).toList());
        scenario(project, GeneratedStack::changeOne);
    }

    /** preview of the empty cluster, the first up (each object written once), a no-op up, then up after {@code change}. */
    private void scenario(TestProject project, Consumer<TestProject> change) {
        long[] objects = {0, 0};
        RequestCounter.Counts preview = run(project, null, engine -> {
            Engine.Planned planned = engine.preview(Planner.Options.NONE);
            assertThat(planned.plan().steps()).allMatch(s -> s.action() == Action.CREATE);
            objects[0] = planned.plan().steps().size();
            objects[1] = planned.plan().steps().stream().map(s -> s.object().kind()).distinct().count();
        });
        assertThat(preview.byKey()).as("preview of an empty cluster").isEqualTo(ONE_LIST_PER_KIND);

        RequestCounter.Counts first = run(project, "up", engine -> {
            Applier.Result result = engine.up(engine.preview(Planner.Options.NONE), 4, Duration.ofMinutes(5), QUIET);
            assertThat(result.ok()).as("%s", result.errors()).isTrue();
        });
        assertThat(first.writes()).as("the first up: %s", first).isEqualTo(objects[0]);
        assertThat(first.byResource(Type.WRITE)).as("one create per object, of each kind").hasSize((int) objects[1]);
        assertThat(first.total(Type.GET) + first.total(Type.WATCH) + first.total(Type.DISCOVERY)).as("%s", first).isZero();
        first.byResource(Type.LIST).forEach((resource, lists) -> {
            if (!POLLED.contains(resource)) assertThat(lists).as("%s: %s", resource, first).isEqualTo(1);
        });

        RequestCounter.Counts noOp = run(project, "up", engine -> {
            Engine.Planned planned = engine.preview(Planner.Options.NONE);
            assertThat(planned.plan().isEmpty()).as("%s", planned.plan().steps()).isTrue();
            assertThat(engine.up(planned, 4, Duration.ofMinutes(5), QUIET).ok()).isTrue();
        });
        assertThat(noOp.byKey()).as("a no-op up reads one LIST per kind and writes nothing").isEqualTo(ONE_LIST_PER_KIND);

        change.accept(project);
        RequestCounter.Counts changed = run(project, "up", engine -> {
            Engine.Planned planned = engine.preview(Planner.Options.NONE);
            assertThat(planned.plan().steps()).extracting(Step::action).containsExactly(Action.UPDATE);
            assertThat(planned.plan().steps().get(0).object().kind()).isEqualTo("Deployment");
            assertThat(engine.up(planned, 4, Duration.ofMinutes(5), QUIET).ok()).isTrue();
        });
        assertThat(changed.byResource(Type.WRITE)).as("a one-line change: %s", changed).isEqualTo(Map.of("deployments", 1L));
        assertThat(changed.total(Type.GET)).as("%s", changed).isZero();
        changed.byResource(Type.LIST).forEach((resource, lists) -> assertThat(lists).as("%s: %s", resource, changed)
                .isEqualTo(resource.equals("deployments") ? lists : 1L));
        assertThat(changed.of(Type.LIST, "deployments")).as("planning's LIST, then the rollout's polls").isGreaterThan(1);
    }

    /**
     * The same stack over two embedded sandboxes: each cluster is read once per kind its apps have (one client per
     * cluster, each counted on its own), a no-op up reads exactly that on each and writes nothing, and a one-line
     * change writes one object on its app's cluster only.
     */
    @Test
    void aStackOverTwoClustersReadsEachOncePerKind() {
        TestProject project = TestProject.create(dir, FIXTURE
                .replace("[{name: g, cluster: sandbox}]", "[{name: g, cluster: sandbox}, {name: e, cluster: \"sandbox:east\"}]")
                .replace("{name: alpha, profile: web}", "{name: alpha, profile: web, clusterGroup: g}")
                .replace("{name: beta, profile: jobs}", "{name: beta, profile: jobs, clusterGroup: e}")
                .replace("virtualCluster: gamma-ns}", "virtualCluster: gamma-ns, clusterGroup: e}"));
        Map<String, RequestCounter.Counts> preview = perCluster(project, null, engine -> engine.preview(Planner.Options.NONE));
        assertThat(preview.keySet()).containsExactly("sandbox", "sandbox:east");
        preview.forEach((c, counts) -> assertThat(counts.byKey()).as("preview of empty %s", c).isEqualTo(ONE_LIST_PER_KIND));

        perCluster(project, "up", engine ->
                assertThat(engine.up(engine.preview(Planner.Options.NONE), 4, Duration.ofMinutes(5), QUIET).ok()).isTrue());
        Map<String, RequestCounter.Counts> noOp = perCluster(project, "up", engine -> {
            Engine.Planned planned = engine.preview(Planner.Options.NONE);
            assertThat(planned.plan().isEmpty()).as("%s", planned.plan().steps()).isTrue();
            assertThat(engine.up(planned, 4, Duration.ofMinutes(5), QUIET).ok()).isTrue();
        });
        noOp.forEach((c, counts) -> assertThat(counts.byKey()).as("a no-op up on %s", c).isEqualTo(ONE_LIST_PER_KIND));

        project.edit(TestProject.STACK, "image: ghcr.io/acme/api:1.0.0", "image: ghcr.io/acme/api:1.0.1");
        Map<String, RequestCounter.Counts> changed = perCluster(project, "up", engine ->
                assertThat(engine.up(engine.preview(Planner.Options.NONE), 4, Duration.ofMinutes(5), QUIET).ok()).isTrue());
        assertThat(changed.get("sandbox").byResource(Type.WRITE)).isEqualTo(Map.of("deployments", 1L));
        assertThat(changed.get("sandbox:east").byKey()).as("the other cluster is only read").isEqualTo(ONE_LIST_PER_KIND);
    }

    private static Map<String, RequestCounter.Counts> perCluster(TestProject project, String command, Consumer<Engine> run) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Engine engine = Engine.open(LoadedStack.load(project.dir(), TestProject.STACK), command, err)) {
            run.accept(engine);
            Map<String, RequestCounter.Counts> out = new java.util.LinkedHashMap<>();
            engine.clusterNames().forEach(c -> out.put(c, engine.requests(c)));
            return out;
        }
    }

    private static final Progress QUIET = line -> { };

    /** Opens the stack's engine ({@code command} non-null: with the lock), runs {@code run}, and counts its requests. */
    private static RequestCounter.Counts run(TestProject project, String command, Consumer<Engine> run) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Engine engine = Engine.open(LoadedStack.load(project.dir(), TestProject.STACK), command, err)) {
            run.accept(engine);
            return engine.requests();
        }
    }
}
