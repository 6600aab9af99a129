package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.Problem;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.testing.ShopStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The plan's Kubernetes rules, against a live cluster described as data. */
class PlannerTest {
    private static final RenderedStack DESIRED = ShopStack.render();
    private static final ObjectRef STS = new ObjectRef("apps/v1", "StatefulSet", "shop", "postgresql-1");

    /** Live = exactly what is desired, then {@code edit} applied to the postgresql StatefulSet. */
    private static Planner.Live live(Consumer<ObjectNode> edit) {
        Map<ObjectRef, JsonNode> objects = new HashMap<>();
        for (HasMetadata o : DESIRED.allObjects()) objects.put(ObjectRef.of(o), Planner.SERIALIZATION.convertValue(o, JsonNode.class));
        ObjectNode sts = objects.get(STS).deepCopy();
        edit.accept(sts);
        objects.put(STS, sts);
        return new Planner.Live(objects, Set.of("standard"), "standard");
    }

    private static Plan plan(Planner.Live live) {
        return Planner.plan("p", "dev", DESIRED, Catalog.builtIn(), Planner.Known.nothing(), live, Planner.Options.NONE);
    }

    private static ObjectNode spec(ObjectNode sts) {
        return (ObjectNode) sts.get("spec");
    }

    @Test
    void nothingToDoWhenLiveMatches() {
        assertThat(plan(live(s -> { })).steps()).isEmpty();
    }

    @Test
    void eachImmutableFieldForcesAReplaceThatSaysWhy() {
        Map<String, Consumer<ObjectNode>> changes = Map.of(
                "spec.serviceName", s -> spec(s).put("serviceName", "other"),
                "spec.podManagementPolicy", s -> spec(s).put("podManagementPolicy", "Parallel"),
                "spec.selector", s -> ((ObjectNode) spec(s).get("selector").get("matchLabels")).put("dbstack.dev/layer", "old"));
        changes.forEach((field, change) -> {
            Plan p = plan(live(change));
            assertThat(p.steps()).singleElement().satisfies(step -> {
                assertThat(step.action()).isEqualTo(Action.REPLACE);
                assertThat(step.object()).isEqualTo(STS);
                assertThat(step.reason()).startsWith(field).contains("cannot change on a StatefulSet")
                        .contains(field.equals("spec.selector") ? "its pods with it (the new selector would not adopt them);"
                                + " claims kept and reattached" : "with orphan propagation; pods and claims adopted");
            });
        });
    }

    @Test
    void grownStorageIsAnExpandVolumeAndNeedsAnExpandableClass() {
        Consumer<ObjectNode> smaller = s -> ((ObjectNode) spec(s).get("volumeClaimTemplates").get(0).get("spec")
                .get("resources").get("requests")).put("storage", "5Gi");
        assertThat(plan(live(smaller)).steps()).singleElement().extracting(Step::action).isEqualTo(Action.EXPAND_VOLUME);

        Planner.Live fixed = new Planner.Live(live(smaller).objects(), Set.of(), "standard");
        PlanRefusedException e = catchThrowableOfType(PlanRefusedException.class, () -> plan(fixed));
        assertThat(e.problems()).extracting(Problem::message).singleElement().asString()
                .contains("StorageClass 'standard' does not allow volume expansion");
    }

    @Test
    void shrinkingStorageAndChangingOtherVolumeFieldsAreRefused() {
        PlanRefusedException shrink = catchThrowableOfType(PlanRefusedException.class, () -> plan(live(s ->
                ((ObjectNode) spec(s).get("volumeClaimTemplates").get(0).get("spec").get("resources").get("requests"))
                        .put("storage", "50Gi"))));
        assertThat(shrink.problems()).extracting(Problem::message).singleElement().asString()
                .startsWith("storage cannot shrink (50Gi → 10Gi)");

        PlanRefusedException mode = catchThrowableOfType(PlanRefusedException.class, () -> plan(live(s ->
                ((ObjectNode) spec(s).get("volumeClaimTemplates").get(0).get("spec")).putArray("accessModes").add("ReadWriteMany"))));
        assertThat(mode.problems()).extracting(Problem::message).singleElement().asString()
                .contains("changed in spec.accessModes[0]");
    }

    /** Live as {@link #live}, every object at resourceVersion 7 (the StatefulSet at 42), plus claims of the StatefulSet. */
    private static Planner.Live versioned(Consumer<ObjectNode> edit, String... claims) {
        Map<ObjectRef, JsonNode> objects = new HashMap<>(live(edit).objects());
        objects.replaceAll((ref, o) -> {
            ObjectNode copy = o.deepCopy();
            copy.with("metadata").put("resourceVersion", ref.equals(STS) ? "42" : "7");
            return copy;
        });
        int v = 100;
        for (String claim : claims) {
            ObjectNode c = Planner.SERIALIZATION.convertValue(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(claim).withNamespace("shop").withResourceVersion(String.valueOf(v++)).endMetadata()
                    .build(), ObjectNode.class);
            objects.put(new ObjectRef("v1", "PersistentVolumeClaim", "shop", claim), c);
        }
        return new Planner.Live(objects, Set.of("standard"), "standard");
    }

