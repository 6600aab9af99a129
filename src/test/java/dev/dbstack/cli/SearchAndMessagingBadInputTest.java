package dev.dbstack.cli;

import static dev.dbstack.cli.BadInputTest.assertClearUserError;
import static dev.dbstack.cli.BadInputTest.runBounded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad Elasticsearch and RabbitMQ layers through the real CLI: one clear line with file, line and key,
 * exit 2, nothing applied.
 */
class SearchAndMessagingBadInputTest {
    private static final String FILE = "stacks/Pulumi.t.yaml";

    /** Line 7 holds the layer's first keys; line 8 its {@code <key>: <value>}. */
    private static String stack(String group, String type, String key, String value) {
        return """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox%s}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - name: db
                          %s: %s
                          type: %s
                          storage: 1
                  dbstack:apps:
                    - {name: a, profile: p}
                """.formatted(group, key, value, type);
    }

    record Case(String name, String stack, int line, String key, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String at = "config.dbstack:profiles[p].layers[db].";
        return Stream.of(
                new Case("elasticsearch mmap: true where privileged pods are not admitted",
                        stack(", privileged: false", "elasticsearch", "mmap", "true"), 7, at + "mmap",
                        "Elasticsearch with mmap: true needs a privileged init container to raise the node's vm.max_map_count"
                                + " to 262144, and cluster group 'g' does not admit privileged pods (privileged: false); set"
                                + " mmap: false on layer 'db'"),
                new Case("elasticsearch mmap left at its default where privileged pods are not admitted",
                        stack(", privileged: false", "elasticsearch", "version", "\"9.5\""), 7, at + "mmap",
                        "set mmap: false on layer 'db'"),
                new Case("elasticsearch mmap: yes", stack("", "elasticsearch", "mmap", "yes"), 8, at + "mmap",
                        "'yes' is not a valid mmap for Elasticsearch (must match true|false)"),
                new Case("elasticsearch too little memory", stack("", "elasticsearch", "resources", "{memory: 300Mi}"), 7,
                        at + "resources.memory", "Elasticsearch needs at least 512Mi of memory"),
                new Case("elasticsearch 8.18", stack("", "elasticsearch", "version", "\"8.18\""), 8, at + "version",
                        "version '8.18' of Elasticsearch is not supported (supported: 8.19, 9.4, 9.5)"),
                new Case("rabbitmq 3.12", stack("", "rabbitmq", "version", "\"3.12\""), 8, at + "version",
                        "version '3.12' of RabbitMQ is not supported (supported: 3.13, 4.0, 4.1, 4.2, 4.3)"),
                new Case("rabbitmq vhost with $", stack("", "rabbitmq", "vhost", "\"$(HOME)\""), 8, at + "vhost",
                        "'$(HOME)' is not a valid vhost for RabbitMQ"),
                new Case("rabbitmq vhost with %", stack("", "rabbitmq", "vhost", "\"100%\""), 8, at + "vhost",
                        "'100%' is not a valid vhost for RabbitMQ"),
                new Case("rabbitmq user with a space", stack("", "rabbitmq", "user", "\"app user\""), 8, at + "user",
                        "'app user' is not a valid user for RabbitMQ"),
                new Case("rabbitmq cookie in plain text", stack("", "rabbitmq", "erlangCookie", "plain"), 8,
                        at + "erlangCookie", "must be a secret"),
                new Case("a setting of another type", stack("", "rabbitmq", "mmap", "false"), 8, at + "mmap", "unknown key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneClearLineWithFileLineAndKey(Case c, @TempDir Path dir) throws IOException {
        BadInputTest.write(dir, BadInputTest.PROJECT, c.stack());
        for (String command : List.of("render", "preview")) {
            CliTest.Result r = runBounded(command, "-C", dir.toString(), "--stack", "t");
            assertClearUserError(r, command);
            assertThat(r.err()).as(command).contains("error: " + FILE + ":" + c.line() + ": " + c.key() + ": ")
                    .contains(c.message());
            assertThat(r.err().lines().filter(l -> l.startsWith("error: "))).as(command + ": one problem").hasSize(1);
        }
    }

    @Test
    void upAppliesNothingWhenMmapNeedsAPrivilegedPod(@TempDir Path dir) throws IOException {
        BadInputTest.write(dir, BadInputTest.PROJECT, stack(", privileged: false", "elasticsearch", "mmap", "true"));
        CliTest.Result r = runBounded("up", "--yes", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "up");
        assertThat(r.err()).contains("set mmap: false");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().namespaces().withName("a").get()).as("nothing applied").isNull();
        }

        BadInputTest.write(dir, BadInputTest.PROJECT, stack(", privileged: false", "elasticsearch", "mmap", "false"));
        CliTest.Result fixed = runBounded("preview", "-C", dir.toString(), "--stack", "t");
        assertThat(fixed.exit()).as(fixed.err()).isZero();
    }
}
