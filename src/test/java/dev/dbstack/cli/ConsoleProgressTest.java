package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.apply.Applier;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Step;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    private static String run(boolean live) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), live);
        ServiceId db = new ServiceId("shop", "db");
        p.started(db);
        p.event("  + create Secret shop/db-credentials");
        p.finished(db, Applier.Outcome.SUCCEEDED);
        p.close();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainOutputIsOneLinePerEvent() {
        assertThat(run(false)).isEqualTo("start shop/db\n  + create Secret shop/db-credentials\n");
    }

    @Test
    void onATerminalAStatusLineIsRedrawnBelowTheEvents() {
        String out = run(true);
        assertThat(out).contains("[1 applying, 0 done, 0 failed]")
                .contains("[0 applying, 1 done, 0 failed]")
                .contains("\r\033[2K  + create Secret shop/db-credentials\n")
                .endsWith("\r\033[2K");
    }

    @Test
    void withoutATerminalForStdoutPrintsPlainLinesWithNoEscapes() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            ConsoleProgress p = ConsoleProgress.forStdout(); // tests run without a terminal
            ServiceId db = new ServiceId("shop", "db");
            p.started(db);
            p.event("  + create StatefulSet shop/db");
            p.finished(db, Applier.Outcome.SUCCEEDED);
            p.close();
        } finally {
            System.setOut(stdout);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("start shop/db\n  + create StatefulSet shop/db\n")
                .doesNotContain("\033").doesNotContain("\r");
    }

    /** A plan of {@code apps} apps of three services (db, cache, api), each with a Secret and a workload, and a namespace each. */
    private static Plan plan(int apps) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < apps; i++) {
            String app = "app" + i;
            steps.add(new Step(Action.CREATE, app, null, new ObjectRef("v1", "Namespace", "", app), "new", List.of(), null));
            for (String layer : List.of("db", "cache", "api")) {
                ServiceId id = new ServiceId(app, layer);
                steps.add(new Step(Action.CREATE, app, id, new ObjectRef("v1", "Secret", app, layer), "new", List.of(), null));
                steps.add(new Step(layer.equals("api") ? Action.UPDATE : Action.CREATE, app, id,
                        new ObjectRef("apps/v1", "StatefulSet", app, layer), "new", List.of(), null));
            }
        }
        return new Plan("p", "dev", steps, List.of());
    }

    /** What an apply of {@link #plan} reports: app1's db fails, so its api is skipped; the rest succeed. */
    private static void apply(ConsoleProgress p, Plan plan) {
        for (Step s : plan.steps()) if (s.service() == null) p.event("  " + s.action().symbol() + " " + s.action().verb() + " " + s.object());
        for (ServiceId id : plan.steps().stream().map(Step::service).filter(java.util.Objects::nonNull).distinct().toList()) {
            if (id.equals(new ServiceId("app1", "api"))) {
                p.event("  skipped app1/api: app1/db did not succeed");
                p.finished(id, Applier.Outcome.SKIPPED);
                continue;
            }
            p.started(id);
            for (Step s : plan.steps()) {
                if (id.equals(s.service())) p.event("  " + s.action().symbol() + " " + s.action().verb() + " " + s.object());
            }
            p.waiting(id, "StatefulSet " + id + ": 0/1 replicas ready");
            if (id.equals(new ServiceId("app1", "db"))) {
                p.event("  failed app1/db: timed out after 0 s waiting for StatefulSet app1/db: 0/1 replicas ready");
                p.finished(id, Applier.Outcome.FAILED);
            } else {
                p.event("  ready " + id);
                p.finished(id, Applier.Outcome.SUCCEEDED);
            }
        }
        p.close();
    }

    @Test
    void aLargePlanIsToldOneLinePerAppWithFailuresOnTheirOwnLines() {
        Plan plan = plan(10); // 30 services
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        apply(new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, plan), plan);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

        assertThat(lines).hasSize(10 + 2).contains(
                "app app0: 3 services ready (7 steps: 6 create, 1 update)",
                "  skipped app1/api: app1/db did not succeed",
                "  failed app1/db: timed out after 0 s waiting for StatefulSet app1/db: 0/1 replicas ready",
                "app app1: 1 of 3 services ready, 1 failed, 1 skipped (5 steps: 5 create)",
                "app app9: 3 services ready (7 steps: 6 create, 1 update)");
        assertThat(lines.indexOf("app app1: 1 of 3 services ready, 1 failed, 1 skipped (5 steps: 5 create)"))
                .as("an app's line once all its services are done").isGreaterThan(lines.indexOf("  failed app1/db: timed out after 0 s"
                        + " waiting for StatefulSet app1/db: 0/1 replicas ready"));
        assertThat(lines).noneMatch(l -> l.matches(".*app\\d+/.*app\\d+/.*app\\d+/.*")).as("no line names many services")
                .noneMatch(l -> l.startsWith("start ") || l.startsWith("  waiting for") || l.contains("+ create"));
    }

    @Test
    void aLargePlanOnATerminalKeepsTheLatestEventInTheStatusLine() {
        Plan plan = plan(10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        apply(new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, plan), plan);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("[1 applying, 0 done, 0 failed] waiting for app0/db:"
                + " StatefulSet app0/db: 0/1 replicas ready").contains("\r\033[2Kapp app0: 3 services ready").endsWith("\r\033[2K");
    }

    @Test
    void aSmallPlanIsStillToldEventByEvent() {
        Plan plan = plan(ConsoleProgress.DETAILED_UP_TO / 3); // 18 services
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        apply(new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, plan), plan);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("start app0/db\n  + create Secret app0/db\n"
                + "  + create StatefulSet app0/db\n  waiting for app0/db: StatefulSet app0/db: 0/1 replicas ready\n  ready app0/db\n")
                .doesNotContain("app app0:");
    }

    @Test
    void redrawsOnlyOnARealTerminalOutsideCiAndPromptsOnlyOutsideCi() {
        assertThat(Terminal.canRedraw(true, Map.of("TERM", "xterm-256color"))).isTrue();
        assertThat(Terminal.canRedraw(false, Map.of("TERM", "xterm-256color"))).as("stdout not a terminal").isFalse();
        assertThat(Terminal.canRedraw(true, Map.of("TERM", "dumb"))).isFalse();
        assertThat(Terminal.canRedraw(true, Map.of("CI", "true"))).isFalse();
        assertThat(Terminal.canRedraw(true, Map.of("CI", "1", "TERM", "xterm"))).isFalse();
        assertThat(Terminal.canRedraw(true, Map.of("CI", "false"))).as("CI=false is not CI").isTrue();

        assertThat(Terminal.canPrompt(true, Map.of("TERM", "dumb"))).as("a dumb terminal can still answer").isTrue();
        assertThat(Terminal.canPrompt(true, Map.of("CI", "true"))).as("CI with a pseudo-terminal: no prompt").isFalse();
        assertThat(Terminal.canPrompt(false, Map.of())).isFalse();
    }
}
