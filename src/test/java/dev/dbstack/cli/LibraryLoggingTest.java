package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** No library's internal logging reaches the user's terminal. */
class LibraryLoggingTest {
    private static String run(String mode) throws Exception {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LibraryLoggingProcess.class.getName(), mode))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return output;
    }

    @Test
    void libraryWarningsStayOutOfTheOutput() throws Exception {
        // Without the entry point the warnings do print (java.util.logging's console handler) ...
        assertThat(run("bare")).contains("probe: http client warning").contains("probe: grpc warning");
        // ... through it, only dbstack's own output remains.
        assertThat(run("cli")).contains("Usage: dbstack graph").doesNotContain("probe:");
    }
}
