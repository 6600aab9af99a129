package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.Problem;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual-cluster limits: the ResourceQuota and LimitRange each app namespace gets, and the storage check
 * that refuses, before anything is applied, an app whose claims or requests would not fit them.
 */
class VirtualClusterPlanTest {

    /** App {@code app1} in cluster group {@code g} with {@code limits} (a flow mapping, or null for the defaults). */
    static String stack(String groupLimits, String appLimits, String... layers) {
        StringBuilder s = new StringBuilder("config:\n  dbstack:clusterGroups:\n    - {name: g, cluster: sandbox"
                + (groupLimits == null ? "" : ", virtualClusters: " + groupLimits) + "}\n"
                + "  dbstack:profiles:\n    - name: p\n      layers:\n");
        for (String l : layers) s.append("        - ").append(l).append('\n');
        s.append("  dbstack:apps:\n    - {name: app1, profile: p").append(appLimits == null ? "" : ", limits: " + appLimits)
                .append("}\n");
        return s.toString();
    }

    static String redis(String name, int storage) {
        return "{name: " + name + ", type: redis, version: \"8.2\", storage: " + storage + "}";
    }

    static String api(int replicas, String cpu) {
        return "{name: api, type: container, image: ghcr.io/acme/api:1.0.0, replicas: " + replicas
                + ", resources: {cpu: " + cpu + ", memory: 256Mi}, volume: {size: 1, mountPath: /data}}";
    }

    private static List<String> refusals(DataSafetyPlanTest.World w, String yaml) {
        PlanRefusedException e = catchThrowableOfType(PlanRefusedException.class, () -> w.plan(yaml));
        assertThat(e).as("plan refused").isNotNull();
        return e.problems().stream().map(Problem::render).toList();
    }

    private static RenderedStack render(Path dir, String yaml) {
        TestProject project = TestProject.create(dir, yaml);
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    @Test
    void quotaAndLimitRangeAreRenderedWithTheNamespace(@TempDir Path dir) {
        List<HasMetadata> app = render(dir, stack(null, null, redis("redis-1", 2))).appObjects().get("app1");
        assertThat(app).extracting(HasMetadata::getKind).containsExactly("Namespace", "ResourceQuota", "LimitRange");
        for (HasMetadata o : app.subList(1, 3)) {
            assertThat(o.getMetadata().getNamespace()).isEqualTo("app1");
            assertThat(o.getMetadata().getLabels()).isEqualTo(app.get(0).getMetadata().getLabels());
        }
        // Palette's defaults; the claim count follows from storage (every claim is at least 1Gi).
        assertThat(((ResourceQuota) app.get(1)).getSpec().getHard()).isEqualTo(Map.of("requests.cpu", new Quantity("6"),
                "requests.memory", new Quantity("8Gi"), "requests.storage", new Quantity("10Gi"),
                "persistentvolumeclaims", new Quantity("10")));
        LimitRangeItem item = ((LimitRange) app.get(2)).getSpec().getLimits().get(0);
        assertThat(item.getType()).isEqualTo("Container");
        // Both set explicitly: the API server would otherwise fill in default from max, and the object would drift.
        assertThat(item.getDefaultRequest()).isEqualTo(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")));
        assertThat(item.getDefault()).isEqualTo(Map.of("cpu", new Quantity("6"), "memory", new Quantity("8Gi")));
    }

    @Test
    void appLimitsWithinTheGroupsAndTheirChangeIsAnUpdateAppliedBeforeServices(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack("{cpu: 4, memory: 4Gi, storage: 8Gi}", "{storage: 5Gi}", redis("redis-1", 2)));
        Plan plan = w.up(stack("{cpu: 4, memory: 4Gi, storage: 8Gi}", "{storage: 6Gi, cpu: 500m}", redis("redis-1", 2)));
        assertThat(plan.steps()).extracting(s -> s.action() + " " + s.object().kind())
                .containsExactly("UPDATE ResourceQuota", "UPDATE LimitRange");
        Step quota = plan.steps().get(0);
        assertThat(quota.service()).as("app-level: applied before the services").isNull();
        assertThat(quota.fields()).contains("spec.hard.requests.cpu", "spec.hard.requests.storage",
                "spec.hard.persistentvolumeclaims");
        assertThat(w.plan(stack("{cpu: 4, memory: 4Gi, storage: 8Gi}", "{storage: 6Gi, cpu: 500m}", redis("redis-1", 2)))
                .steps()).isEmpty();

        // A new app: namespace, quota and defaults come before any of its services' objects.
        DataSafetyPlanTest.World fresh = new DataSafetyPlanTest.World(dir);
        List<Step> steps = fresh.plan(stack(null, null, redis("redis-1", 2))).steps();
        assertThat(steps.subList(0, 3)).extracting(s -> s.object().kind()).containsExactly("Namespace", "ResourceQuota", "LimitRange");
        assertThat(steps.subList(3, steps.size())).allMatch(s -> s.service() != null);
    }

    @Test
    void storageGrowingPastTheAllocationIsRefusedWithTheNumbers(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack(null, "{storage: 5Gi}", redis("redis-1", 4)));
        // Equal to the limit fits: the quota admits usage up to its hard limit.
        w.up(stack(null, "{storage: 5Gi}", redis("redis-1", 5)));
        assertThat(refusals(w, stack(null, "{storage: 5Gi}", redis("redis-1", 6)))).containsExactly(
                "stacks/Pulumi.test.yaml:9: config.dbstack:apps[app1].limits: app app1 does not fit its virtual cluster"
                        + " (namespace app1): storage: its claims add up to 6Gi, more than 5Gi (redis-1: 6Gi). Raise the"
                        + " limits (config.dbstack:apps[app1].limits, within its cluster group's virtualClusters), or ask"
                        + " the layers for less; nothing was applied");
    }

