package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code DBSTACK_STATS=<file>}: what a run cost, written at exit for benchmarks. */
class RunStatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void forget() {
        RunStats.apiCounts(null);
    }

    @Test
    void aProcessWithTheVariableWritesItsCostAtExit(@TempDir Path dir) throws Exception {
        Path stats = dir.resolve("stats.json");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--version"));
        pb.environment().put(RunStats.ENV, stats.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        JsonNode json = JSON.readTree(Files.readString(stats));
        assertThat(json.get("exitCode").asInt()).isZero();
        assertThat(json.get("wallMs").asLong()).isPositive();
        assertThat(json.get("cpuMs").asLong()).isPositive();
        assertThat(json.get("peakRssBytes").isNull() || json.get("peakRssBytes").asLong() > 1 << 20).isTrue();
        assertThat(json.get("api").isNull()).as("nothing counted requests").isTrue();
    }

    @Test
    void apiCountsComeFromTheHook() throws Exception {
        RunStats.apiCounts(() -> new RunStats.ApiCounts(2, 6, 19));
        JsonNode json = JSON.readTree(RunStats.json(3));
        assertThat(json.get("exitCode").asInt()).isEqualTo(3);
        assertThat(json.get("api")).isEqualTo(JSON.readTree("{\"reads\":2,\"lists\":6,\"writes\":19}"));
    }
}
