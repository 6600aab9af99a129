package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.PlanOutputSchema;
import dev.dbstack.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two apps on one profile through the real CLI against the sandbox: both are told about the newer version,
 * {@code app update} rewrites one pin only (the rest of the stack file byte for byte) and previews that app without
 * deploying; the other app's notification stays; {@code apps} says who is behind and what state says is deployed;
 * a downgrade that drops a database layer keeps its data unless {@code --delete-data} names it.
 */
class AppUpdateUpTest {
    static final String STACK = """
            # two shops on one profile
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: shop
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, storage: 1}
                    - {name: web, type: container, image: nginx:1.25}
                - name: shop
                  version: 1.1.0   # adds a cache
                  layers:
                    - {name: db, type: postgresql, storage: 1}
                    - {name: cache, type: redis, storage: 1}
                    - {name: web, type: container, image: nginx:1.27}
              dbstack:apps:
                - name: a        # the first shop
                  profile: shop@1.0.0
                - {name: b, profile: "shop@1.0.0"}
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        int at = args[0].equals("app") ? 2 : 1;
        all.add(at, "-C");
        all.add(at + 1, dir.toString());
        if (args[0].equals("up")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private static boolean liveStatefulSet(Path dir, String namespace, String name) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return s.client().apps().statefulSets().inNamespace(namespace).withName(name).get() != null;
        }
    }

    private static int claims(Path dir, String namespace, String layer) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return (int) s.client().persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
                    .filter(c -> c.getMetadata().getName().contains(layer)).count();
        }
    }

    @Test
    void oneAppIsUpdatedAndTheOtherKeepsItsNotification(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK);
        Path file = dir.resolve("stacks/Pulumi.test.yaml");
        CliTest.Result up = run(dir, "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("Update available for app a: profile shop 1.0.0 → 1.1.0")
                .contains("Update available for app b: profile shop 1.0.0 → 1.1.0")
                .contains("  layer cache (redis): added").contains("    image: nginx:1.25 → nginx:1.27");

        CliTest.Result apps = run(dir, "apps", "--json");
        assertThat(apps.exit()).as(apps.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(apps.out());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("app").asText()).isEqualTo("a");
        assertThat(rows.get(0).get("pinned").asText()).isEqualTo("1.0.0");
        assertThat(rows.get(0).get("newest").asText()).isEqualTo("1.1.0");
        assertThat(rows.get(0).get("behind").asBoolean()).isTrue();
        assertThat(rows.get(0).get("deployed").toString()).isEqualTo("[\"shop@1.0.0\"]");

        String before = Files.readString(file);
        CliTest.Result update = run(dir, "app", "update", "a");
        assertThat(update.exit()).as(update.out() + update.err()).isZero();
        assertThat(Files.readString(file)).isEqualTo(before.replace("profile: shop@1.0.0", "profile: shop@1.1.0"));
        assertThat(update.out()).contains("Updated app a in stacks/Pulumi.test.yaml: profile shop@1.0.0 → shop@1.1.0")
                .contains("Preview of app a").contains("+ create StatefulSet a/cache")
                .doesNotContain("StatefulSet b/cache");
        assertThat(liveStatefulSet(dir, "a", "cache")).as("app update deploys nothing").isFalse();

        CliTest.Result preview = run(dir, "preview");
        assertThat(preview.out()).contains("Update available for app b").doesNotContain("Update available for app a");
        CliTest.Result json = run(dir, "preview", "--json");
        JsonNode doc = PlanOutputSchema.parse(json.out());
        assertThat(PlanOutputSchema.load().validateDocument(doc)).as("schema violations of %s", json.out()).isEmpty();
        JsonNode updates = doc.get("updates");
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).get("app").asText()).isEqualTo("b");
        assertThat(updates.get(0).get("layers").get(0).get("change").asText()).isEqualTo("added");
        assertThat(run(dir, "preview", "--format", "markdown").out()).contains("### Profile updates available")
                .contains("- **b**: shop 1.0.0 → 1.1.0 (`dbstack app update b`)");

        // Only app a is deployed (the Palette way: an update applied to one app); b keeps its notification.
        CliTest.Result targeted = run(dir, "up", "--target", "a");
        assertThat(targeted.exit()).as(targeted.out() + targeted.err()).isZero();
        assertThat(targeted.out()).contains("Targets: a").contains("+ create StatefulSet a/cache")
                .doesNotContain(" b/").contains("Update available for app b");
        assertThat(liveStatefulSet(dir, "a", "cache")).isTrue();
        assertThat(liveStatefulSet(dir, "b", "cache")).isFalse();
        CliTest.Result table = run(dir, "apps");
        assertThat(table.out()).containsPattern("a +shop +1.1.0 +1.1.0 +up to date +shop@1.1.0")
                .containsPattern("b +shop +1.0.0 +1.1.0 +behind: dbstack app update b +shop@1.0.0");

        CliTest.Result again = run(dir, "app", "update", "a");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already pins shop@1.1.0");

        // Back to 1.0.0: the cache layer goes, its claim and data stay unless --delete-data names it.
        CliTest.Result down = run(dir, "app", "update", "a", "--to", "1.0.0");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        assertThat(down.out()).contains("layer cache (redis): removed").contains("keep PersistentVolumeClaim a/");
        assertThat(run(dir, "up").exit()).isZero();
        assertThat(liveStatefulSet(dir, "a", "cache")).isFalse();
        assertThat(claims(dir, "a", "cache")).isPositive();
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void wrongArgumentsAreOneLineAndChangeNothing(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK);
        Path file = dir.resolve("stacks/Pulumi.test.yaml");
        String before = Files.readString(file);
        CliTest.Result unknown = run(dir, "app", "update", "aa");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("error: stacks/Pulumi.test.yaml: APP: no app deployment 'aa'; did you mean 'a'?"
                + " (apps: a, b)");
        CliTest.Result missing = run(dir, "app", "update", "a", "--to", "9.9.9");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo("error: --to: profile shop has no version 9.9.9 (versions: 1.0.0, 1.1.0)");
        CliTest.Result notSemver = run(dir, "app", "update", "a", "--to", "v2");
        assertThat(notSemver.exit()).isEqualTo(2);
        assertThat(notSemver.err().strip()).isEqualTo("error: --to: 'v2' is not a semantic version such as 1.2.0 (profile shop"
                + " has 1.0.0, 1.1.0)");
        assertThat(Files.readString(file)).isEqualTo(before);
    }
}