    @Test
    void aNewLayerOverTheLimitIsRefusedNamingEachLayer(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack("{storage: 6Gi}", null, redis("redis-1", 3)));
        assertThat(refusals(w, stack("{storage: 6Gi}", null, redis("redis-1", 3), redis("redis-2", 3), api(1, "100m"))))
                .singleElement().asString()
                .startsWith("stacks/Pulumi.test.yaml:3: config.dbstack:clusterGroups[g].virtualClusters: app app1")
                .contains("storage: its claims add up to 7Gi, more than 6Gi (redis-1: 3Gi; redis-2: 3Gi; api: api-data 1Gi)");
    }

    @Test
    void replicasOverTheCpuLimitAreRefused(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack(null, "{cpu: 2}", redis("redis-1", 1), api(2, "900m")));
        // redis 100m + 2 × 900m = 1900m fits 2; 3 replicas do not.
        assertThat(refusals(w, stack(null, "{cpu: 2}", redis("redis-1", 1), api(3, "900m")))).singleElement().asString()
                .contains("cpu: its pods request 2800m, more than 2 (redis-1: 1 × 100m; api: 3 × 900m)")
                .doesNotContain("storage:");
    }

    @Test
    void limitsBelowWhatTheLayersRequestAreRefusedBeforeAnythingIsApplied(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        assertThat(refusals(w, stack(null, "{memory: 200Mi}", redis("redis-1", 1)))).singleElement().asString()
                .contains("memory: its pods request 256Mi, more than 200Mi (redis-1: 1 × 256Mi)");
        assertThat(w.live).isEmpty();
    }

    @Test
    void keptClaimsOfRemovedLayersStillCount(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack(null, "{storage: 6Gi}", redis("redis-1", 2), redis("old", 3)));
        w.up(stack(null, "{storage: 6Gi}", redis("redis-1", 2))); // old's claim is kept
        assertThat(w.hasClaim("data-old-0")).isTrue();
        assertThat(refusals(w, stack(null, "{storage: 6Gi}", redis("redis-1", 4)))).singleElement().asString()
                .contains("storage: its claims add up to 7Gi, more than 6Gi (redis-1: 4Gi; kept claims of removed layer old:"
                        + " data-old-0 3Gi)");
        // Deleting the kept data in the same plan makes room.
        assertThat(w.plan(stack(null, "{storage: 6Gi}", redis("redis-1", 4)), Planner.Options.deleteData(java.util.Set.of("old")))
                .steps()).isNotEmpty();
    }

    @Test
    void aLiveClaimLargerThanItsTemplateCountsAtItsSize(@TempDir Path dir) {
        DataSafetyPlanTest.World w = new DataSafetyPlanTest.World(dir);
        w.up(stack(null, "{storage: 5Gi}", redis("redis-1", 2)));
        ObjectRef claim = new ObjectRef("v1", "PersistentVolumeClaim", "app1", "data-redis-1-0");
        var grown = (com.fasterxml.jackson.databind.node.ObjectNode) w.live.get(claim).deepCopy();
        grown.putObject("status").putObject("allocatedResources").put("storage", "6Gi");
        w.live.put(claim, grown);
        assertThat(refusals(w, stack(null, "{storage: 5Gi}", redis("redis-1", 2)))).singleElement().asString()
                .contains("storage: its claims add up to 6Gi, more than 5Gi");
    }
}