    @Test
    void aPatchStepCarriesTheExactMergePatchAndTheVersionItWasPlannedAgainst() {
        ObjectNode lastApplied = Planner.SERIALIZATION.convertValue(DESIRED.allObjects().stream()
                .filter(o -> ObjectRef.of(o).equals(STS)).findFirst().orElseThrow(), ObjectNode.class);
        lastApplied.with("metadata").with("labels").put("team", "db"); // set by the last apply, gone from config
        Planner.Known known = new Planner.Known(Map.of(STS, new Recorded(STS, "shop",
                new dev.dbstack.model.ServiceId("shop", "postgresql-1"), lastApplied)), Map.of());
        Planner.Live live = versioned(s -> spec(s).put("replicas", 3));

        Plan p = Planner.plan("p", "dev", DESIRED, Catalog.builtIn(), known, live, Planner.Options.NONE);
        Step step = p.steps().stream().filter(st -> st.object().equals(STS)).findFirst().orElseThrow();
        assertThat(step.action()).as("live changed, configuration did not").isEqualTo(Action.DRIFT);
        assertThat(step.plannedVersion()).isEqualTo("42");
        JsonNode patch = step.write().patch();
        assertThat(patch.path("metadata").path("resourceVersion").asText()).isEqualTo("42");
        assertThat(patch.path("metadata").path("labels").get("team").isNull()).as("a removal").isTrue();
        assertThat(patch.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(patch.has("status")).isFalse();
    }

    @Test
    void anExpandVolumeNamesTheClaimsTheirNewSizeAndTheirVersions() {
        Consumer<ObjectNode> smaller = s -> ((ObjectNode) spec(s).get("volumeClaimTemplates").get(0).get("spec")
                .get("resources").get("requests")).put("storage", "5Gi");
        Step step = plan(versioned(smaller, "data-postgresql-1-0", "data-postgresql-1-1", "data-postgresql-10",
                "other-postgresql-1-0")).steps().get(0);
        assertThat(step.action()).isEqualTo(Action.EXPAND_VOLUME);
        assertThat(step.plannedVersion()).isEqualTo("42");
        assertThat(step.write().propagation()).isEqualTo(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN);
        assertThat(step.write().claims()).extracting(Step.Claim::name, Step.Claim::size, c -> c.against().resourceVersion())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("data-postgresql-1-0", "10Gi", "100"),
                        org.assertj.core.groups.Tuple.tuple("data-postgresql-1-1", "10Gi", "101"));
    }

    @Test
    void aStatusOnlyChangeLeavesTheObjectAsPlannedAgainst() {
        ObjectNode sts = (ObjectNode) versioned(s -> { }).objects().get(STS);
        LiveVersion planned = LiveVersion.of(sts);
        ObjectNode reported = sts.deepCopy();
        reported.with("metadata").put("resourceVersion", "43");
        reported.putObject("status").put("readyReplicas", 1);
        assertThat(planned.sameObject(reported)).isTrue();
        ObjectNode labelled = reported.deepCopy();
        labelled.with("metadata").with("labels").put("team", "other");
        assertThat(planned.sameObject(labelled)).isFalse();
        assertThat(planned.sameObject(null)).isFalse();
    }

    @Test
    void aReplaceSaysHowItsDeletePropagates() {
        assertThat(plan(versioned(s -> spec(s).put("serviceName", "other"))).steps().get(0).write().propagation())
                .isEqualTo(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN);
        assertThat(plan(versioned(s -> ((ObjectNode) spec(s).get("selector").get("matchLabels")).put("dbstack.dev/layer", "old")))
                .steps().get(0).write().propagation()).isEqualTo(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND);
    }

    @Test
    void aCreateIsPlannedAgainstAnAbsentObjectAndADeleteAgainstTheLiveVersion() {
        Planner.Live live = versioned(s -> { });
        Map<ObjectRef, JsonNode> without = new HashMap<>(live.objects());
        without.remove(STS);
        ObjectRef leftover = new ObjectRef("v1", "ConfigMap", "shop", "leftover");
        without.put(leftover, Planner.SERIALIZATION.convertValue(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("leftover").withNamespace("shop").withResourceVersion("9").endMetadata().build(),
                JsonNode.class));
        Planner.Known known = new Planner.Known(Map.of(leftover, new Recorded(leftover, "shop",
                new dev.dbstack.model.ServiceId("shop", "api"), null)), Map.of());
        Plan p = Planner.plan("p", "dev", DESIRED, Catalog.builtIn(), known, new Planner.Live(without, Set.of("standard"),
                "standard"), Planner.Options.NONE);
        assertThat(p.steps()).filteredOn(st -> st.object().equals(STS)).singleElement().satisfies(st -> {
            assertThat(st.action()).isEqualTo(Action.CREATE);
            assertThat(st.plannedVersion()).isNull();
        });
        assertThat(p.steps()).filteredOn(st -> st.object().equals(leftover)).singleElement().satisfies(st -> {
            assertThat(st.action()).isEqualTo(Action.DELETE);
            assertThat(st.plannedVersion()).isEqualTo("9");
            assertThat(st.write().propagation()).isEqualTo(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND);
        });
    }
}
