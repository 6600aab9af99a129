package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.apply.Applier;
import dev.dbstack.model.ServiceId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
