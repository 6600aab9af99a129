package dev.dbstack.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Recorded;
import dev.dbstack.plan.Step;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apply scheduled by the service graph, on the sandbox through the real client: no barriers between
 * independent branches, deletes in reverse dependency order and in parallel, failures that skip only
 * what depends on them. Order is asserted through the events an apply reports, never through time.
 */
class ApplierScheduleTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /**
     * Two branches in one app: {@code slow} ← {@code a}, {@code fast} ← {@code b}; and {@code c} on
     * top of {@code b}, so that a failure can skip transitively.
     */
    private static final String TWO_BRANCHES = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: slow, type: redis, version: "8.2", storage: 1}
                    - {name: fast, type: redis, version: "8.2", storage: 1}
                    - {name: a, type: container, image: busybox, autoEnv: false, dependsOn: [slow]}
                    - {name: b, type: container, image: busybox, autoEnv: false, dependsOn: [fast]}
                    - {name: c, type: container, image: busybox, autoEnv: false, dependsOn: [b]}
              dbstack:apps:
                - {name: app1, profile: p, virtualCluster: app1}
            """;

    private static final ServiceId SLOW = new ServiceId("app1", "slow");
    private static final ServiceId FAST = new ServiceId("app1", "fast");
    private static final ServiceId A = new ServiceId("app1", "a");
    private static final ServiceId B = new ServiceId("app1", "b");
    private static final ServiceId C = new ServiceId("app1", "c");

    @TempDir
    Path dir;

    private RenderedStack render(String yaml) {
        TestProject project = TestProject.create(dir, yaml);
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static Plan plan(RenderedStack stack) {
        return Planner.plan("p", TestProject.STACK, stack, dev.dbstack.catalog.Catalog.builtIn(), Planner.Known.nothing(),
                new Planner.Live(Map.of(), Set.of("standard"), "standard"), Planner.Options.NONE);
    }

    /** What an apply reported, in the order it happened; the recorder's entries too. */
    static class Log implements Progress, Applier.Recorder {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Map<ObjectRef, Recorded> recorded = new ConcurrentHashMap<>();

        @Override
        public void event(String line) {
            lines.add(line.strip());
        }

        @Override
        public void started(ServiceId service) {
            lines.add("start " + service);
        }

        @Override
        public void waiting(ServiceId service, String reason) {
            lines.add("waiting " + service + ": " + reason);
        }

        @Override
        public void finished(ServiceId service, Applier.Outcome outcome) {
            lines.add("finished " + service + " " + outcome);
        }

        @Override
        public void applied(Step step, HasMetadata written) {
            recorded.put(step.object(), new Recorded(step.object(), step.app(), step.service(),
                    JSON.convertValue(step.desired(), JsonNode.class)));
        }

        @Override
        public void deleted(Step step) {
            lines.add("deleted " + step.service() + " " + step.object());
            recorded.remove(step.object());
        }

        @Override
        public void forgotten(Step step) {
            recorded.remove(step.object());
        }

        int first(String prefix) {
            synchronized (lines) {
                for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
            }
            throw new AssertionError("no '" + prefix + "' in " + lines);
        }

        int last(String prefix) {
            synchronized (lines) {
                for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).startsWith(prefix)) return i;
            }
            throw new AssertionError("no '" + prefix + "' in " + lines);
        }
    }

    @Test
    void aConsumerStartsWhenItsOwnProvidersAreReadyWhileASlowBranchIsStillComingUp() {
        RenderedStack stack = render(TWO_BRANCHES);
        AtomicBoolean bStarted = new AtomicBoolean();
        AtomicBoolean slowWaited = new AtomicBoolean();
        Log log = new Log() {
            @Override
            public void started(ServiceId service) {
                super.started(service);
                if (service.equals(B)) bStarted.set(true);
            }

            @Override
            public void waiting(ServiceId service, String reason) {
                super.waiting(service, reason);
                if (service.equals(SLOW)) slowWaited.set(true);
            }
        };
        try (Sandbox sandbox = Sandbox.start()) {
            // slow becomes ready only once b has started (under barrier waves b would wait for slow, and this
            // apply would time out), and once a poll has told why it waits.
            sandbox.holdReadiness("app1", "slow", age -> bStarted.get() && slowWaited.get());
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(20), log)
                    .apply(plan(stack), stack.graph(), log);

            assertThat(r.ok()).as("%s %s", r.errors(), log.lines).isTrue();
            assertThat(log.first("start " + B)).as(log.lines.toString()).isLessThan(log.first("ready " + SLOW));
            assertThat(log.first("ready " + SLOW)).isLessThan(log.first("start " + A));
            assertThat(log.first("ready " + FAST)).isLessThan(log.first("start " + B));
            assertThat(log.first("waiting " + SLOW + ": StatefulSet app1/slow: ")).as("why it waits, for the progress line")
                    .isLessThan(log.first("ready " + SLOW));
        }
    }

    @Test
    void deletesGoConsumersFirstAndIndependentOnesOverlap() {
        RenderedStack stack = render(TWO_BRANCHES);
        try (Sandbox sandbox = Sandbox.start()) {
            Log up = new Log();
            assertThat(new Applier(sandbox.client(), 2, Duration.ofSeconds(20), up)
                    .apply(plan(stack), stack.graph(), up).ok()).isTrue();
            Map<ObjectRef, JsonNode> live = new ConcurrentHashMap<>();
            up.recorded.forEach((ref, r) -> live.put(ref, r.lastApplied()));
            Plan destroy = Planner.destroy("p", TestProject.STACK, dev.dbstack.catalog.Catalog.builtIn(),
                    new Planner.Known(Map.copyOf(up.recorded), Map.of()), new Planner.Live(live, Set.of("standard"), "standard"),
                    Planner.Options.NONE);
            assertThat(destroy.steps()).filteredOn(s -> s.action() == Action.DELETE).extracting(Step::service)
                    .contains(SLOW, FAST, A, B, C);

            // The first delete recorded waits (a few seconds at most) until another service's deletes have begun.
            CountDownLatch twoStarted = new CountDownLatch(2);
            AtomicBoolean overlapped = new AtomicBoolean();
            AtomicBoolean firstRecorded = new AtomicBoolean();
            Log down = new Log() {
                @Override
                public void started(ServiceId service) {
                    super.started(service);
                    twoStarted.countDown();
                }

                @Override
                public void deleted(Step step) {
                    if (firstRecorded.compareAndSet(false, true)) {
                        try {
                            overlapped.set(twoStarted.await(5, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.deleted(step);
                }
            };
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(20), down)
                    .apply(destroy, stack.graph(), down);

            assertThat(r.ok()).as("%s %s", r.errors(), down.lines).isTrue();
            assertThat(overlapped).as("a second service's deletes began before the first delete was recorded: %s", down.lines)
                    .isTrue();
            assertThat(down.first("start ")).isLessThan(down.first("deleted "));
            // Consumers first: every delete of a consumer is recorded before its provider's deletes begin.
            assertThat(down.last("deleted " + A)).isLessThan(down.first("start " + SLOW));
            assertThat(down.last("deleted " + C)).isLessThan(down.first("start " + B));
            assertThat(down.last("deleted " + B)).isLessThan(down.first("start " + FAST));
            assertThat(down.last("deleted " + C)).as("transitively").isLessThan(down.first("start " + FAST));
            assertThat(sandbox.client().apps().statefulSets().inNamespace("app1").list().getItems()).isEmpty();
            assertThat(sandbox.client().apps().deployments().inNamespace("app1").list().getItems()).isEmpty();
        }
    }

    @Test
    void aFailureSkipsOnlyItsTransitiveDependants() {
        RenderedStack stack = render(TWO_BRANCHES);
        // A kind's check replaced through the registry: fast's StatefulSet reports a failure, slow's is judged as usual.
        ReadinessChecks checks = ReadinessChecks.builtIn().with("StatefulSet", live ->
                "fast".equals(live.path("metadata").path("name").asText())
                        ? Readiness.Verdict.failed("crash-looping") : Readiness.STATEFUL_SET.check(live));
        try (Sandbox sandbox = Sandbox.start()) {
            Log log = new Log();
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(20), log, checks)
                    .apply(plan(stack), stack.graph(), log);

            assertThat(r.services()).as(log.lines.toString()).containsEntry(FAST, Applier.Outcome.FAILED)
                    .containsEntry(B, Applier.Outcome.SKIPPED).containsEntry(C, Applier.Outcome.SKIPPED)
                    .containsEntry(SLOW, Applier.Outcome.SUCCEEDED).containsEntry(A, Applier.Outcome.SUCCEEDED);
            assertThat(r.errors().get(FAST)).isEqualTo("StatefulSet app1/fast: crash-looping");
            assertThat(r.errors().get(B)).isEqualTo("skipped: app1/fast did not succeed");
            assertThat(r.errors().get(C)).as("named after the service that failed").isEqualTo("skipped: app1/fast did not succeed");
            assertThat(log.lines).noneMatch(l -> l.equals("start " + B) || l.equals("start " + C));
            assertThat(sandbox.client().apps().deployments().inNamespace("app1").list().getItems())
                    .extracting(d -> d.getMetadata().getName()).containsExactly("a");
        }
    }

    @Test
    void aComponentsReadinessConditionsHoldBackWhatConsumesIt() throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir.resolve("components"));
        String redis = java.nio.file.Files.readString(Path.of("components/redis.yaml"));
        java.nio.file.Files.writeString(dir.resolve("components/redis.yaml"),
                redis + "readiness:\n  - status.availableReplicas >= 1\n  - metadata.annotations.warm == \"yes\"\n");
        RenderedStack stack = render(TWO_BRANCHES);
        HasMetadata sts = stack.service(SLOW).objects().stream().filter(o -> o.getKind().equals("StatefulSet")).findFirst().orElseThrow();
        assertThat(sts.getMetadata().getAnnotations()).containsEntry(dev.dbstack.render.Labels.READY_WHEN,
                "[\"status.availableReplicas >= 1\",\"metadata.annotations.warm == \\\"yes\\\"\"]");

        try (Sandbox sandbox = Sandbox.start()) {
            // The test warms a database up once apply says it waits for exactly that.
            Log log = new Log() {
                @Override
                public void waiting(ServiceId service, String reason) {
                    super.waiting(service, reason);
                    if (reason.endsWith("metadata.annotations.warm is not set")) {
                        sandbox.client().apps().statefulSets().inNamespace("app1").withName(service.layer())
                                .edit(s -> new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder(s).editMetadata()
                                        .addToAnnotations("warm", "yes").endMetadata().build());
                    }
                }
            };
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(20), log)
                    .apply(plan(stack), stack.graph(), log);

            assertThat(r.ok()).as("%s %s", r.errors(), log.lines).isTrue();
            assertThat(log.first("waiting " + SLOW + ": StatefulSet app1/slow: metadata.annotations.warm is not set"))
                    .isLessThan(log.first("ready " + SLOW));
            assertThat(log.first("ready " + SLOW)).isLessThan(log.first("start " + A));
        }
    }
}
