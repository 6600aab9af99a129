package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.apply.Applier;
import dev.dbstack.model.ServiceId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
}
