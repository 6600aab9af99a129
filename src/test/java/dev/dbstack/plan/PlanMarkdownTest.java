package dev.dbstack.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.PlanOutputSchema;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull-request comment of {@code preview --format markdown} at scale, planned in memory: a
 * 1,000-service stack stays under GitHub's comment limit and ends with complete tables. The golden
 * comment of a small stack, planned against the sandbox, is in {@code cli/CiOutputTest}.
 */
public class PlanMarkdownTest {
    /** {@code apps} app deployments of one profile: four databases and a container consuming them. */
    static String bigStack(int apps, String imageTag, boolean withMysql) {
        StringBuilder s = new StringBuilder("""
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: svc
                      version: 1.0.0
                      layers:
                        - {name: pg, type: postgresql, version: "17", storage: 1}
                        - {name: cache, type: redis, version: "8.2", storage: 1}
                        - {name: docs, type: mongodb, version: "8.0", storage: 1}
                """);
        if (withMysql) s.append("        - {name: stock, type: mysql, version: \"8.4\", storage: 1}\n");
        s.append("""
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:%s
                          env:
                            PGPASSWORD: "{{.spectro.app.$appDeploymentName.pg.PASSWORD}}"
                            REDIS_HOST: "{{.spectro.app.$appDeploymentName.cache.REDISMSTR_SVC}}"
                  dbstack:apps:
                """.formatted(imageTag));
        for (int i = 0; i < apps; i++) s.append("    - {name: app-").append(String.format("%03d", i)).append(", profile: svc}\n");
        return s.toString();
    }

