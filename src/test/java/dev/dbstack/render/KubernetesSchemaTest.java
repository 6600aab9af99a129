package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.testing.CatalogLayers;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
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

    /**
     * Every type of the catalog in each engine and version family ({@link CatalogLayers}), once more for each
     * other value of a setting that is a choice of words ({@code pattern: "true|false"}), and a container that
     * consumes them all: the catalog is the list, so a new file is validated without a change here.
     */
    @Test
    void everyCatalogTypeEngineFamilyAndChoiceRendersValidObjects(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        StringBuilder layers = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (CatalogLayers.Variant v : CatalogLayers.of(catalog)) {
            String layer = ", type: " + v.type() + (v.engine() == null ? "" : ", engine: " + v.engine())
                    + ", version: \"" + v.version() + "\", storage: 1";
            names.add(v.layer());
            layers.append("        - {name: ").append(v.layer()).append(layer).append("}\n");
            for (var setting : v.component(catalog).settings().entrySet()) {
                String pattern = setting.getValue().pattern();
                if (pattern == null || !pattern.matches("[a-z0-9]+(\\|[a-z0-9]+)+")) continue;
                for (String choice : pattern.split("\\|")) {
                    if (choice.equals(setting.getValue().defaultValue())) continue;
                    String name = v.layer() + "-" + setting.getKey().toLowerCase(java.util.Locale.ROOT) + "-" + choice;
                    names.add(name);
                    layers.append("        - {name: ").append(name).append(layer).append(", ").append(setting.getKey())
                            .append(": \"").append(choice).append("\"}\n");
                }
            }
        }
        layers.append("        - {name: consumer, type: container, image: ghcr.io/acme/api:1.0, ports: [8080], dependsOn: [")
                .append(String.join(", ", names)).append("]}\n");
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                %s  dbstack:apps: [{name: a, profile: p}]
                """.formatted(layers));
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        assertThat(stack.graph().services()).hasSize(names.size() + 1);
        assertAllValid(stack.allObjects());
        assertAllValid(Manifests.withholdSecretValues(stack.allObjects()));
    }

    /** diskBackup in each mode: the Velero Schedules against Velero's published CRD, and every type's hooks. */
    @Test
    void backedUpAppsRenderValidVeleroSchedules(@TempDir Path dir) throws IOException {
        for (String mode : List.of("snapshot", "filesystem")) {
            TestProject project = TestProject.create(java.nio.file.Files.createDirectories(dir.resolve(mode)), CatalogLayers.stack(Catalog.builtIn(), 1)
                    .replace("cluster: sandbox,", "cluster: sandbox, diskBackup: {mode: " + mode + ", retention: 168h},"));
            RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
            assertThat(stack.allObjects()).filteredOn(o -> o.getKind().equals("Schedule")).hasSize(1);
            assertAllValid(stack.allObjects());
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
