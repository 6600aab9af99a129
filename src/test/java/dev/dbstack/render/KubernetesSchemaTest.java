package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.KubernetesSchema;
import dev.dbstack.testing.ShopStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every object dbstack renders passes the Kubernetes API's own schema, strictly. */
class KubernetesSchemaTest {
    private final KubernetesSchema schema = KubernetesSchema.load();

    @Test
    void shopFixtureRendersValidObjects() {
        RenderedStack stack = ShopStack.render();
        assertAllValid(stack.allObjects());
        assertAllValid(Manifests.withholdSecretValues(stack.allObjects()));
    }

    /** The golden fixtures: every type of the catalog in every version family, and non-default settings. */
    @Test
    void everyTypeAndVersionFamilyRendersValidObjects(@TempDir Path dir) throws IOException {
        for (RenderedStack stack : GoldenRenderTest.renderAll(dir)) {
            assertAllValid(stack.allObjects());
            assertAllValid(Manifests.withholdSecretValues(stack.allObjects()));
        }
    }

    @Test
    void theValidatorRejectsWhatTheApiServerWould() {
        StatefulSet sts = (StatefulSet) ShopStack.render().allObjects().stream().filter(StatefulSet.class::isInstance)
                .findFirst().orElseThrow();
        StatefulSet broken = new StatefulSetBuilder(sts).editSpec().withServiceName(null).endSpec().build();
        broken.getSpec().getTemplate().getSpec().getContainers().get(0).setAdditionalProperty("imagePulPolicy", "Always");
        assertThat(schema.validate(broken)).containsExactlyInAnyOrder(
                "StatefulSet.spec: missing required field serviceName",
                "StatefulSet.spec.template.spec.containers[0].imagePulPolicy: unknown field");
    }

    private void assertAllValid(List<HasMetadata> objects) {
        List<String> errors = new ArrayList<>();
        for (HasMetadata o : objects) schema.validate(o).forEach(e -> errors.add(o.getMetadata().getName() + ": " + e));
        assertThat(objects).isNotEmpty();
        assertThat(errors).isEmpty();
    }
}