    private static RenderedStack render(TestProject project) {
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "env-" + env.name() + "-s3cr3t")
                .render(project.graph());
    }

    /**
     * 200 apps × 5 layers: the cluster runs the stack with four layers and image 1.0.0; the plan adds a
     * MySQL layer to every app and rolls the image (creates, and updates with changed fields).
     */
    static Plan thousandServices(Path dir) {
        TestProject before = TestProject.create(dir, bigStack(200, "1.0.0", false));
        Map<ObjectRef, JsonNode> live = new HashMap<>();
        for (HasMetadata o : render(before).allObjects()) live.put(ObjectRef.of(o), Planner.SERIALIZATION.convertValue(o, JsonNode.class));
        TestProject after = TestProject.create(dir, bigStack(200, "1.1.0", true));
        RenderedStack desired = render(after);
        assertThat(desired.graph().services()).hasSize(1000);
        return Planner.plan("big", TestProject.STACK, desired, after.catalog(), Planner.Known.nothing(),
                new Planner.Live(live, Set.of("standard"), "standard"), Planner.Options.NONE);
    }

    @Test
    void aThousandServicesMakeACommentUnderGitHubsLimitThatEndsWithCompleteTables(@TempDir Path dir) {
        Plan plan = thousandServices(dir);
        assertThat(plan.counts().get(Action.CREATE)).isEqualTo(1200); // 6 objects per new MySQL layer (with its Service mysql)
        assertThat(plan.counts().get(Action.UPDATE)).isEqualTo(200);

        String comment = PlanMarkdown.render(plan);
        System.out.println("markdown comment for 1,000 services: " + comment.length() + " characters, "
                + comment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes");
        assertThat(comment.length()).isLessThanOrEqualTo(PlanMarkdown.BUDGET).isLessThan(PlanMarkdown.GITHUB_COMMENT_LIMIT);
        assertThat(comment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(PlanMarkdown.GITHUB_COMMENT_LIMIT);
        assertThat(comment).as("the budget is used, not wasted").hasSizeGreaterThan(PlanMarkdown.BUDGET * 3 / 4);
        assertThat(comment).doesNotContain("s3cr3t").endsWith("\n");
        assertCompleteTables(comment);

        // Apps in full, alphabetically, then every other app counted: all 200 accounted for, none twice.
        List<String> full = matches(comment, "(?m)^### app `([^`]+)`");
        Matcher counted = Pattern.compile("(?m)^### (\\d+) more apps, counted$").matcher(comment);
        assertThat(counted.find()).as("the rest is summarised").isTrue();
        List<String> countedRows = matches(comment.substring(counted.end()), "(?m)^\\| `([^`]+)` \\|");
        assertThat(full).isNotEmpty().isSorted().startsWith("app-000");
        assertThat(full.size() + Integer.parseInt(counted.group(1))).isEqualTo(200);
        assertThat(countedRows).hasSize(200 - full.size()).doesNotContainAnyElementsOf(full);
        assertThat(comment).contains("**").contains(plan.counts().get(Action.CREATE) + " to create, 200 to update**")
                .contains("<details><summary>update Deployment app-000/api: ");
    }

    @Test
    void whenEvenTheCountsDoNotFitTheTableEndsAtARowAndSaysHowManyMore(@TempDir Path dir) {
        Plan plan = thousandServices(dir);
        String comment = PlanMarkdown.render(plan, 12_000);
        assertThat(comment.length()).isLessThanOrEqualTo(12_000);
        assertCompleteTables(comment);
        assertThat(comment).containsPattern("\n…and \\d+ more apps \\(\\d+ steps\\) not listed\\.\n$");
    }

    @Test
    void aSmallPlanIsListedInFullAndItsJsonIsValid(@TempDir Path dir) {
        Plan plan;
        {
            TestProject before = TestProject.create(dir, bigStack(3, "1.0.0", false));
            Map<ObjectRef, JsonNode> live = new HashMap<>();
            for (HasMetadata o : render(before).allObjects()) live.put(ObjectRef.of(o), Planner.SERIALIZATION.convertValue(o, JsonNode.class));
            TestProject after = TestProject.create(dir, bigStack(3, "1.1.0", false));
            plan = Planner.plan("small", TestProject.STACK, render(after), after.catalog(), Planner.Known.nothing(),
                    new Planner.Live(live, Set.of("standard"), "standard"), Planner.Options.NONE);
        }
        String comment = PlanMarkdown.render(plan);
        assertThat(comment).startsWith("<!-- dbstack preview: stack test -->\n## dbstack preview: stack `test` of project `small`\n\n"
                + "**3 to update**\n\n").doesNotContain("counted").doesNotContain("s3cr3t");
        assertThat(matches(comment, "(?m)^### app `([^`]+)`")).containsExactly("app-000", "app-001", "app-002");
        assertThat(comment).contains("| `~` update | Deployment | api | api | configuration changed |\n");
        assertCompleteTables(comment);

        JsonNode doc = PlanOutputSchema.parse(PlanReport.pretty(PlanReport.of(plan)));
        assertThat(PlanOutputSchema.load().validateDocument(doc)).isEmpty();
        assertThat(doc.path("summary").path("update").asInt()).isEqualTo(3);
        assertThat(doc.path("steps").get(0).path("changedFields")).isNotEmpty();
        assertThat(doc.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void refusalsAreATableOfTheirOwnAndAValidDocument() {
        List<Problem> problems = List.of(new Problem(new SourceRef("stacks/Pulumi.dev.yaml", 7), "config.dbstack:profiles[p].layers[db].version",
                        "PostgreSQL 17 → 18 is refused | <no> in-place upgrade"),
                new Problem(SourceRef.UNKNOWN, "StatefulSet shop/db", "storage cannot shrink (15Gi → 5Gi)"));
        String comment = PlanMarkdown.refused("p", "dev", problems);
        assertThat(comment).isEqualTo("""
                <!-- dbstack preview: stack dev -->
                ## dbstack preview: stack `dev` of project `p`

                **Plan refused: 2 problems. Nothing can be applied until they are fixed.**

                | op | where | key | message |
                | --- | --- | --- | --- |
                | **refused** | `stacks/Pulumi.dev.yaml:7` | `config.dbstack:profiles[p].layers[db].version` | PostgreSQL 17 → 18 is refused \\| &lt;no&gt; in-place upgrade |
                | **refused** |  | `StatefulSet shop/db` | storage cannot shrink (15Gi → 5Gi) |
                """);
        assertCompleteTables(comment);

        JsonNode doc = PlanOutputSchema.parse(PlanReport.pretty(PlanReport.refused("p", "dev", problems)));
        assertThat(PlanOutputSchema.load().validateDocument(doc)).isEmpty();
        assertThat(doc.path("refusals").get(0).path("line").asInt()).isEqualTo(7);
        assertThat(doc.path("refusals").get(1).path("file").isNull()).isTrue();
        assertThat(PlanOutputSchema.load().validateDocument(PlanOutputSchema.parse(PlanReport.compact(
                PlanReport.refused(null, null, problems))))).as("project unknown").isEmpty();
    }

    @Test
    void theSchemaIsNotVacuous() {
        PlanOutputSchema schema = PlanOutputSchema.load();
        Plan plan = new Plan("p", "s", List.of(new Step(Action.UPDATE, "a", new ServiceId("a", "db"),
                new ObjectRef("apps/v1", "StatefulSet", "a", "db"), "configuration changed", List.of("spec.replicas"), null)), List.of());
        JsonNode good = PlanOutputSchema.parse(PlanReport.compact(PlanReport.of(plan)));
        assertThat(schema.validateDocument(good)).isEmpty();
        assertThat(schema.validateDocument(PlanOutputSchema.parse(good.toString().replace("\"update\":1", "\"update\":-1"))))
                .isNotEmpty();
        assertThat(schema.validateDocument(PlanOutputSchema.parse(good.toString().replace("\"op\":\"update\"", "\"op\":\"upsert\""))))
                .isNotEmpty();
        assertThat(schema.validateDocument(PlanOutputSchema.parse(good.toString().replace("\"schemaVersion\":1", "\"schemaVersion\":2"))))
                .isNotEmpty();
        assertThat(schema.validateDocument(PlanOutputSchema.parse(good.toString().replace("\"reason\"", "\"body\":{},\"reason\""))))
                .as("no undocumented field, such as an object's body").isNotEmpty();
        assertThat(schema.validateEvent(PlanOutputSchema.parse("{\"event\":\"ready\",\"service\":\"a/db\",\"op\":null,"
                + "\"object\":null,\"message\":null,\"time\":\"2025-01-02T03:04:05.678Z\"}"))).isEmpty();
        assertThat(schema.validateEvent(PlanOutputSchema.parse("{\"event\":\"ready\",\"service\":\"a/db\",\"op\":null,"
                + "\"object\":null,\"message\":null,\"time\":\"yesterday\"}"))).as("time is a date-time").isNotEmpty();
        assertThat(schema.validateEvent(PlanOutputSchema.parse("{\"event\":\"finished\",\"service\":null,\"op\":null,"
                + "\"object\":null,\"message\":null,\"time\":\"2025-01-02T03:04:05Z\"}"))).as("finished carries the result").isNotEmpty();
    }

    /**
     * Every table (a run of lines starting with {@code |}) has its header, its separator, and rows with as
     * many cells as the header; and nothing after the last table is a cut row.
     */
    public static void assertCompleteTables(String markdown) {
        List<String> lines = markdown.lines().toList();
        int tables = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("|")) continue;
            tables++;
            int cells = cells(lines.get(i));
            assertThat(lines.get(i + 1)).as("separator under %s", lines.get(i)).matches("\\|( -{3,}:? \\|)+");
            assertThat(cells(lines.get(i + 1))).isEqualTo(cells);
            int j = i + 2;
            while (j < lines.size() && lines.get(j).startsWith("|")) {
                assertThat(lines.get(j)).as("a whole row").endsWith(" |");
                assertThat(cells(lines.get(j))).as("cells of %s", lines.get(j)).isEqualTo(cells);
                j++;
            }
            assertThat(j == lines.size() || lines.get(j).isEmpty()).as("a blank line ends the table at line %d", j).isTrue();
            i = j;
        }
        assertThat(tables).isPositive();
    }

    private static int cells(String row) {
        return row.replace("\\|", "").replaceAll("`[^`]*`", "x").split("\\|", -1).length - 2;
    }

    private static List<String> matches(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
