package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.PlanOutputSchema;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --target APP} and {@code APP/LAYER} through the CLI against the sandbox: a targeted run writes only its
 * targets' objects (counted on the engine's client: {@code -v}), what it leaves is deferred and stays in the next
 * preview, and a plain {@code up} finishes the rest.
 */
class TargetedUpTest {
    /** Two apps of one profile: each a database its api consumes, a cache its worker consumes (no autoEnv: edges as written). */
    static final String FIXTURE = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: web
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, version: "17", storage: 1}
                    - {name: cache, type: redis, version: "8.2", storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0.0
                      autoEnv: false
                      env:
                        PGHOST: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"
                    - {name: worker, type: container, image: ghcr.io/acme/worker:1.0.0, dependsOn: [cache], autoEnv: false}
              dbstack:apps:
                - {name: a, profile: web}
                - {name: b, profile: web}
            """;

    @TempDir
    Path dir;

    private CliTest.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-C", dir.toString(), "--stack", TestProject.STACK));
        return CliTest.run(all.toArray(String[]::new));
    }

    /** The targeted plan as {@code preview --json} gives it, checked against the schema. */
    private JsonNode previewJson(String... targets) {
        List<String> args = new ArrayList<>(List.of("preview", "--json"));
        for (String t : targets) args.addAll(List.of("--target", t));
        CliTest.Result r = cli(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = PlanOutputSchema.parse(r.out());
        assertThat(PlanOutputSchema.load().validateDocument(doc)).isEmpty();
        return doc;
    }

    /** {@code up --yes -v --target ...}: succeeds; the writes its counted client sent. */
    private long upWrites(String... targets) {
        List<String> args = new ArrayList<>(List.of("up", "--yes", "-v"));
        for (String t : targets) args.addAll(List.of("--target", t));
        CliTest.Result r = cli(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        Matcher m = Pattern.compile("API: \\d+ reads \\(\\d+ lists\\), (\\d+) writes").matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static List<String> services(JsonNode steps) {
        TreeSet<String> out = new TreeSet<>();
        steps.forEach(s -> out.add(s.path("app").asText() + (s.path("layer").isNull() ? "" : "/" + s.path("layer").asText())));
        return List.copyOf(out);
    }

    private <T> T cluster(java.util.function.Function<KubernetesClient, T> read) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return read.apply(s.client());
        }
    }

    private boolean namespace(String name) {
        return cluster(c -> c.namespaces().withName(name).get() != null);
    }

    private boolean statefulSet(String namespace, String name) {
        return cluster(c -> c.apps().statefulSets().inNamespace(namespace).withName(name).get() != null);
    }

    private String image(String namespace, String deployment) {
        return cluster(c -> {
            Deployment d = c.apps().deployments().inNamespace(namespace).withName(deployment).get();
            return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        });
    }

    @Test
    void aTargetedUpWritesOnlyItsTargetAndAPlainUpFinishesTheRest() throws Exception {
        TestProject project = TestProject.create(dir, FIXTURE);

        // An app as a whole: its services and its own objects; all of b deferred.
        JsonNode a = previewJson("a");
        assertThat(a.path("targets").toString()).isEqualTo("[\"a\"]");
        assertThat(services(a.path("steps"))).containsExactly("a", "a/api", "a/cache", "a/db", "a/worker");
        assertThat(services(a.path("deferred"))).containsExactly("b", "b/api", "b/cache", "b/db", "b/worker");
        int targeted = a.path("steps").size();
        int deferred = a.path("deferred").size();
        assertThat(a.path("summary").path("deferred").asInt()).isEqualTo(deferred);
        assertThat(a.path("summary").path("create").asInt()).isEqualTo(targeted);

        CliTest.Result preview = cli("preview", "--target", "a");
        assertThat(preview.out()).contains("Targets: a\n")
                .contains("deferred (not targeted; a later `dbstack up` applies them)\n")
                .contains("  b (app objects)  ").contains("  b/db  ").contains("  b/worker  ")
                .doesNotContain("app b ")
                .endsWith("Plan: " + targeted + " to create, 0 to update, 0 to replace, 0 to delete; " + deferred
                        + " deferred (not targeted).\n");

        assertThat(cli("preview", "--target", "a", "--format", "markdown").out())
                .contains("Targets: `a`; " + deferred + " steps deferred (not targeted), for a later `dbstack up`:\n\n")
                .contains("- `b (app objects)`: 3 to create\n").contains("- `b/db`: 6 to create\n");

        assertThat(upWrites("a")).as("one write per targeted step, none of b's").isEqualTo(targeted);
        assertThat(namespace("a")).isTrue();
        assertThat(namespace("b")).as("nothing of b was written").isFalse();
        assertThat(image("a", "api")).isEqualTo("ghcr.io/acme/api:1.0.0");
        // State records a's objects and credentials only: b's database gets its credentials when it is created.
        Path stateFile = dev.dbstack.state.StackState.directory(dir, TestProject.STACK).resolve("state.json");
        String state = Files.readString(stateFile);
        assertThat(state).contains("\"credential:a/db/password\"").contains("\"object:apps/v1|StatefulSet|a|db\"")
                .doesNotContain("credential:b/").doesNotContain("|b|").doesNotContain("\"cluster:b\"");
        // Nothing left for the target: nothing written, not even state.
        assertThat(upWrites("a")).isZero();
        assertThat(Files.readString(stateFile)).isEqualTo(state);

        // b's steps are still to do, exactly as deferred (state did not take them for applied); a has none left.
        JsonNode rest = previewJson();
        assertThat(rest.path("targets").size()).isZero();
        assertThat(services(rest.path("steps"))).containsExactly("b", "b/api", "b/cache", "b/db", "b/worker");
        assertThat(rest.path("steps").size()).isEqualTo(deferred);
        assertThat(rest.path("deferred").size()).isZero();
        assertThat(cli("preview", "--target", "a").out()).contains("No changes for the targets (a); " + deferred
                + " deferred (not targeted).");
        assertThat(upWrites()).isEqualTo(deferred);
        assertThat(cli("preview").out()).contains("No changes. The cluster matches stack test.");

        // Both apps change (one profile): a new database the api consumes, new images for api and worker.
        project.edit(TestProject.STACK, "image: ghcr.io/acme/api:1.0.0", "image: ghcr.io/acme/api:1.0.1");
        project.edit(TestProject.STACK, "image: ghcr.io/acme/worker:1.0.0", "image: ghcr.io/acme/worker:1.0.1");
        String cache = "        - {name: cache, type: redis, version: \"8.2\", storage: 1}\n";
        project.edit(TestProject.STACK, cache, cache + "        - {name: orders, type: postgresql, version: \"17\", storage: 1}\n");
        project.edit(TestProject.STACK, "POSTGRESMSTR_SVC}}\"", "POSTGRESMSTR_SVC}}\"\n"
                + "            ORDERS: \"{{.spectro.app.$appDeploymentName.orders.POSTGRESMSTR_SVC}}\"");

        // A layer brings the new database it consumes (and its app's own objects), nothing else.
        JsonNode api = previewJson("a/api");
        List<String> selected = services(api.path("steps"));
        assertThat(selected).contains("a/api", "a/orders").doesNotContain("a/worker", "a/cache", "b/api", "b/orders");
        assertThat(selected).allMatch(s -> s.equals("a") || s.startsWith("a/"));
        assertThat(services(api.path("deferred"))).contains("a/worker", "b/api", "b/orders", "b/worker");
        CliTest.Result text = cli("preview", "--target", "a/api");
        assertThat(text.out()).contains("Targets: a/api (with what it consumes: a/db, a/orders)")
                .contains("  a/worker  1 to update\n");

        // --expect-no-changes looks at the targets only.
        assertThat(cli("preview", "--target", "a/cache", "--expect-no-changes").exit()).isZero();
        CliTest.Result pending = cli("preview", "--target", "a/api", "--expect-no-changes");
        assertThat(pending.exit()).isEqualTo(Main.EXIT_CHANGES_PENDING);
        assertThat(pending.err()).contains("deferred (not targeted)");

        assertThat(upWrites("a/api")).as("only a/api's update, a/orders' creates and a's own changes")
                .isEqualTo(api.path("steps").size());
        assertThat(image("a", "api")).isEqualTo("ghcr.io/acme/api:1.0.1");
        assertThat(image("a", "worker")).as("deferred").isEqualTo("ghcr.io/acme/worker:1.0.0");
        assertThat(image("b", "api")).as("deferred").isEqualTo("ghcr.io/acme/api:1.0.0");
        assertThat(statefulSet("a", "orders")).isTrue();
        assertThat(statefulSet("b", "orders")).isFalse();

        // The rest remains in the next preview, and a plain up finishes it.
        JsonNode after = previewJson();
        assertThat(services(after.path("steps"))).contains("a/worker", "b/api", "b/orders", "b/worker")
                .doesNotContain("a/api", "a/orders");
        assertThat(upWrites()).isEqualTo(after.path("steps").size());
        assertThat(image("b", "api")).isEqualTo("ghcr.io/acme/api:1.0.1");
        assertThat(cli("preview").out()).contains("No changes. The cluster matches stack test.");

        // A removed layer: its deletes go with its app as a target, not with another layer of it.
        project.edit(TestProject.STACK, "        - {name: worker, type: container, image: ghcr.io/acme/worker:1.0.1, dependsOn: [cache], autoEnv: false}\n", "");
        assertThat(previewJson("a/api").path("steps").size()).isZero();
        assertThat(cli("preview", "--target", "a/api").out()).contains("  a/worker (removed layer)  ");
        JsonNode removal = previewJson("a");
        // (the cache's NetworkPolicy no longer admits the worker)
        assertThat(services(removal.path("steps"))).containsExactly("a/cache", "a/worker");
        assertThat(services(removal.path("deferred"))).containsExactly("b/cache", "b/worker");
        assertThat(upWrites("a")).isEqualTo(removal.path("steps").size());
        assertThat(image("a", "worker")).isNull();
        assertThat(image("b", "worker")).isEqualTo("ghcr.io/acme/worker:1.0.1");
        assertThat(services(previewJson().path("steps"))).containsExactly("b/cache", "b/worker");
    }

    @Test
    void aTargetedSavedPlanAppliesExactlyItsTargets() throws Exception {
        TestProject.create(dir, FIXTURE);
        Path plan = dir.resolve("plan.json");
        CliTest.Result saved = cli("preview", "--target", "b/worker", "--out", plan.toString());
        assertThat(saved.exit()).as(saved.err()).isZero();
        assertThat(saved.out()).contains("Saved this plan to " + plan + " (targets: b/worker; ");
        assertThat(Files.readString(plan)).contains("\"format\" : 2,").contains("\"named\" : [ \"b/worker\" ]");

        CliTest.Result refused = cli("up", plan.toString(), "--target", "a", "--yes");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err().lines().toList()).hasSize(1)
                .allMatch(l -> l.startsWith("error: --target: is given when the plan is made"));

        CliTest.Result up = cli("up", plan.toString(), "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("Targets: b/worker (with what it consumes: b/cache)")
                .contains("steps deferred (not targeted): `dbstack up` without --target applies them.")
                .contains("Outputs:\n  b/cache\n").doesNotContain("  b/db\n").doesNotContain("  a/db\n");
        assertThat(image("b", "worker")).isEqualTo("ghcr.io/acme/worker:1.0.0");
        assertThat(image("b", "api")).isNull();
        assertThat(statefulSet("b", "cache")).isTrue();
        assertThat(statefulSet("b", "db")).isFalse();
        assertThat(services(previewJson().path("steps"))).containsExactly("a", "a/api", "a/cache", "a/db", "a/worker",
                "b/api", "b/db");
    }

    @Test
    void aWrongTargetIsOneLineAndExitCodeTwo() {
        TestProject.create(dir, FIXTURE);
        for (String[] c : new String[][] {
                {"shop", "error: --target: 'shop' is not an app of stack test (apps: a, b)"},
                {"aa", "error: --target: 'aa' is not an app of stack test; did you mean 'a'? (apps: a, b)"},
                {"a/dbb", "error: --target: app 'a' has no layer 'dbb'; did you mean 'db'? (layers: db, cache, api, worker)"},
                {"a/b/c", "error: --target: 'a/b/c' is not a target: name an app (APP) or one of its layers (APP/LAYER)"},
                {"a/", "error: --target: 'a/' is not a target: name an app (APP) or one of its layers (APP/LAYER)"}}) {
            for (String command : List.of("preview", "up")) {
                CliTest.Result r = command.equals("up") ? cli("up", "--yes", "--target", c[0]) : cli("preview", "--target", c[0]);
                assertThat(r.exit()).as(command + " " + c[0]).isEqualTo(2);
                assertThat(r.err().lines().filter(l -> l.startsWith("error")).toList()).as(command + " " + c[0] + ": " + r.err())
                        .containsExactly(c[1]);
            }
        }
        assertThat(namespace("a")).as("nothing applied").isFalse();
    }
}
