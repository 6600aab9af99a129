package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.KubernetesSchema;
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
     * Every type of the catalog in each engine and version family, with its defaults, and once more for each
     * other value of a setting that is a choice of words ({@code pattern: "true|false"}): the catalog is the list.
     */
    @Test
    void everyCatalogTypeEngineFamilyAndChoiceRendersValidObjects(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        StringBuilder layers = new StringBuilder();
        int n = 0;
        for (String type : catalog.types()) {
            List<String> engines = catalog.get(type).engines().isEmpty() ? java.util.Collections.singletonList(null)
                    : catalog.get(type).engines();
            for (String engine : engines) {
                Component c = catalog.find(type, engine).orElseThrow();
                for (String family : c.versions()) {
                    String layer = "{name: l" + n++ + ", type: " + type + (engine == null ? "" : ", engine: " + engine)
                            + ", version: \"" + family + "\", storage: 1";
                    layers.append("        - ").append(layer).append("}\n");
                    for (var setting : c.settings().entrySet()) {
                        String pattern = setting.getValue().pattern();
                        if (pattern == null || !pattern.matches("[a-z0-9]+(\\|[a-z0-9]+)+")) continue;
                        for (String choice : pattern.split("\\|")) {
                            if (choice.equals(setting.getValue().defaultValue())) continue;
                            layers.append("        - {name: l").append(n++).append(layer.substring(layer.indexOf(',')))
                                    .append(", ").append(setting.getKey()).append(": \"").append(choice).append("\"}\n");
                        }
                    }
                }
            }
        }
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                %s  dbstack:apps: [{name: a, profile: p}]
                """.formatted(layers));
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        assertThat(stack.graph().applyOrder()).hasSize(n);
        assertAllValid(stack.allObjects());
    }

    /**
     * One layer of every type in the catalog, each engine and version family of it, and a container that
     * consumes them all: the list of types is the catalog's, so a new file is validated without a change here.
     */
    @Test
    void everyCatalogTypeEngineAndFamilyRendersValidObjects(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        StringBuilder layers = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (String type : catalog.types()) {
            for (Component c : catalog.variants(type)) {
                for (String version : c.versions()) {
                    if (catalog.resolve(type, c.engine(), version) != c) continue; // the family this component is for
                    String name = (type + (c.engine() == null ? "" : "-" + c.engine()) + "-" + version).replace('.', '-');
                    names.add(name);
                    layers.append("        - {name: ").append(name).append(", type: ").append(type)
                            .append(c.engine() == null ? "" : ", engine: " + c.engine())
                            .append(", version: \"").append(version).append("\", storage: 1}\n");
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
