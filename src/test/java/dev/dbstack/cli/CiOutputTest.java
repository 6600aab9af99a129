package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.PlanOutputSchema;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What CI sees of preview and up: {@code --json} documents and event lines valid against
 * {@code docs/plan-output.schema.json}, the {@code --format markdown} pull-request comment (golden
 * files {@code src/test/resources/golden/ci/}), {@code --expect-no-changes} and its exit code 3, and
 * output without a terminal. Runs on a fixture stack of its own, against the sandbox.
 *
 * <p>After an intended change to the comment, regenerate with
 * {@code ./mvnw test -Dtest=CiOutputTest -Dgolden.update=true} and review the diff.
 */
class CiOutputTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/ci");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    /** Two profiles, three apps: alpha runs web (PostgreSQL, Redis, an API), beta and gamma run jobs (Redis, a worker). */
    static final String FIXTURE = """
            config:
              dbstack:clusterGroups: [{name: ci, cluster: sandbox}]
              dbstack:profiles:
                - name: web
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, version: "17", storage: 1, database: web, user: web}
                    - {name: cache, type: redis, version: "8.2", storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0.0
                      ports: [8080]
                      env:
                        PGHOST: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.db.PASSWORD}}"
                        REDIS_HOST: "{{.spectro.app.$appDeploymentName.cache.REDISMSTR_SVC}}"
                - name: jobs
                  version: 1.0.0
                  layers:
                    - {name: queue, type: redis, version: "8.2", storage: 1}
                    - name: worker
                      type: container
                      image: ghcr.io/acme/worker:2.0.0
                      env:
                        QUEUE_HOST: "{{.spectro.app.$appDeploymentName.queue.REDISMSTR_SVC}}"
              dbstack:apps:
                - {name: alpha, profile: web}
                - {name: beta, profile: jobs}
                - {name: gamma, profile: jobs}
            """;

    private static CliTest.Result run(Path dir, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "-C", dir.toString()));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    private static CliTest.Result upOk(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of("--yes"));
        args.addAll(List.of(extra));
        CliTest.Result r = run(dir, "up", args.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    private static JsonNode validDocument(String json) {
        JsonNode doc = PlanOutputSchema.parse(json);
        assertThat(PlanOutputSchema.load().validateDocument(doc)).as("schema violations of %s", json).isEmpty();
        return doc;
    }

    /** {@code up --json}: the plan document on the first line, then one valid event per line. */
    private static List<JsonNode> validStream(String out) {
        List<String> lines = out.lines().toList();
        assertThat(lines).isNotEmpty();
        List<JsonNode> parsed = new ArrayList<>();
        parsed.add(validDocument(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            JsonNode event = PlanOutputSchema.parse(line);
            assertThat(PlanOutputSchema.load().validateEvent(event)).as("schema violations of %s", line).isEmpty();
            parsed.add(event);
        }
        return parsed;
    }

    /** The password `outputs --show-secrets` gives for {@code app/layer}. */
    private static String password(Path dir, String service) {
        List<String> lines = run(dir, "outputs", "--show-secrets").out().lines().toList();
        int at = lines.indexOf("  " + service);
        assertThat(at).as("outputs of %s", service).isNotNegative();
        return lines.subList(at + 1, lines.size()).stream().filter(l -> l.startsWith("    PASSWORD = ")).findFirst().orElseThrow()
                .substring("    PASSWORD = ".length());
    }

    private static void assertNoSecret(String secret, CliTest.Result... results) {
        String encoded = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        for (CliTest.Result r : results) {
            assertThat(r.out() + r.err()).doesNotContain(secret).doesNotContain(encoded);
        }
    }

    private static void assertNoEscapes(CliTest.Result r) {
        assertThat(r.out() + r.err()).as("no ANSI escape or carriage return without a terminal").doesNotContain("\033").doesNotContain("\r");
    }

    @Test
    void previewAndUpJsonFollowTheSchemaAndCarryNoSecret(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, FIXTURE);

        CliTest.Result preview = run(dir, "preview", "--json");
        assertThat(preview.exit()).as(preview.err()).isZero();
        JsonNode doc = validDocument(preview.out());
        assertThat(doc.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.path("project").asText()).isEqualTo("test-project");
        assertThat(doc.path("stack").asText()).isEqualTo(TestProject.STACK);
        assertThat(doc.path("refusals")).isEmpty();
        int steps = doc.path("steps").size();
        assertThat(doc.path("summary").path("create").asInt()).isEqualTo(steps).isPositive();
        JsonNode namespace = doc.path("steps").get(0);
        assertThat(namespace.path("kind").asText()).isEqualTo("Namespace");
        assertThat(namespace.path("namespace").isNull()).isTrue();
        assertThat(namespace.path("layer").isNull()).as("app-level").isTrue();
        assertThat(doc.path("warnings").toString()).contains("does not back up disks");
        assertThat(PlanOutputSchema.parse(run(dir, "preview", "--format", "json").out())).as("--json is --format json").isEqualTo(doc);

        CliTest.Result up = upOk(dir, "--json");
        assertNoEscapes(up);
        List<JsonNode> stream = validStream(up.out());
        assertThat(stream.get(0).path("steps").size()).isEqualTo(steps);
        List<String> events = stream.subList(1, stream.size()).stream().map(e -> e.path("event").asText()).toList();
        assertThat(events).contains("started", "step", "ready").doesNotContain("failed", "skipped").endsWith("finished");
        assertThat(events.stream().filter("step"::equals).count()).as("one step line per planned step").isEqualTo(steps);
        assertThat(stream).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("step");
            assertThat(e.path("service").asText()).isEqualTo("alpha/db");
            assertThat(e.path("op").asText()).isEqualTo("create");
            assertThat(e.path("object").asText()).isEqualTo("StatefulSet alpha/db");
        });
        assertThat(stream).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("ready");
            assertThat(e.path("service").asText()).isEqualTo("gamma/worker");
        });
        JsonNode finished = stream.get(stream.size() - 1);
        assertThat(finished.path("result").path("ok").asBoolean()).isTrue();
        assertThat(finished.path("result").path("succeeded").asInt()).isEqualTo(7);
        assertThat(finished.path("message").asText()).isEqualTo("Applied: 7 services succeeded, 0 failed, 0 skipped.");

        // A change that rewrites objects holding alpha/db's password: none of it may be printed.
        String password = password(dir, "alpha/db");
        assertThat(password).hasSizeGreaterThan(8);
        project.edit(TestProject.STACK, "ghcr.io/acme/api:1.0.0", "ghcr.io/acme/api:1.1.0");
        // another cluster domain rewrites the URIs in alpha/db's credentials Secret (its user cannot change: initOnly)
        project.edit(TestProject.STACK, "{name: ci, cluster: sandbox}", "{name: ci, cluster: sandbox, clusterDomain: ci.example}");
        CliTest.Result changed = run(dir, "preview", "--json");
        JsonNode changes = validDocument(changed.out());
        assertThat(changes.path("summary").path("update").asInt()).isPositive();
        assertThat(changes.path("steps").toString()).contains("\"changedFields\":[\"")
                .as("the Secret holding the password is in the plan").contains("\"name\":\"db-credentials\"");
        CliTest.Result markdown = run(dir, "preview", "--format", "markdown");
        CliTest.Result text = run(dir, "preview", "--diff");
        CliTest.Result applied = upOk(dir, "--json");
        validStream(applied.out());
        CliTest.Result again = upOk(dir, "--json");
        List<JsonNode> nothing = validStream(again.out());
        assertThat(nothing).hasSize(2);
        assertThat(nothing.get(1).path("message").asText()).isEqualTo("No changes.");
        assertNoSecret(password, preview, up, changed, markdown, text, applied, again);
    }

    /** Writes the golden file when asked to, else compares with it. */
    private static void assertGolden(String actual, String file) throws IOException {
        Path golden = GOLDEN.resolve(file);
        if (UPDATE) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual);
        }
        assertThat(actual).as("differs from %s (regenerate with -Dgolden.update=true and review the diff)", golden)
                .isEqualTo(Files.readString(golden));
    }

    /**
     * Every kind of step in one comment: alpha's image rolls (update) and its database grows (expand-volume);
     * its cache was recreated by hand with another podManagementPolicy (replace); beta's worker was scaled by
     * hand (drift); gamma is removed (deletes, its namespace and data kept); delta is new (creates).
     */
    @Test
    void theMarkdownCommentMatchesItsGoldenFile(@TempDir Path dir) throws IOException {
        TestProject project = TestProject.create(dir, FIXTURE);
        upOk(dir);
        project.edit(TestProject.STACK, "ghcr.io/acme/api:1.0.0", "ghcr.io/acme/api:1.1.0");
        project.edit(TestProject.STACK, "version: \"17\", storage: 1", "version: \"17\", storage: 2");
        project.edit(TestProject.STACK, "    - {name: gamma, profile: jobs}\n", "    - {name: delta, profile: jobs}\n");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) { // someone edits the cluster by hand
            KubernetesClient client = s.client();
            client.apps().deployments().inNamespace("beta").withName("worker").edit(d -> {
                d.getSpec().setReplicas(3);
                return d;
            });
            StatefulSet cache = client.apps().statefulSets().inNamespace("alpha").withName("cache").get();
            client.apps().statefulSets().inNamespace("alpha").withName("cache").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (client.apps().statefulSets().inNamespace("alpha").withName("cache").get() != null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            cache.getMetadata().setResourceVersion(null);
            cache.getMetadata().setUid(null);
            cache.setStatus(null);
            cache.getSpec().setPodManagementPolicy("Parallel");
            client.resource(cache).create();
        }

        CliTest.Result comment = run(dir, "preview", "--format", "markdown", "--start-empty", "delta/queue");
        assertThat(comment.exit()).as(comment.err()).isZero();
        assertNoEscapes(comment);
        assertGolden(comment.out(), "preview.md");
        assertThat(comment.out()).contains("| `+-` replace | StatefulSet | cache | cache |").contains("| `!` drift | Deployment | worker |")
                .contains("| `~` expand-volume | StatefulSet | db | db |").contains("| `-` delete | StatefulSet | queue | queue |")
                .contains("| `=` keep | Namespace | gamma |").contains("### app `delta`");
        dev.dbstack.plan.PlanMarkdownTest.assertCompleteTables(comment.out());
        JsonNode doc = validDocument(run(dir, "preview", "--json", "--start-empty", "delta/queue").out());
        assertThat(doc.path("summary").toString()).isEqualTo(PlanOutputSchema.parse(
                "{\"create\":%d,\"update\":1,\"replace\":1,\"expand-volume\":1,\"delete\":%d,\"keep\":1,\"drift\":1,\"deferred\":0}".formatted(
                        doc.path("summary").path("create").asInt(), doc.path("summary").path("delete").asInt())).toString());

        // A refused plan: the problems, as a table of their own.
        project.edit(TestProject.STACK, "version: \"17\", storage: 2", "version: \"18\", storage: 2");
        CliTest.Result refused = run(dir, "preview", "--format", "markdown", "--start-empty", "delta/queue");
        assertThat(refused.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertGolden(refused.out(), "preview-refused.md");
    }

    @Test
    void aRefusedPlanStillPrintsItsDocumentWithTheRefusals(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, FIXTURE);
        upOk(dir);
        project.edit(TestProject.STACK, "{name: cache, type: redis, version: \"8.2\", storage: 1}",
                "{name: cache, type: redis, version: \"8.2\", storage: 3}");
        project.edit(TestProject.STACK, "{name: queue, type: redis, version: \"8.2\", storage: 1}",
                "{name: queue, type: redis, version: \"7.4\", storage: 1}");

        CliTest.Result preview = run(dir, "preview", "--json");
        assertThat(preview.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        JsonNode doc = validDocument(preview.out());
        assertThat(doc.path("steps")).isEmpty();
        assertThat(doc.path("refusals")).isNotEmpty();
        assertThat(doc.path("refusals").toString()).contains("\"file\":\"stacks/Pulumi.test.yaml\"").contains("downgrade");
        for (JsonNode r : doc.path("refusals")) {
            assertThat(preview.err()).as("stderr has every problem too").contains(r.path("message").asText());
        }

        CliTest.Result up = run(dir, "up", "--yes", "--json");
        assertThat(up.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(up.out().lines()).hasSize(1);
        assertThat(validDocument(up.out()).path("refusals")).isEqualTo(doc.path("refusals"));

        // Input that cannot even be loaded gives a document too, with file and line.
        project.edit(TestProject.STACK, "type: postgresql", "type: postgres");
        CliTest.Result bad = run(dir, "preview", "--json");
        assertThat(bad.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        JsonNode badDoc = validDocument(bad.out());
        assertThat(badDoc.path("project").isNull()).isTrue();
        assertThat(badDoc.path("refusals").get(0).path("line").asInt()).isEqualTo(7);
        assertThat(badDoc.path("refusals").get(0).path("key").asText()).isEqualTo("config.dbstack:profiles[web].layers[db].type");
    }

    @Test
    void expectNoChangesExitsWithThreeWhileChangesArePendingAndUpAppliesNothing(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, FIXTURE);

        CliTest.Result preview = run(dir, "preview", "--expect-no-changes");
        assertThat(preview.exit()).isEqualTo(Main.EXIT_CHANGES_PENDING).isEqualTo(3);
        assertThat(preview.out()).contains("+ create StatefulSet alpha/db").contains("Plan: ");
        assertThat(preview.err()).contains("changes pending (--expect-no-changes): Plan: ");
        CliTest.Result json = run(dir, "preview", "--json", "--expect-no-changes");
        assertThat(json.exit()).isEqualTo(3);
        validDocument(json.out());

        CliTest.Result up = run(dir, "up", "--yes", "--expect-no-changes");
        assertThat(up.exit()).isEqualTo(3);
        assertThat(up.err()).contains("Nothing was applied.");
        assertThat(up.out()).doesNotContain("Applied:");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().namespaces().withName("alpha").get()).as("nothing applied").isNull();
        }
        assertThat(run(dir, "preview", "--expect-no-changes").exit()).as("still pending").isEqualTo(3);

        upOk(dir);
        CliTest.Result clean = run(dir, "preview", "--expect-no-changes");
        assertThat(clean.exit()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("No changes.");
        assertThat(upOk(dir, "--expect-no-changes").out()).contains("No changes.");

        // A refusal is input to fix (2), whatever else is pending.
        project.edit(TestProject.STACK, "version: \"17\", storage: 1", "version: \"18\", storage: 1");
        CliTest.Result refused = run(dir, "preview", "--expect-no-changes");
        assertThat(refused.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        CliTest.Result refusedUp = run(dir, "up", "--yes", "--expect-no-changes");
        assertThat(refusedUp.exit()).isEqualTo(Main.EXIT_USER_ERROR);
    }

    @Test
    void aFailedApplyEndsItsJsonStreamWithTheResultAndExitsWithOne(@TempDir Path dir) {
        TestProject.create(dir, FIXTURE);
        // Workloads take a second to be ready: with no time to wait, every service with one fails.
        System.setProperty("dbstack.sandbox.readyAfter", "1s");
        CliTest.Result failed;
        try {
            failed = run(dir, "up", "--yes", "--json", "--timeout", "0s");
        } finally {
            System.clearProperty("dbstack.sandbox.readyAfter");
        }
        assertThat(failed.exit()).as(failed.err()).isEqualTo(Main.EXIT_FAILURE);
        List<JsonNode> stream = validStream(failed.out());
        assertThat(stream).anySatisfy(e -> {
            assertThat(e.path("event").asText()).isEqualTo("failed");
            assertThat(e.path("service").asText()).isNotEmpty();
            assertThat(e.path("message").asText()).contains("timed out");
        });
        JsonNode last = stream.get(stream.size() - 1);
        assertThat(last.path("event").asText()).isEqualTo("finished");
        assertThat(last.path("result").path("ok").asBoolean()).isFalse();
        assertThat(last.path("result").path("failed").asInt()).isPositive();
    }

    @Test
    void upWithoutATerminalNeedsYesAndPrintsPlainLines(@TempDir Path dir) {
        TestProject.create(dir, FIXTURE);
        CliTest.Result unconfirmed = run(dir, "up");
        assertThat(unconfirmed.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(unconfirmed.err()).contains("not on a terminal, so nothing to confirm with: run again with --yes");

        CliTest.Result up = upOk(dir);
        assertNoEscapes(up);
        assertThat(up.out()).contains("\n  + create StatefulSet alpha/db\n").contains("\n  ready alpha/db\n");
    }

    @Test
    void jsonAndAnotherFormatContradictEachOther(@TempDir Path dir) {
        TestProject.create(dir, FIXTURE);
        CliTest.Result r = run(dir, "preview", "--json", "--format", "markdown");
        assertThat(r.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).isEqualTo("error: --json: --json is --format json; it cannot go with --format markdown\n");
        CliTest.Result unknown = run(dir, "preview", "--format", "html");
        assertThat(unknown.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(unknown.err()).contains("--format").contains("text, json, markdown");
    }
}
