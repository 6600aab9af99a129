package dev.dbstack.cli;

import static dev.dbstack.cli.BadInputTest.PROJECT;
import static dev.dbstack.cli.BadInputTest.assertClearUserError;
import static dev.dbstack.cli.BadInputTest.runBounded;
import static dev.dbstack.cli.BadInputTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a type's own rules refuse, through the real CLI: a development-only type in a production cluster
 * group, a privileged-only type where privileged pods are not admitted, a setting its pattern refuses, a
 * version it does not support. Each is one line with file, line and key, exit 2, and nothing is applied.
 */
class TypeRulesBadInputTest {
    private static final String FILE = "stacks/Pulumi.t.yaml";

    /** A stack of one group ({@code groupKeys} added to it) and one layer written as {@code layer}'s lines. */
    private static String stack(String groupKeys, String layer) {
        return """
                config:
                  dbstack:clusterGroups:
                    - name: g
                      cluster: sandbox
                %s
                  dbstack:profiles:
                    - name: p
                      layers:
                %s
                  dbstack:apps:
                    - {name: a, profile: p}
                """.formatted(groupKeys.isEmpty() ? "" : "      " + groupKeys, layer.stripTrailing());
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(needle)) return i + 1;
        throw new IllegalArgumentException(needle);
    }

    record Case(String name, String groupKeys, String layer, String lineOf, String key, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String influx = "        - name: metrics\n          type: influxdb\n          storage: 1\n";
        return Stream.of(
                new Case("sqlite in a production group", "production: true",
                        "        - {name: files, type: sqlite, storage: 1}\n", "name: files",
                        "config.dbstack:profiles[p].layers[files].type", "SQLite is for development only, and app 'a' runs in"
                        + " cluster group 'g', which is marked production: true; use a database server type there"),
                new Case("glusterfs where privileged pods are not admitted", "privileged: false",
                        "        - {name: shared, type: glusterfs, storage: 10}\n", "name: shared",
                        "config.dbstack:profiles[p].layers[shared].type", "layer 'shared' (GlusterFS) needs privileged"
                        + " containers (glusterfs) and the host's network, which cluster group 'g' does not admit"
                        + " (privileged: false); run app 'a' in a cluster group that admits privileged pods"),
                new Case("an influxdb org with a space", "", influx + "          org: my org\n", "org: my org",
                        "config.dbstack:profiles[p].layers[metrics].org", "'my org' is not a valid org for InfluxDB (must match"),
                new Case("an influxdb bucket of the system's", "", influx + "          bucket: _monitoring\n", "bucket:",
                        "config.dbstack:profiles[p].layers[metrics].bucket", "'_monitoring' is not a valid bucket for InfluxDB"),
                new Case("an influxdb retention without a unit", "", influx + "          retention: \"30\"\n", "retention:",
                        "config.dbstack:profiles[p].layers[metrics].retention", "'30' is not a valid retention for InfluxDB"),
                new Case("an influxdb retention in words", "", influx + "          retention: 1 week\n", "retention:",
                        "config.dbstack:profiles[p].layers[metrics].retention", "'1 week' is not a valid retention for InfluxDB"),
                new Case("an influxdb version not supported", "", influx + "          version: \"3.0\"\n", "version:",
                        "config.dbstack:profiles[p].layers[metrics].version", "version '3.0' of InfluxDB is not supported"
                        + " (supported: 1.11, 1.12, 2.7, 2.8, 2.9)"),
                new Case("a cockroachdb version not supported", "",
                        "        - {name: roach, type: cockroachdb, version: \"24.1\", storage: 1}\n", "name: roach",
                        "config.dbstack:profiles[p].layers[roach].version", "version '24.1' of CockroachDB is not supported"
                        + " (supported: 25.2, 25.4, 26.1, 26.2)"),
                new Case("a cockroachdb user that is a built-in role", "",
                        "        - {name: roach, type: cockroachdb, storage: 1, user: root}\n", "name: roach",
                        "config.dbstack:profiles[p].layers[roach].user", "'root' is not a valid user for CockroachDB"),
                new Case("a sqlite file name with a path", "",
                        "        - {name: files, type: sqlite, storage: 1, file: ../etc/passwd}\n", "name: files",
                        "config.dbstack:profiles[p].layers[files].file", "'../etc/passwd' is not a valid file for SQLite"),
                new Case("an influxdb 2 setting on 1.x", "", influx + "          version: \"1.12\"\n          org: acme\n", "org:",
                        "config.dbstack:profiles[p].layers[metrics].org", "unknown key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isOneClearLineAndNothingIsApplied(Case c, @TempDir Path dir) throws IOException {
        String text = stack(c.groupKeys(), c.layer());
        write(dir, PROJECT, text);
        String expected = FILE + ":" + lineOf(text, c.lineOf()) + ": " + c.key() + ": " + c.message();
        for (String command : List.of("render", "preview")) {
            CliTest.Result r = runBounded(command, "-C", dir.toString(), "--stack", "t");
            assertClearUserError(r, command);
            assertThat(r.err()).as(command).contains(expected);
            assertThat(r.err().lines().filter(l -> l.contains(FILE + ":"))).as(command + ": one problem").hasSize(1);
        }
        CliTest.Result up = runBounded("up", "-C", dir.toString(), "--stack", "t", "--yes");
        assertClearUserError(up, "up");
        assertThat(up.err()).contains(expected);
        assertThat(Files.exists(dir.resolve(".dbstack/sandbox"))).as("no cluster was started, nothing applied").isFalse();
    }

    @Test
    void theSameLayersPassWhereTheGroupAdmitsThem(@TempDir Path dir) throws IOException {
        String text = stack("", "        - {name: files, type: sqlite, storage: 1}\n"
                + "        - {name: shared, type: glusterfs, storage: 10}\n");
        write(dir, PROJECT, text);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertThat(r.exit()).as(r.err()).isZero();
    }
}
