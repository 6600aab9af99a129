package dev.dbstack.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.RequestCounter;
import dev.dbstack.cluster.RequestCounter.Type;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.Step;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness waits share their reads: a poll is one LIST per kind, by the stack's label, that answers every
 * waiting object; nothing is read while nothing waits, and nothing is read per object.
 */
class ReadinessPollTest {
    private static final int APPS = 6;

    @TempDir
    Path dir;

    /** {@code apps} apps of one database each, one namespace each. */
    private RenderedStack render(int apps) {
        StringBuilder yaml = new StringBuilder("""
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: cache, type: redis, version: "8.2", storage: 1}
                  dbstack:apps:
                """);
        for (int i = 0; i < apps; i++) yaml.append("    - {name: app").append(i).append(", profile: p}\n");
        TestProject project = TestProject.create(dir, yaml.toString());
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static Plan plan(RenderedStack stack) {
        return Planner.plan("p", TestProject.STACK, stack, Catalog.builtIn(), Planner.Known.nothing(),
                new Planner.Live(Map.of(), Set.of("standard"), "standard"), Planner.Options.NONE);
    }

    private static final Applier.Recorder NO_STATE = dev.dbstack.testing.NoState.RECORDER;

    @Test
    void onePollListsEachWaitingKindOnceAndAnswersEveryWaitingObjectFromIt() {
        RenderedStack stack = render(APPS);
        try (Sandbox sandbox = Sandbox.start()) {
            RequestCounter counter = new RequestCounter();
            KubernetesClient client = counter.counting(sandbox.client());
            // Each check notes which LIST it is answered from (polls never overlap, and each lists before it judges).
            Map<Long, Set<String>> judgedByList = Collections.synchronizedMap(new TreeMap<>());
            Set<String> seen = Collections.synchronizedSet(new HashSet<>());
            AtomicBoolean release = new AtomicBoolean();
            ReadinessChecks checks = ReadinessChecks.builtIn().with("StatefulSet", (JsonNode live) -> {
                String name = live.path("metadata").path("namespace").asText();
                judgedByList.computeIfAbsent(counter.snapshot().of(Type.LIST, "statefulsets"), k -> new HashSet<>()).add(name);
                seen.add(name);
                // Held until every one of them has been seen waiting: then one poll holds them all.
                if (!release.get() && seen.size() == APPS) release.set(true);
                return release.get() ? Readiness.Verdict.READY : Readiness.Verdict.notYet("held");
            });
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Applier.Result r = new Applier(client, APPS, Duration.ofSeconds(60), lines::add, checks).apply(plan(stack), stack.graph(),
                    NO_STATE);
            RequestCounter.Counts counts = counter.snapshot();
            client.close();

            assertThat(r.ok()).as("%s %s", r.errors(), lines).isTrue();
            assertThat(counts.total(Type.GET)).as("nothing read per object: %s", counts).isZero();
            assertThat(counts.byResource(Type.LIST)).as("only the kind waited for is listed: %s", counts).containsOnlyKeys("statefulsets");
            assertThat(judgedByList.keySet()).as("every LIST answered a poll: none while nothing waits")
                    .hasSize((int) counts.of(Type.LIST, "statefulsets"));
            assertThat(judgedByList.values()).as("one LIST answered all %s waiting StatefulSets: %s", APPS, judgedByList)
                    .anyMatch(namespaces -> namespaces.size() == APPS);
        }
    }

    @Test
    void nothingIsListedWhenNothingWaits() {
        RenderedStack stack = render(2);
        Plan all = plan(stack);
        // Namespaces, Secrets and Services are ready once written.
        Plan noWorkloads = new Plan(all.project(), all.stack(), all.steps().stream()
                .filter(s -> !s.object().kind().equals("StatefulSet")).toList(), List.of());
        try (Sandbox sandbox = Sandbox.start()) {
            RequestCounter counter = new RequestCounter();
            KubernetesClient client = counter.counting(sandbox.client());
            Applier.Result r = new Applier(client, 2, Duration.ofSeconds(60), line -> { }).apply(noWorkloads, stack.graph(), NO_STATE);
            RequestCounter.Counts counts = counter.snapshot();
            client.close();

            assertThat(r.ok()).isTrue();
            assertThat(counts.reads()).as("%s", counts).isZero();
            assertThat(counts.writes()).isEqualTo(noWorkloads.steps().size());
        }
    }

    @Test
    void whereRbacForbidsListingAKindInAllNamespacesItIsPolledInEachNamespace() {
        RenderedStack stack = render(1);
        try (Sandbox sandbox = Sandbox.start()) {
            RequestCounter counter = new RequestCounter();
            KubernetesClient client = counter.counting(sandbox.client());
            Applier.Recorder forbidding = new Applier.Recorder() {
                @Override
                public void applied(Step step, HasMetadata written) {
                    // The next request is the poll's LIST in all namespaces: refused as RBAC would.
                    if (step.object().kind().equals("StatefulSet")) sandbox.injectFaults(1, 403);
                }

                @Override
                public void deleted(Step step) {}

                @Override
                public void forgotten(Step step) {}
            };
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Applier.Result r = new Applier(client, 1, Duration.ofSeconds(60), lines::add).apply(plan(stack), stack.graph(), forbidding);
            RequestCounter.Counts counts = counter.snapshot();
            client.close();

            assertThat(r.ok()).as("%s %s", r.errors(), lines).isTrue();
            assertThat(counts.of(Type.LIST, "statefulsets")).as("the refused LIST, then one per namespace per poll").isGreaterThanOrEqualTo(2);
            assertThat(counts.total(Type.GET)).isZero();
        }
    }
}
