package dev.dbstack.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CatalogTest {
    @Test
    void builtInCatalogIsOneTypePerFileOfComponents() throws IOException {
        Catalog catalog = Catalog.builtIn();
        try (Stream<Path> files = Files.list(Path.of("components"))) {
            assertThat(catalog.types()).containsExactlyElementsOf(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches(".+\\.ya?ml")).map(n -> n.replaceFirst("\\.ya?ml$", "")).sorted().toList());
        }
        Component pg = catalog.get("postgresql");
        assertThat(pg.familyOf("16.4")).contains("16");
        assertThat(pg.familyOf("160")).isEmpty();
        assertThat(pg.storageFor("18.1").mountPath()).isEqualTo("/var/lib/postgresql");
        assertThat(pg.storageFor("17").mountPath()).isEqualTo("/var/lib/postgresql/data");
        assertThat(catalog.resolve("postgresql", null, "18.1").storage().env()).isEmpty();
        assertThat(catalog.resolve("postgresql", null, "17.6").storage().env())
                .containsEntry("PGDATA", "/var/lib/postgresql/data/pgdata");
        assertThat(catalog.get("mongodb").familyOf("7.0.12")).contains("7.0");
    }

    /** Built-in files are read on first use: every one of them reads, resolves and passes the checks. */
    @Test
    void everyBuiltInFileIsValid() {
        Catalog catalog = Catalog.builtIn();
        for (String type : catalog.types()) {
            assertThat(catalog.get(type).type()).isEqualTo(type);
            assertThat(catalog.variants(type)).as(type).isNotEmpty();
        }
    }

    @Test
    void aProjectCanAddATypeOrReplaceABuiltIn(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String redis = Files.readString(Path.of("components/redis.yaml"));
        Files.writeString(dir.resolve("components/valkey.yaml"), redis.replace("type: redis", "type: valkey")
                .replace("docker.io/library/redis", "docker.io/valkey/valkey").replace("title: Redis", "title: Valkey"));
        Files.writeString(dir.resolve("components/redis.yaml"), redis.replace("defaultVersion: \"8.2\"", "defaultVersion: \"7.4\""));

        Catalog catalog = Catalog.load(dir);

        assertThat(catalog.types()).contains("valkey", "redis");
        assertThat(catalog.get("valkey").image()).isEqualTo("docker.io/valkey/valkey");
        assertThat(catalog.get("redis").defaultVersion()).isEqualTo("7.4");
    }

    @Test
    void brokenComponentsAreReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String pg = Files.readString(Path.of("components/postgresql.yaml"));
        Files.writeString(dir.resolve("components/postgresql.yaml"), pg.replaceFirst("maxReplicas: (\\d+)", "maxReplica: $1"));
        UserInputException typo = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(typo.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("components/postgresql.yaml:" + lineOf(pg, "maxReplicas:") + ": maxReplica: unknown key; did you mean 'maxReplicas'? (allowed: args,");

        Files.writeString(dir.resolve("components/postgresql.yaml"), pg
                .replace("value: \"{{settings.user}}\", description: database user", "value: \"{{credentials.password}}\", description: database user")
                .replace("{{host}}:{{port}}/{{settings.database}}", "{{hots}}:{{port}}/{{settings.database}}"));
        UserInputException leaks = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(leaks.problems()).extracting(Problem::render).containsExactlyInAnyOrder(
                "components/postgresql.yaml: outputs.USERNAME: uses credentials.password and so must be secret: true",
                "components/postgresql.yaml: outputs.POSTGRES_URI: unknown template variable 'hots'; known: [credentials.password,"
                        + " dataDir, engine, headlessHost, host, layer, members, namespace, port, ports.postgresql, readHost,"
                        + " replicas, settings.database, settings.user, version]");
    }

    @Test
    void readinessConditionsAreCheckedWhenTheCatalogLoads(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String redis = Files.readString(Path.of("components/redis.yaml"));
        Files.writeString(dir.resolve("components/redis.yaml"), redis
                + "readiness:\n  - status.availableReplicas >= 1\n  - status.phase = Running\n");
        UserInputException bad = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(bad.problems()).singleElement().extracting(Problem::render).asString()
                .isEqualTo("components/redis.yaml: readiness[1]: 'status.phase = Running' is not <field> <op> <field or"
                        + " literal>, e.g. status.readyReplicas == spec.replicas (operators: == != >= <= > <)");

        Files.writeString(dir.resolve("components/redis.yaml"), redis + "readiness: status.availableReplicas >= 1\n");
        assertThat(Catalog.load(dir).get("redis").readyConditions()).singleElement()
                .extracting(ReadyCondition::text).isEqualTo("status.availableReplicas >= 1");
        assertThat(Catalog.builtIn().types()).allSatisfy(type -> assertThat(Catalog.builtIn().get(type).readiness())
                .as("built-in types rely on their kind's check").isEmpty());
    }

    static Stream<Arguments> brokenComponents() {
        return Stream.of(
                Arguments.of("unknown key", "maxReplicas: 5", "maxReplica: 5",
                        "components/postgresql.yaml:15: maxReplica: unknown key; did you mean 'maxReplicas'?"),
                Arguments.of("wrong type, nested", "number: 5432}", "number: lots}",
                        "components/postgresql.yaml:16: port.number: expected a whole number, got a string 'lots'"),
                Arguments.of("wrong type in a list", "\"{{credentials.password}}\", secret: true", "\"{{credentials.password}}\", secret: maybe",
                        "components/postgresql.yaml:58: outputs[1].secret: expected true or false, got a string 'maybe'"),
                Arguments.of("list for a string", "mountPath: /var/lib/postgresql,", "mountPath: [a, b],",
                        "components/postgresql.yaml:24: variants[0].storage.mountPath: expected a string, got a list"),
                Arguments.of("list for a map", "env: {PGDATA: /var/lib/postgresql/data/pgdata}", "env: [PGDATA]",
                        "components/postgresql.yaml:20: storage.env: expected a map, got a list"),
                Arguments.of("fraction for a whole number", "maxReplicas: 5", "maxReplicas: 1.5",
                        "components/postgresql.yaml:15: maxReplicas: expected a whole number, got a number '1.5'"),
                Arguments.of("number out of range", "maxReplicas: 5", "maxReplicas: 99999999999",
                        "components/postgresql.yaml:15: maxReplicas: "),
                Arguments.of("duplicate key", "maxReplicas: 5", "maxReplicas: 5\nmaxReplicas: 2",
                        "components/postgresql.yaml:16: maxReplicas: duplicate key (first at line 15)"),
                Arguments.of("syntax", "maxReplicas: 5", "maxReplicas: [1", "components/postgresql.yaml:16: invalid YAML: "),
                Arguments.of("unsupported tag", "maxReplicas: 5", "maxReplicas: !!binary AQ==",
                        "components/postgresql.yaml:15: YAML tag !!binary is not supported"),
                Arguments.of("a list, not a map", "type: postgresql", "- type: postgresql\n-", "components/postgresql.yaml:"));
    }

    /** Every way a catalog file can be broken is answered as {@code file:line: key: message}, in words. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenComponents")
    void brokenComponentFilesAreReportedWithFileLineAndKey(String name, String from, String to, String expected,
                                                            @TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String pg = Files.readString(Path.of("components/postgresql.yaml"));
        assertThat(pg).contains(from);
        Files.writeString(dir.resolve("components/postgresql.yaml"), pg.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to)));

        UserInputException e = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));

        assertThat(e).as(name).isNotNull();
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0).render()).startsWith(expected).doesNotContain("Exception", "java.", "dev.dbstack", "`");
    }

    static Stream<Arguments> oddImageKeys() {
        return Stream.of(
                Arguments.of("cockroachdb", "release: \"v{{version}}\"", "release: \"v{{tag}}\"",
                        "components/cockroachdb.yaml: imageTag.release: unknown template variable 'tag'; known: [version]"),
                Arguments.of("influxdb", "incompatibleFrom: [\"2.7\"]", "incompatibleFrom: [\"3.0\"]",
                        "components/influxdb.yaml: versionChanges.incompatibleFrom: must list families from versions"
                                + " [1.11, 1.12, 2.7, 2.8, 2.9], got [3.0]"),
                Arguments.of("redis", "runAsGroup: 999, fsGroup: 999}", "runAsGroup: 999}",
                        "components/redis.yaml: securityContext: needs runAsUser, runAsGroup and fsGroup (a server running"
                                + " as root, runAsUser: 0, may leave fsGroup out)"),
                Arguments.of("sqlite", "workload: none", "workload: none\nimage: docker.io/library/alpine",
                        "components/sqlite.yaml: image: has no meaning for workload: none, which runs no server"),
                Arguments.of("sqlite", "backup:\n", "backup:\n  pre: {command: [sqlite3], timeout: 30s, onError: Fail}\n",
                        "components/sqlite.yaml: backup.pre: has no meaning for workload: none: a hook runs in the server's container"),
                Arguments.of("postgresql", "onError: Fail", "onError: fail",
                        "components/postgresql.yaml: backup.pre.onError: must be written, Continue or Fail (Velero treats a"
                                + " missing one as Continue), not 'fail'"),
                Arguments.of("redis", "    onError: Fail\n", "",
                        "components/redis.yaml: backup.pre.onError: must be written, Continue or Fail (Velero treats a"
                                + " missing one as Continue)"),
                Arguments.of("mongodb", "timeout: 2m\n    onError: Fail\n  post:", "timeout: 2 minutes\n    onError: Fail\n  post:",
                        "components/mongodb.yaml: backup.pre.timeout: must be a Go duration such as 30s or 2m, not '2 minutes'"));
    }

    /** The keys for images that do not fit the common mould are checked like the rest. */
    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("oddImageKeys")
    void theKeysOfOddImagesAreChecked(String type, String from, String to, String expected, @TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String file = Files.readString(Path.of("components/" + type + ".yaml"));
        assertThat(file).contains(from);
        Files.writeString(dir.resolve("components/" + type + ".yaml"), file.replace(from, to));
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(e).isNotNull();
        assertThat(e.problems()).extracting(Problem::render).containsExactly(expected);
    }

    @Test
    void aTagTemplateMakesTheImageOfAFamilyAndOfARelease() {
        Component roach = Catalog.builtIn().get("cockroachdb");
        assertThat(roach.imageFor("26.2")).isEqualTo("docker.io/cockroachdb/cockroach:latest-v26.2");
        assertThat(roach.imageFor("26.2.5")).isEqualTo("docker.io/cockroachdb/cockroach:v26.2.5");
        assertThat(Catalog.builtIn().get("redis").imageFor("8.2.1")).isEqualTo("docker.io/library/redis:8.2.1");
        assertThat(Catalog.builtIn().get("glusterfs").imageFor("4.1")).isEqualTo("docker.io/gluster/gluster-centos:latest");
    }

    @Test
    void aComponentFileThatIsNotUtf8IsReportedWithItsLine(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String pg = Files.readString(Path.of("components/postgresql.yaml")).replace("title: PostgreSQL", "title: PostgreSQL café");
        Files.write(dir.resolve("components/postgresql.yaml"), pg.getBytes(StandardCharsets.ISO_8859_1));

        UserInputException e = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));

        assertThat(e.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("components/postgresql.yaml:3: is not UTF-8 text: byte 0xE9");
    }

    @Test
    void aComponentMayShareValuesThroughAnchorsAndMergeKeys(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String pg = Files.readString(Path.of("components/postgresql.yaml"))
                .replace("readinessProbe:\n", "readinessProbe: &probe\n")
                .replaceFirst("livenessProbe:\n(  .*\n)+", "livenessProbe:\n  <<: *probe\n  initialDelaySeconds: 31\n")
                .replace("versions: [\"14\", \"15\", \"16\", \"17\", \"18\"]", "versions: [14, 15, 16, 17, 18.0]")
                .replace("defaultVersion: \"17\"", "defaultVersion: 18.0");
        Files.writeString(dir.resolve("components/postgresql.yaml"), pg);

        Component c = Catalog.load(dir).get("postgresql");

        assertThat(c.versions()).containsExactly("14", "15", "16", "17", "18.0"); // numbers keep their digits
        assertThat(c.livenessProbe().exec()).isEqualTo(c.readinessProbe().exec());
        assertThat(c.livenessProbe().initialDelaySeconds()).isEqualTo(31);
        assertThat(c.livenessProbe().periodSeconds()).isEqualTo(c.readinessProbe().periodSeconds());
    }

    @Test
    void componentsAreReadFromAZipFileSystemAsFromTheJar(@TempDir Path dir) throws IOException {
        Path zip = dir.resolve("catalog.zip");
        String redis = Files.readString(Path.of("components/redis.yaml"));
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Files.createDirectories(fs.getPath("/components"));
            Files.writeString(fs.getPath("/components/redis.yaml"), redis);
            Files.writeString(fs.getPath("/components/broken.yaml"), "type: broken\ntype: again\n");
        }
        try (FileSystem fs = FileSystems.newFileSystem(zip)) {
            assertThat(Catalog.parseOne(fs.getPath("/components/redis.yaml"), "components/redis.yaml").type()).isEqualTo("redis");
            UserInputException e = catchThrowableOfType(UserInputException.class,
                    () -> Catalog.parseOne(fs.getPath("/components/broken.yaml"), "components/broken.yaml"));
            assertThat(e.getMessage()).isEqualTo("components/broken.yaml:2: type: duplicate key (first at line 1)");
        }
    }

    /** The 1-based line of the first line of {@code text} that starts with {@code prefix}. */
    private static int lineOf(String text, String prefix) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (lines[i].startsWith(prefix)) return i + 1;
        throw new AssertionError(prefix + " not found");
    }
}
