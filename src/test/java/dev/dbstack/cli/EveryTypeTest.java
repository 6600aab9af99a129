package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.EveryTypeStack;
import dev.dbstack.testing.EveryTypeStack.Layer;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when": one stack with a layer of every catalog type, each engine and each
 * version family (derived from the catalog, so a new file is covered without a change here) previews,
 * deploys to the sandbox through the real client, reaches ready, shows every output with
 * {@code outputs}, and destroys, keeping every claim.
 */
class EveryTypeTest {
    private static final String STACK = "dev";

    @Test
    void aStackWithEveryTypeDeploysShowsItsOutputsAndDestroysKeepingItsClaims(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        List<Layer> layers = EveryTypeStack.layers(catalog);
        TestProject.create(dir, STACK, EveryTypeStack.yaml("every", layers));

        CliTest.Result preview = CliTest.run("preview", "-C", dir.toString(), "--stack", STACK);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isIn(0, 3);
        layers.forEach(l -> assertThat(preview.out()).contains("every/" + l.name()));

        CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--stack", STACK, "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        // up returns 0 only once every service is ready; more than 20 are told one line per app
        assertThat(up.out()).contains("app every: " + layers.size() + " services ready");

        CliTest.Result outputs = CliTest.run("outputs", "-C", dir.toString(), "--stack", STACK);
        assertThat(outputs.exit()).isZero();
        for (Layer l : layers) {
            String block = outputs.out().substring(outputs.out().indexOf("every/" + l.name() + "\n"));
            for (Component.Output o : l.component().outputs()) {
                assertThat(block).as(l.name() + " " + o.name()).contains("    " + o.name() + " = ");
            }
        }

        long claims;
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            claims = s.client().persistentVolumeClaims().inNamespace("every").list().getItems().size();
        }
        assertThat(claims).as("a claim per layer").isEqualTo(layers.size());
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().apps().statefulSets().inNamespace("every").list().getItems())
                    .hasSize((int) layers.stream().filter(l -> l.component().hasServer()).count())
                    .allSatisfy(sts -> assertThat(sts.getStatus().getReadyReplicas()).isEqualTo(sts.getSpec().getReplicas()));
        }

        CliTest.Result destroy = CliTest.run("destroy", "-C", dir.toString(), "--stack", STACK, "--yes");
        assertThat(destroy.exit()).as(destroy.out() + destroy.err()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().persistentVolumeClaims().inNamespace("every").list().getItems()).hasSize((int) claims);
            assertThat(s.client().apps().statefulSets().inNamespace("every").list().getItems()).isEmpty();
        }
    }
}
