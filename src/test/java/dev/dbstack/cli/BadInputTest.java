package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.testing.Kubeconfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input gets one clear answer: exit 2, {@code file:line: key: message}, no Java internals,
 * within seconds — through the real CLI, for {@code render} (no cluster) and {@code preview}. Cases are
 * generated per class of bad value from one fixture of this test's own, each value put in one slot of it;
 * the valid edge cases of each class must pass.
 */
class BadInputTest {
    /** A hang guard, not a speed claim: a run that takes this long has no bound. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    private static final String STACK_FILE = "stacks/Pulumi.t.yaml";

    /** The fixture; each {@code <slot>} holds a YAML value and sits on a line of its own key. */
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - name: dev
                  cluster: <cluster>
                  clusterDomain: <clusterDomain>
              dbstack:profiles:
                - name: p
                  layers:
                    - name: db
                      type: postgresql
                      version: <version>
                      storage: <storage>
                      storageClass: <storageClass>
                      replicas: <dbReplicas>
                    - name: api
                      type: container
                      image: <image>
                      replicas: <replicas>
                      ports: <ports>
                      env:
                        DB_HOST: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"
                        TOKEN: <token>
                      volume:
                        size: <volumeSize>
                        mountPath: <mountPath>
                        storageClass: <volumeClass>
              dbstack:apps:
                - name: a
                  profile: p
            """;

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("cluster", "sandbox"), Map.entry("clusterDomain", "cluster.local"), Map.entry("version", "'17'"),
            Map.entry("storage", "1"), Map.entry("storageClass", "standard"), Map.entry("dbReplicas", "1"),
            Map.entry("image", "ghcr.io/acme/api:1.0"), Map.entry("replicas", "1"), Map.entry("ports", "[8080]"),
            Map.entry("token", "plain"), Map.entry("volumeSize", "1"), Map.entry("mountPath", "/data"),
            Map.entry("volumeClass", "standard"));

    /** Where each slot's problem is reported. */
    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("cluster", "config.dbstack:clusterGroups[dev].cluster"),
            Map.entry("clusterDomain", "config.dbstack:clusterGroups[dev].clusterDomain"),
            Map.entry("version", "config.dbstack:profiles[p].layers[db].version"),
            Map.entry("storage", "config.dbstack:profiles[p].layers[db].storage"),
            Map.entry("storageClass", "config.dbstack:profiles[p].layers[db].storageClass"),
            Map.entry("dbReplicas", "config.dbstack:profiles[p].layers[db].replicas"),
            Map.entry("image", "config.dbstack:profiles[p].layers[api].image"),
            Map.entry("replicas", "config.dbstack:profiles[p].layers[api].replicas"),
            Map.entry("ports", "config.dbstack:profiles[p].layers[api].ports"),
            Map.entry("token", "config.dbstack:profiles[p].layers[api].env.TOKEN"),
            Map.entry("volumeSize", "config.dbstack:profiles[p].layers[api].volume.size"),
            Map.entry("mountPath", "config.dbstack:profiles[p].layers[api].volume.mountPath"),
            Map.entry("volumeClass", "config.dbstack:profiles[p].layers[api].volume.storageClass"));

    record Case(String name, String slot, String value) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A YAML double-quoted scalar holding exactly {@code text} (JSON's escapes are YAML's). */
    static String q(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    static final BigInteger TWO_TO_64 = BigInteger.TWO.pow(64);

    /** Numbers no count, size or port field may take, in the notations YAML has. */
    static final List<String> BAD_NUMBERS = List.of(TWO_TO_64.toString(), TWO_TO_64.add(BigInteger.ONE).toString(),
            TWO_TO_64.add(BigInteger.TEN).toString(), BigInteger.TWO.pow(63).toString(), BigInteger.TWO.pow(63).negate().toString(),
            BigInteger.TWO.pow(32).add(BigInteger.ONE).toString(), "-1", "0", "0.5", "1.5", "8080.5", "1e30", "-1e30", "1e400",
            "99999999999999999999999999999999999999", "'8080'", "eight", "[1]", "{port: 1}", "true");

    static Stream<Case> badValues() {
        List<Case> cases = new ArrayList<>();
        List<String> images = List.of("", " ", ":", "::", ":latest", "@", "@sha256:", "-foo", "foo-", "a..b/c", "a//b",
                "a/../b", "ghcr.io//acme/api", "ghcr.io/acme/api:", "ghcr.io/acme/api@", "ghcr.io/acme/api@sha256:abc",
                "ghcr.io/acme/api@sha256:" + "g".repeat(64), "ghcr.io/acme/api@md5", "ghcr.io/acme/api:1.0:2.0",
                "ghcr.io/acme/api:-x", "ghcr.io/acme/api:" + "x".repeat(129), "ghcr.io/Acme/api", "UPPER", "acme/API:1",
                "api 1.0", "api\n1.0", "api\t1", "api\u0000", "https://ghcr.io/acme/api", "ghcr.io/acme/api:1.0 ", "_api",
                "api_", "api.", "ghcr.io:port/api", "x".repeat(600));
        images.forEach(v -> cases.add(new Case("image " + q(v), "image", q(v))));

        List<String> subdomains = List.of("", "Bad_Domain", "UPPER", "-x", "x-", "a..b", ".a", "a.", "a b", "a/b",
                "a\nb", "x".repeat(64), ("x".repeat(60) + ".").repeat(5), "ü");
        for (String slot : List.of("clusterDomain", "storageClass", "volumeClass")) {
            subdomains.forEach(v -> cases.add(new Case(slot + " " + q(v), slot, q(v))));
        }
        for (String slot : List.of("storage", "volumeSize", "replicas", "dbReplicas")) {
            BAD_NUMBERS.forEach(v -> cases.add(new Case(slot + " " + v, slot, v)));
        }
        cases.add(new Case("storage 65537", "storage", "65537"));
        cases.add(new Case("replicas 11", "replicas", "11"));
        cases.add(new Case("postgresql replicas 6", "dbReplicas", "6"));
        for (String n : BAD_NUMBERS) {
            if (n.startsWith("[") || n.startsWith("{")) continue;
            cases.add(new Case("port " + n, "ports", "[" + n + "]"));
            cases.add(new Case("port map " + n, "ports", "[{name: web, port: " + n + "}]"));
        }
        cases.add(new Case("port 65536", "ports", "[65536]"));
        cases.add(new Case("two ports, one number", "ports", "[8080, 8080]"));
        cases.add(new Case("two ports, one name", "ports", "[{name: web, port: 1}, {name: web, port: 2}]"));
        cases.add(new Case("a port named like the default", "ports", "[8080, {name: http, port: 9090}]"));
        cases.add(new Case("port name too long", "ports", "[{name: abcdefghijklmnop, port: 1}]"));

        List<String> versions = List.of("", " ", "17.", "17.x", "17.*", "17 ", " 17", "17 .1", "17@sha256:abc", "17/x",
                "x17", "17..1", "-17", "17-", ".17", "v17", "latest", "17\n", "17:1", "17." + "1".repeat(200));
        versions.forEach(v -> cases.add(new Case("version " + q(v), "version", q(v))));

        List<String> clusters = List.of("''", "' '", "Sandbox", "SANDBOX", "' sandbox'", "'sandbox '", "\"sand\\tbox\"",
                "\"my\\ncontext\"", "[sandbox]", "{name: sandbox}", "42", "true");
        clusters.forEach(v -> cases.add(new Case("cluster " + v, "cluster", v)));

        List<String> mountPaths = List.of("data", "./data", "/data/../etc", "/a/..", q("/data\n"), "''", "[/data]");
        mountPaths.forEach(v -> cases.add(new Case("mountPath " + v, "mountPath", v)));

        List<String> ciphertexts = List.of("", "v1", "v1::", "v1::abc", "v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==",
                "v1:AAAAAAAAAAAAAAAA", "v1:AAAAAAAAAAAAAAAA:", "v1:AAAAAAAAAAAAAAAA:AAAA", "v1:AA==:AAAAAAAAAAAAAAAAAAAAAA==",
                "v1:!!!!:AAAAAAAAAAAAAAAAAAAAAA==", "v1:AAAAAAAAAAAAAAAA:not base64!", "v1:AAAAAAAAAAAAAAAA:A:B",
                "plaintext");
        ciphertexts.forEach(v -> cases.add(new Case("secure " + q(v), "token", "{secure: " + q(v) + "}")));
        cases.add(new Case("secure number", "token", "{secure: 5}"));
        cases.add(new Case("secure map", "token", "{secure: {a: b}}"));
        cases.add(new Case("secure list", "token", "{secure: [v1]}"));
        return cases.stream();
    }

    static String stack(Map<String, String> values) {
        String text = STACK;
        for (Map.Entry<String, String> slot : DEFAULTS.entrySet()) {
            text = text.replace("<" + slot.getKey() + ">", values.getOrDefault(slot.getKey(), slot.getValue()));
        }
        return text;
    }

    static int lineOf(String slot) {
        List<String> lines = STACK.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("<" + slot + ">")) return i + 1;
        throw new IllegalArgumentException(slot);
    }

    static void write(Path dir, String project, String stack) throws IOException {
        Files.writeString(dir.resolve("Pulumi.yaml"), project);
        Files.createDirectories(dir.resolve("stacks"));
        Files.writeString(dir.resolve(STACK_FILE), stack);
    }

    static final String PROJECT = "name: bad-input\nruntime: java\nstackConfigDir: stacks\n";

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void eachBadValueIsOneClearProblemAtItsLineAndKey(Case c, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, stack(Map.of(c.slot(), c.value())));
        for (String command : List.of("render", "preview")) {
            CliTest.Result r = runBounded(command, "-C", dir.toString(), "--stack", "t");
            assertClearUserError(r, command);
            assertThat(r.err()).as("%s: %s", command, r.err()).contains(STACK_FILE + ":" + lineOf(c.slot()) + ": " + KEYS.get(c.slot()));
        }
    }

    static Stream<Case> validEdgeValues() {
        List<Case> cases = new ArrayList<>();
        List<String> images = List.of("api", "acme/api", "ghcr.io/acme/api", "ghcr.io/acme/api:1.0.0-rc.1",
                "localhost/api", "localhost:5000/api:dev", "registry.example.com:443/team/sub/api:v2",
                "ghcr.io/acme/api@sha256:" + "a".repeat(64), "ghcr.io/acme/api:1.0@sha256:" + "0".repeat(64),
                "my-registry.io/a__b/c.d/e-f:TAG_1", "[::1]:5000/api", "docker.io/library/nginx:1.27-alpine",
                "Registry.Example.COM/api");
        images.forEach(v -> cases.add(new Case("image " + v, "image", q(v))));
        List.of("cluster.local", "corp.example", "a", "k8s-1.internal").forEach(v ->
                cases.add(new Case("clusterDomain " + v, "clusterDomain", v)));
        List.of("fast-ssd", "gp3", "ebs.csi.aws.com", "x".repeat(63)).forEach(v ->
                cases.add(new Case("storageClass " + v, "storageClass", v)));
        List.of("17", "'17'", "'17.4'", "17.0", "'17.4.1'").forEach(v -> cases.add(new Case("version " + v, "version", v)));
        List.of("65536", "1.0", "1e1", "0x10", "+5").forEach(v -> cases.add(new Case("storage " + v, "storage", v)));
        List.of("[1]", "[65535]", "[8080.0]", "[0x1F90]", "[8080, 9090]", "[{name: web, port: 8080}, 9090]",
                "[{port: 8080}]").forEach(v -> cases.add(new Case("ports " + v, "ports", v)));
        List.of("10", "1").forEach(v -> cases.add(new Case("replicas " + v, "replicas", v)));
        List.of("/data", "/var/lib/app", "/a..b").forEach(v -> cases.add(new Case("mountPath " + v, "mountPath", v)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEdgeValues")
    void validEdgeValuesPass(Case c, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, stack(Map.of(c.slot(), c.value())));
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void allProblemsOfAFileAreReportedInOneRun(@TempDir Path dir) throws IOException {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("cluster", "Sandbox");
        bad.put("clusterDomain", "Bad_Domain");
        bad.put("version", "'17.x'");
        bad.put("storage", TWO_TO_64.toString());
        bad.put("storageClass", "'Fast SSD'");
        bad.put("image", "'-foo'");
        bad.put("replicas", "0.5");
        bad.put("ports", "[8080.5]");
        bad.put("token", "{secure: 'v1::'}");
        bad.put("volumeSize", "0");
        bad.put("mountPath", "data");
        write(dir, PROJECT, stack(bad));
        CliTest.Result r = runBounded("preview", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "preview");
        for (String slot : bad.keySet()) assertThat(r.err()).contains(STACK_FILE + ":" + lineOf(slot) + ": " + KEYS.get(slot));
        assertThat(r.err()).contains(bad.size() + " errors");
    }

    static Stream<Case> badProjects() {
        List<Case> cases = new ArrayList<>();
        List.of("nodejs", "python", "go", "dotnet", "yaml", "Java", "' java'", "''", "42", "[java]", "{name: nodejs}",
                "{name: java, bogus: 1}", "{options: {}}").forEach(v -> cases.add(new Case("runtime " + v, "runtime", v)));
        List.of("''", "'a b'", "a/b", "'x:y'", "é", "'" + "x".repeat(101) + "'", "[a]").forEach(v ->
                cases.add(new Case("project name " + v, "name", v)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badProjects")
    void pulumiYamlIsCheckedTheSameWay(Case c, @TempDir Path dir) throws IOException {
        String project = "name: <name>\nruntime: <runtime>\nstackConfigDir: stacks\n"
                .replace("<name>", c.slot().equals("name") ? c.value() : "bad-input")
                .replace("<runtime>", c.slot().equals("runtime") ? c.value() : "java");
        write(dir, project, stack(Map.of()));
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains("Pulumi.yaml:" + (c.slot().equals("name") ? 1 : 2) + ": " + c.slot());
    }

    @ParameterizedTest(name = "stack name [{0}]")
    @MethodSource("badStackNames")
    void stackNamesPulumiRefusesAreRefused(String name, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, stack(Map.of()));
        CliTest.Result r = runBounded("preview", "-C", dir.toString(), "--stack", name);
        assertClearUserError(r, "preview");
        assertThat(r.err()).contains("--stack: ");
    }

    static Stream<String> badStackNames() {
        return Stream.of("", "a b", "../t", "a/b", "-t", "t-", "x".repeat(64), "x".repeat(101), "t:1", "t\n", "ü");
    }

    static Stream<String> notAMapping() {
        return Stream.of("- a\n- b\n", "42\n", "~\n", "just text\n", "true\n", "[config]\n", "'config:'\n");
    }

    @ParameterizedTest
    @MethodSource("notAMapping")
    void aDocumentThatIsNotAMappingIsSaidSo(String text, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, text);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ":1: a stack file must be a YAML mapping with a `config:` key")
                .doesNotContain("declare at least one");
    }

    static Stream<String> withoutConfig() {
        return Stream.of("", "# only a comment\n", "config:\n", "config: ~\n", "encryptionsalt: null\n", "config: [1]\n",
                "config: 5\n", "config: text\n");
    }

    @ParameterizedTest
    @MethodSource("withoutConfig")
    void aStackFileWithoutAConfigMapIsOneProblem(String text, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, text);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ":1: config: ").doesNotContain("declare at least one");
    }

    @Test
    void layersAndAppsWhoseDerivedNamesCollideAreRefused(@TempDir Path dir) throws IOException {
        String layers = """
                config:
                  dbstack:clusterGroups:
                    - {name: one, cluster: sandbox}
                    - {name: two, cluster: sandbox}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: db-headless, type: container, image: api, ports: [80]}
                  dbstack:apps:
                    - {name: a, profile: p, clusterGroup: one}
                    - {name: b, profile: p, clusterGroup: two, virtualCluster: a}
                """;
        write(dir, PROJECT, layers);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ":12: config.dbstack:apps[b].virtualCluster: namespace 'a' of cluster"
                + " 'sandbox' already holds app 'a'");

        write(dir, PROJECT, layers.replace("virtualCluster: a", "virtualCluster: b"));
        r = runBounded("preview", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "preview");
        assertThat(r.err()).contains(STACK_FILE + ":9: config.dbstack:profiles[p].layers[db-headless].name: layer"
                + " 'db-headless' would create Service a/db-headless, which layer 'db' creates too");
        assertThat(r.err()).as("nothing was opened before the answer").doesNotContain("sandbox cluster");
    }

    @Test
    void secureValuesInPulumisFormWorkForPreviewAndRenderWithoutAPassphrase(@TempDir Path dir) throws IOException {
        PassphraseCrypter crypter = PassphraseCrypter.create("the passphrase");
        String text = "encryptionsalt: " + q(crypter.encryptionSalt()) + "\n"
                + stack(Map.of("token", "{secure: " + q(crypter.encrypt("s3cret-token")) + "}"));
        write(dir, PROJECT, text);
        for (String command : List.of("render", "preview")) {
            CliTest.Result r = runBounded(command, "-C", dir.toString(), "--stack", "t");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out() + r.err()).doesNotContain("s3cret-token");
        }
    }

    static Stream<String> badSalts() {
        return Stream.of("''", "v1", "v1:", "v1::", "v1:c2FsdA==", "v1:c2FsdA==:", "v1:c2FsdA==:v1:AA==:AA==",
                "v1:!!!:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==", "v2:c2FsdA==:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==",
                "v1:=:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==", "42", "[v1]", "{a: b}");
    }

    @ParameterizedTest
    @MethodSource("badSalts")
    void malformedEncryptionSaltsAreNamed(String salt, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, "encryptionsalt: " + (salt.matches("[\\[{'0-9].*") ? salt : q(salt)) + "\n" + stack(Map.of()));
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ":1: encryptionsalt: ");
    }

    @Test
    void aStateDirectoryThatCannotBeWrittenIsAFaultSaidInWordsAndTheNextRunConverges(@TempDir Path dir) throws IOException {
        write(dir, PROJECT, stack(Map.of()));
        Path journal = dir.resolve(".dbstack/stacks/t/journal.jsonl");
        Files.createDirectories(journal.getParent());
        // A dangling link: reading state sees no journal, every write to it fails as on a vanished disk.
        Files.createSymbolicLink(journal, dir.resolve("gone/journal.jsonl"));

        CliTest.Result failed = runBounded("up", "--yes", "-C", dir.toString(), "--stack", "t");
        assertThat(failed.exit()).as(failed.err()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(failed.err()).contains("error: cannot record state in " + journal.getParent() + ": no such file or directory")
                .contains("run the command again").doesNotContain("Exception").doesNotContain("internal error");

        Files.delete(journal);
        CliTest.Result up = runBounded("up", "--yes", "-C", dir.toString(), "--stack", "t");
        assertThat(up.exit()).as(up.err()).isZero();
        CliTest.Result again = runBounded("preview", "-C", dir.toString(), "--stack", "t");
        assertThat(again.out()).contains("No changes");
    }

    @Test
    void aKubeconfigContextThatDoesNotExistIsNamedBeforeAnythingConnects(@TempDir Path dir) throws Exception {
        write(dir, PROJECT, stack(Map.of("cluster", "no-such-context")));
        Path kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), "https://127.0.0.1:1", "other");
        Kubeconfig.using(kubeconfig, () -> {
            CliTest.Result r = runBounded("preview", "-C", dir.toString(), "--stack", "t");
            assertClearUserError(r, "preview");
            assertThat(r.err()).contains(STACK_FILE + ":3: config.dbstack:clusterGroups[dev].cluster: kubeconfig has no"
                    + " context 'no-such-context' (contexts: other in " + kubeconfig + ")");
        });
    }

    static CliTest.Result runBounded(String... args) {
        Map<String, String> env = System.getenv();
        assertThat(env.get("DBSTACK_CONFIG_PASSPHRASE")).as("tests run without a passphrase in the environment").isNull();
        return assertTimeoutPreemptively(ANSWER_WITHIN, () -> CliTest.run(args));
    }

    static void assertClearUserError(CliTest.Result r, String command) {
        assertThat(r.exit()).as("%s exit code; stderr: %s", command, r.err()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).as(command).startsWith("error: ")
                .doesNotContain("Exception").doesNotContain("internal error").doesNotContainPattern("\\b(java|javax|sun|org|com)\\.[a-z]+\\.")
                .doesNotContain("\tat ");
    }

    /** A whole file, as bytes, written where {@code file} says, and the line its one problem must name (0: the file). */
    record BrokenFile(String name, String file, byte[] bytes, int line) {
        @Override
        public String toString() {
            return name;
        }

        static BrokenFile of(String name, String file, String text, int line) {
            return new BrokenFile(name, file, text.getBytes(StandardCharsets.UTF_8), line);
        }
    }

    static String layers(String... yaml) {
        return "config:\n  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]\n  dbstack:profiles:\n    - name: p\n"
                + "      layers:\n" + String.join("", yaml) + "  dbstack:apps: [{name: a, profile: p}]\n";
    }

    static Stream<BrokenFile> brokenFiles() {
        String valid = stack(Map.of());
        List<BrokenFile> files = new ArrayList<>();
        byte[] latin1 = valid.replace("plain", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        files.add(new BrokenFile("Latin-1 bytes", STACK_FILE, latin1, lineOf("token")));
        files.add(new BrokenFile("gzip", STACK_FILE, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0}, 0));
        files.add(new BrokenFile("ELF", STACK_FILE, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0));
        files.add(new BrokenFile("UTF-16", STACK_FILE, ("\uFEFF" + valid).getBytes(StandardCharsets.UTF_16), 0));
        files.add(BrokenFile.of("a BOM in the middle", STACK_FILE, valid.replace("plain", "pl\uFEFFain"), lineOf("token")));
        files.add(BrokenFile.of("NUL byte", STACK_FILE, valid.replace("plain", "pl\u0000ain"), 0));
        files.add(BrokenFile.of("alias to nothing", STACK_FILE, valid.replace("storage: 1\n", "storage: *size\n"), lineOf("storage")));
        files.add(BrokenFile.of("recursive alias", STACK_FILE, valid.replace("ports: [8080]", "ports: &p [*p]"), lineOf("ports")));
        files.add(BrokenFile.of("!!binary", STACK_FILE, valid.replace("TOKEN: plain", "TOKEN: !!binary cGxhaW4="), lineOf("token")));
        files.add(BrokenFile.of("custom tag", STACK_FILE, valid.replace("TOKEN: plain", "TOKEN: !vault plain"), lineOf("token")));
        files.add(BrokenFile.of("two documents", STACK_FILE, valid + "---\nconfig: {}\n", 0));
        files.add(BrokenFile.of("a map as a key", STACK_FILE, valid.replace("TOKEN: plain", "TOKEN: plain\n            ? {a: 1}\n            : x"), 0));
        StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            laughs.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(9))
                    .append('*').append((char) (c - 1)).append("]\n");
        }
        files.add(BrokenFile.of("billion laughs", STACK_FILE, laughs + valid, 0));
        files.add(BrokenFile.of("nesting 10,000 deep", STACK_FILE, "config: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n", 1));
        files.add(BrokenFile.of("5 MB", STACK_FILE, valid + "# " + "x".repeat(5 << 20) + "\n", 0));
        StringBuilder tangle = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            List<String> others = new ArrayList<>();
            for (int j = 0; j < 12; j++) if (j != i) others.add("c" + j);
            tangle.append("        - {name: c").append(i).append(", type: container, image: api, dependsOn: [")
                    .append(String.join(", ", others)).append("]}\n");
        }
        files.add(BrokenFile.of("12 layers all depending on each other", STACK_FILE, layers(tangle.toString()), 0));
        files.add(BrokenFile.of("a reference split across lines", STACK_FILE, valid.replace("TOKEN: plain",
                "TOKEN: \"{{.spectro.app.$appDeploymentName.\n              db.PASSWORD}}\""), lineOf("token")));
        files.add(BrokenFile.of("unbalanced braces", STACK_FILE, valid.replace("TOKEN: plain",
                "TOKEN: \"{{.spectro.app.$appDeploymentName.db.PASSWORD}\""), lineOf("token")));
        files.add(BrokenFile.of("a reference inside a reference", STACK_FILE, valid.replace("TOKEN: plain",
                "TOKEN: \"{{.spectro.app.{{.spectro.app.a.db.USERNAME}}.db.PASSWORD}}\""), lineOf("token")));
        for (String slot : List.of("image", "storageClass", "mountPath", "version", "cluster", "clusterDomain")) {
            files.add(BrokenFile.of("a reference in " + slot, STACK_FILE,
                    stack(Map.of(slot, "\"{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}\"")), lineOf(slot)));
        }
        files.add(BrokenFile.of("Pulumi.yaml that is a list", "Pulumi.yaml", "- name\n- runtime\n", 1));
        files.add(BrokenFile.of("Pulumi.yaml in Latin-1", "Pulumi.yaml",
                new String(PROJECT.replace("bad-input", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1), 0));
        files.add(new BrokenFile("Pulumi.yaml in Latin-1 bytes", "Pulumi.yaml",
                ("description: caf\u00e9\n" + PROJECT).getBytes(StandardCharsets.ISO_8859_1), 1));
        files.add(BrokenFile.of("Pulumi.yaml with a tag", "Pulumi.yaml", PROJECT.replace("runtime: java", "runtime: !!binary amF2YQ=="), 2));
        files.add(BrokenFile.of("catalog file with an unknown key", "components/keyvalue.yaml", "type: keyvalue\nimagee: x\n", 2));
        files.add(new BrokenFile("catalog file that is binary", "components/keyvalue.yaml", new byte[] {0x1f, (byte) 0x8b, 8, 0}, 0));
        files.add(BrokenFile.of("catalog file with a wrong type deep inside", "components/redis.yaml",
                "type: redis\ntitle: Redis\nport: {name: redis, number: lots}\n", 3));
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void eachBrokenFileIsOneClearProblem(BrokenFile broken, @TempDir Path dir) throws IOException {
        write(dir, PROJECT, stack(Map.of()));
        Path file = dir.resolve(broken.file());
        Files.createDirectories(file.getParent());
        Files.write(file, broken.bytes());
        for (String command : List.of("render", "preview")) {
            CliTest.Result r = runBounded(command, "-C", dir.toString(), "--stack", "t");
            assertClearUserError(r, command);
            String where = broken.file() + (broken.line() > 0 ? ":" + broken.line() + ": " : "");
            assertThat(r.err()).as(command).contains("error: " + where);
            assertThat(r.err().length()).as("a bounded answer, not the input echoed").isLessThan(16_000);
        }
    }

    @Test
    void aStackFileThatIsADirectoryOrANamedPipeIsAnsweredWithoutReadingIt(@TempDir Path dir) throws Exception {
        write(dir, PROJECT, stack(Map.of()));
        Path file = dir.resolve(STACK_FILE);
        Files.delete(file);
        Files.createDirectory(file);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ": is a directory");

        Files.delete(file);
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo (coreutils) makes the pipe").isZero();
        r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertClearUserError(r, "render");
        assertThat(r.err()).contains(STACK_FILE + ": is not a regular file");
    }

    @Test
    void anchorsAliasesMergeKeysAndJsonAreOrdinaryYaml(@TempDir Path dir) throws IOException {
        write(dir, PROJECT, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgresql, storage: &size 3, resources: &res {cpu: 250m, memory: 512Mi}}
                        - {name: cache, type: redis, storage: *size, resources: {<<: *res, cpu: 500m}}
                  dbstack:apps: [{name: a, profile: p}]
                """);
        CliTest.Result r = runBounded("render", "-C", dir.toString(), "--stack", "t");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("storage: 3Gi").contains("cpu: 500m").doesNotContain("size");

        write(dir, PROJECT, "{\n\t\"config\": {\n\t\t\"dbstack:clusterGroups\": [{\"name\": \"dev\", \"cluster\": \"sandbox\"}],\n"
                + "\t\t\"dbstack:profiles\": [{\"name\": \"p\", \"layers\": [{\"name\": \"db\", \"type\": \"redis\", \"storage\": 1}]}],\n"
                + "\t\t\"dbstack:apps\": [{\"name\": \"a\", \"profile\": \"p\"}]\n\t}\n}\n");
        r = runBounded("preview", "-C", dir.toString(), "--stack", "t");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("+ create StatefulSet a/db");
    }
}
