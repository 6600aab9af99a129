package dev.dbstack.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.LiveReader;
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
import dev.dbstack.testing.ShopStack;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierTest {
    private static final Applier.Recorder NO_STATE = dev.dbstack.testing.NoState.RECORDER;

    @Test
    void transientApiErrorsAreRetried() {
        RenderedStack stack = ShopStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        try (Sandbox sandbox = Sandbox.start()) {
            sandbox.injectFaults(4, 503);
            List<String> events = new ArrayList<>();
            Applier.Result r = new Applier(sandbox.client(), 2, Duration.ofSeconds(30), (Progress) events::add)
                    .apply(plan, stack.graph(), NO_STATE);
            assertThat(r.ok()).as(r.errors().toString()).isTrue();
            assertThat(sandbox.client().apps().statefulSets().inNamespace("shop").list().getItems())
                    .hasSize(ShopStack.count("StatefulSet"));

            sandbox.injectFaults(2, 429);
            Applier.Result again = new Applier(sandbox.client(), 2, Duration.ofSeconds(30), (Progress) events::add)
                    .apply(plan, stack.graph(), NO_STATE);
            assertThat(again.ok()).as("creates of objects that exist as desired have nothing left to do: %s", again.errors()).isTrue();
        }
    }

    @Test
    void aPermanentFailureStopsTheServiceAndItsDependantsWhileOthersFinish() {
        RenderedStack stack = ShopStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        try (Sandbox sandbox = Sandbox.start()) {
            // An admission-style refusal that no retry fixes: the namespace exists, postgresql-1's Secret is rejected.
            sandbox.client().resource(stack.appObjects().get("shop").get(0)).create();
            List<Step> steps = plan.steps().stream().filter(s -> s.service() != null).toList();
            Plan services = new Plan("p", "dev", steps, List.of());
            sandbox.injectFaults(1, 403); // not transient: one refusal is final
            Applier.Result r = new Applier(sandbox.client(), 1, Duration.ofSeconds(30), (Progress) e -> { })
                    .apply(services, stack.graph(), NO_STATE);
            assertThat(r.services().get(new ServiceId("shop", "postgresql-1"))).isEqualTo(Applier.Outcome.FAILED);
            assertThat(r.services().get(new ServiceId("shop", "api"))).isEqualTo(Applier.Outcome.SKIPPED);
            assertThat(r.services().get(new ServiceId("shop", "redis-1"))).isEqualTo(Applier.Outcome.SUCCEEDED);
            assertThat(r.errors().get(new ServiceId("shop", "postgresql-1"))).contains("HTTP 403");
        }
    }

    @Test
    void aStepThatCannotBeRecordedStopsTheWholeRun() {
        RenderedStack stack = ShopStack.render();
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        List<Step> recorded = new ArrayList<>();
        Applier.Recorder diskFullAfterThree = new Applier.Recorder() {
            @Override
            public synchronized void applied(Step step, HasMetadata written) {
                if (recorded.size() == 3) throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
                recorded.add(step);
            }

            @Override
            public void deleted(Step step) {}

            @Override
            public void forgotten(Step step) {}
        };
        try (Sandbox sandbox = Sandbox.start()) {
            Applier applier = new Applier(sandbox.client(), 1, Duration.ofSeconds(30), (Progress) e -> { });
            Applier.RecordingFailed failed = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.RecordingFailed.class,
                    () -> applier.apply(plan, stack.graph(), diskFullAfterThree));

            assertThat(failed).as("recording failure ends the run instead of failing one service").isNotNull();
            assertThat(failed.getMessage()).contains("No space left on device");
            // One step was written to the cluster and not recorded; nothing after it was attempted.
            String ours = dev.dbstack.render.Labels.STACK;
            int objects = sandbox.client().secrets().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().services().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().apps().statefulSets().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().apps().deployments().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().namespaces().withLabel(ours).list().getItems().size()
                    + sandbox.client().resourceQuotas().inAnyNamespace().withLabel(ours).list().getItems().size()
                    + sandbox.client().limitRanges().inAnyNamespace().withLabel(ours).list().getItems().size();
            assertThat(objects).isEqualTo(recorded.size() + 1);
        }
    }

    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox}
              dbstack:profiles:
                - name: shop
                  layers:
                    - {name: pg, type: postgresql, version: "17", storage: %d}
                    - name: api
                      type: container
                      image: nginx:%s
                      env:
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.pg.PASSWORD}}"
              dbstack:apps:
                - {name: shop, profile: shop}
            """;

    /** A stack of this test's own, planned against the sandbox and applied as the engine does, state kept here. */
    private static final class Run {
        final Sandbox sandbox = Sandbox.start();
        final Path dir;
        final Map<ObjectRef, Recorded> recorded = new java.util.concurrent.ConcurrentHashMap<>();
        final List<Step> applied = java.util.Collections.synchronizedList(new ArrayList<>());
        RenderedStack desired;

        Run(Path dir) {
            this.dir = dir;
        }

        Plan plan(int storage, String nginx) {
            TestProject project = TestProject.create(dir, STACK.formatted(storage, nginx));
            desired = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
            Planner.Known known = new Planner.Known(Map.copyOf(recorded), Map.of());
            return Planner.plan("p", TestProject.STACK, desired, project.catalog(), known,
                    LiveReader.read(sandbox.client(), TestProject.STACK, desired.allObjects(), known), Planner.Options.NONE);
        }

        Applier.Result apply(Plan plan) {
            return new Applier(sandbox.client(), 1, Duration.ofSeconds(30), (Progress) e -> { }).apply(plan, desired.graph(),
                    new Applier.Recorder() {
                        @Override
                        public void applied(Step step, HasMetadata written) {
                            applied.add(step);
                            recorded.put(step.object(), new Recorded(step.object(), step.app(), step.service(),
                                    Planner.withoutSecretData(new KubernetesSerialization().convertValue(step.desired(), JsonNode.class))));
                        }

                        @Override
                        public void deleted(Step step) {
                            applied.add(step);
                            recorded.remove(step.object());
                        }

                        @Override
                        public void forgotten(Step step) {
                            recorded.remove(step.object());
                        }
                    });
        }

        KubernetesClient client() {
            return sandbox.client();
        }
    }

    @Test
    void aCreateOfAnObjectSomeoneElseCreatedSinceIsStale(@TempDir Path dir) {
        Run run = new Run(dir);
        try (Sandbox sandbox = run.sandbox) {
            Plan plan = run.plan(1, "1.27");
            run.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName("shop").addToLabels("team", "other").endMetadata().build()).create();
            long writes = sandbox.writeRequests();
            Applier.PlanStale stale = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.PlanStale.class,
                    () -> run.apply(plan));
            assertThat(stale.getMessage()).isEqualTo("Namespace shop exists now; the plan was made when it did not"
                    + " (HTTP 409: namespaces \"shop\" already exists)");
            assertThat(sandbox.writeRequests() - writes).as("the refused create, and nothing after it").isEqualTo(1);
            assertThat(run.client().namespaces().withName("shop").get().getMetadata().getLabels()).containsOnlyKeys("team");
        }
    }

    @Test
    void anObjectChangedAfterPlanningStopsTheRunAsStaleAndNothingAfterItIsWritten(@TempDir Path dir) {
        Run run = new Run(dir);
        try (Sandbox sandbox = run.sandbox) {
            assertThat(run.apply(run.plan(1, "1.27")).ok()).isTrue();
            StatefulSet pg = run.client().apps().statefulSets().inNamespace("shop").withName("pg").get();

            Plan plan = run.plan(2, "1.28"); // pg's volume grows (wave 1), api's image changes (wave 2)
            assertThat(plan.steps()).extracting(Step::action).containsExactly(Action.EXPAND_VOLUME, Action.UPDATE);
            // Someone else changes a claim the plan grows, after planning and before applying.
            run.client().persistentVolumeClaims().inNamespace("shop").withName("data-pg-0")
                    .edit(c -> new PersistentVolumeClaimBuilder(c).editMetadata().addToLabels("backup", "nightly").endMetadata().build());
            run.applied.clear();
            long writes = sandbox.writeRequests();

            Applier.PlanStale stale = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.PlanStale.class,
                    () -> run.apply(plan));
            assertThat(stale).as("the run stops as stale").isNotNull();
            assertThat(stale.object()).isEqualTo(new ObjectRef("v1", "PersistentVolumeClaim", "shop", "data-pg-0"));
            assertThat(stale.getMessage()).startsWith("PersistentVolumeClaim shop/data-pg-0 changed since the plan was made"
                    + " (planned against resourceVersion ").contains("HTTP 409: Operation cannot be fulfilled on"
                    + " persistentvolumeclaims \"data-pg-0\"");
            assertThat(sandbox.writeRequests() - writes).as("the refused patch, and nothing after it").isEqualTo(1);
            assertThat(run.applied).isEmpty();
            assertThat(run.client().apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getUid())
                    .as("not deleted").isEqualTo(pg.getMetadata().getUid());
            assertThat(run.client().persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").get().getSpec()
                    .getResources().getRequests().get("storage")).isEqualTo(new Quantity("1Gi"));
            assertThat(run.client().apps().deployments().inNamespace("shop").withName("api").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).as("the later step did not run").isEqualTo("nginx:1.27");

            // Planned again against the cluster as it is, the same change goes through.
            assertThat(run.apply(run.plan(2, "1.28")).ok()).isTrue();
            assertThat(run.client().persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").get().getMetadata()
                    .getLabels()).containsEntry("backup", "nightly");
        }
    }

    @Test
    void aPatchOrDeleteOfAnObjectChangedAfterPlanningIsStale(@TempDir Path dir) {
        Run run = new Run(dir);
        try (Sandbox sandbox = run.sandbox) {
            assertThat(run.apply(run.plan(1, "1.27")).ok()).isTrue();
            Plan update = run.plan(1, "1.28");
            run.client().apps().deployments().inNamespace("shop").withName("api").edit(d -> new io.fabric8.kubernetes.api.model
                    .apps.DeploymentBuilder(d).editSpec().withReplicas(3).endSpec().build());
            Applier.PlanStale stale = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.PlanStale.class,
                    () -> run.apply(update));
            assertThat(stale.getMessage()).startsWith("Deployment shop/api changed since the plan was made");
            assertThat(run.client().apps().deployments().inNamespace("shop").withName("api").get().getSpec().getReplicas())
                    .as("their change stands").isEqualTo(3);

            // Removing the container: its Service and Deployment are deleted, if still as planned.
            Plan removal = run.plan(1, "1.27");
            assertThat(run.apply(removal).ok()).isTrue();
            String without = STACK.formatted(1, "1.27").replaceAll("(?s)\\n\\s*- name: api\\n.*?PASSWORD\\}\\}\"", "");
            TestProject project = TestProject.create(dir, without);
            Planner.Known known = new Planner.Known(Map.copyOf(run.recorded), Map.of());
            RenderedStack desired = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
            Plan deletes = Planner.plan("p", TestProject.STACK, desired, project.catalog(), known,
                    LiveReader.read(run.client(), TestProject.STACK, desired.allObjects(), known), Planner.Options.NONE);
            // The database no longer admits the removed consumer: its NetworkPolicy narrows.
            assertThat(deletes.steps()).filteredOn(s -> !s.object().kind().equals("NetworkPolicy")).extracting(Step::action)
                    .containsOnly(Action.DELETE);
            assertThat(deletes.steps()).filteredOn(s -> s.object().kind().equals("NetworkPolicy")).extracting(Step::action)
                    .containsOnly(Action.UPDATE);
            run.client().apps().deployments().inNamespace("shop").withName("api").edit(d -> new io.fabric8.kubernetes.api.model
                    .apps.DeploymentBuilder(d).editMetadata().addToAnnotations("owner", "someone").endMetadata().build());
            run.desired = desired;
            Applier.PlanStale deleteStale = org.assertj.core.api.Assertions.catchThrowableOfType(Applier.PlanStale.class,
                    () -> run.apply(deletes));
            assertThat(deleteStale.getMessage()).startsWith("Deployment shop/api changed since the plan was made")
                    .contains("Precondition failed: ResourceVersion in precondition");
            assertThat(run.client().apps().deployments().inNamespace("shop").withName("api").get()).as("not deleted").isNotNull();
        }
    }

    /** A controller reporting status moves the resourceVersion, not the object the plan was made against. */
    @Test
    void statusWrittenAfterPlanningIsNotAChange(@TempDir Path dir) {
        Run run = new Run(dir);
        try (Sandbox sandbox = run.sandbox) {
            assertThat(run.apply(run.plan(1, "1.27")).ok()).isTrue();
            Plan update = run.plan(1, "1.28");
            var api = run.client().apps().deployments().inNamespace("shop").withName("api");
            String planned = api.get().getMetadata().getResourceVersion();
            api.editStatus(d -> new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d).editStatus().withReadyReplicas(0)
                    .endStatus().build());
            assertThat(api.get().getMetadata().getResourceVersion()).isNotEqualTo(planned);

            Applier.Result r = run.apply(update);
            assertThat(r.ok()).as(r.errors().toString()).isTrue();
            assertThat(api.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.28");
        }
    }

    /**
     * A write carried out whose answer was lost (a proxy's 504) is retried; the retry meets its own write's
     * new resourceVersion (409), which must not be taken for someone else's change.
     */
    @Test
    void aRetriedWriteWhoseAnswerWasLostIsNotAConflict(@TempDir Path dir) {
        Run run = new Run(dir);
        try (Sandbox sandbox = run.sandbox) {
            Plan create = run.plan(1, "1.27");
            sandbox.loseAnswers(100); // every create carried out, every answer lost
            Applier.Result created = run.apply(create);
            assertThat(created.ok()).as(created.errors().toString()).isTrue();
            assertThat(run.applied).hasSize(create.steps().size());

            Plan update = run.plan(2, "1.28");
            sandbox.loseAnswers(100); // claim patch, StatefulSet delete and create, Deployment patch
            Applier.Result updated = run.apply(update);
            assertThat(updated.ok()).as(updated.errors().toString()).isTrue();
            assertThat(run.client().persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").get().getSpec()
                    .getResources().getRequests().get("storage")).isEqualTo(new Quantity("2Gi"));
            assertThat(run.client().apps().deployments().inNamespace("shop").withName("api").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.28");
            sandbox.loseAnswers(0);
            assertThat(run.plan(2, "1.28").steps()).as("converged").isEmpty();
        }
    }

    @Test
    void oneApplierWritesEachAppOnItsOwnClusterAndAFailureOnOneLeavesTheOtherToFinish() {
        RenderedStack stack = TestProject.inTemporaryDirectory(TestProject.STACK, dev.dbstack.testing.TwoClusters.SANDBOXES, project ->
                new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph(TestProject.STACK)));
        Plan plan = Planner.plan("p", "dev", stack, Catalog.builtIn(), Planner.Known.nothing(), new Planner.Live(Map.of(), Set.of(), null),
                Planner.Options.NONE);
        try (Sandbox west = Sandbox.start(); Sandbox east = Sandbox.start()) {
            // alpha's queue never becomes ready on west: its worker is skipped, beta on east is applied whole.
            west.holdReadiness("alpha", "queue", waited -> false);
            Applier.Result r = new Applier(app -> app.equals("alpha") ? west.client() : east.client(), 2, Duration.ofSeconds(2),
                    (Progress) e -> { }, ReadinessChecks.builtIn()).apply(plan, stack.graph(), NO_STATE);
            assertThat(r.services().get(new ServiceId("alpha", "queue"))).isEqualTo(Applier.Outcome.FAILED);
            assertThat(r.services().get(new ServiceId("alpha", "worker"))).isEqualTo(Applier.Outcome.SKIPPED);
            assertThat(r.services().get(new ServiceId("beta", "queue"))).isEqualTo(Applier.Outcome.SUCCEEDED);
            assertThat(r.services().get(new ServiceId("beta", "worker"))).isEqualTo(Applier.Outcome.SUCCEEDED);
            assertThat(west.client().apps().statefulSets().inNamespace("alpha").withName("queue").get()).isNotNull();
            assertThat(west.client().namespaces().withName("beta").get()).isNull();
            assertThat(east.client().namespaces().withName("alpha").get()).isNull();
            assertThat(east.client().apps().deployments().inNamespace("beta").withName("worker").get()).isNotNull();
            assertThat(west.client().apps().deployments().inNamespace("alpha").withName("worker").get()).isNull();
        }
    }
}
