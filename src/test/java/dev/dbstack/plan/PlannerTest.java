package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.Problem;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.testing.ExampleStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The plan's Kubernetes rules, against a live cluster described as data. */
class PlannerTest {
    private static final RenderedStack DESIRED = ExampleStack.render();
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
}
