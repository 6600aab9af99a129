package dev.dbstack.cli;

import dev.dbstack.engine.Engine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stack file's encryptionsalt and the salt state's credentials were written with: how `up`
 * adds one to files of every shape, reads it as YAML, and keeps credentials readable when the
 * line is removed or changed after the first `up` — never with new credentials.
 */
class StackSaltTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILE = "stacks/Pulumi.test.yaml";
    /** One database (a generated credential in state) and nothing else: quick to apply. */
    private static final String STACK = """
            # a stack for the salt tests
            config:
              dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: db, type: postgresql, storage: 1}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result cli(Path dir, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "-C", dir.toString(), "--stack", TestProject.STACK));
        if (command.equals("up")) args.add("--yes");
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    private static String stackFile(Path dir) {
        return read(dir.resolve(FILE));
    }

    private static void writeStackFile(Path dir, String text) {
        try {
            Files.writeString(dir.resolve(FILE), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path stateFile(Path dir) {
        return dir.resolve(".dbstack/stacks/test/state.json");
    }

    private static JsonNode stateEntries(Path dir) {
        try {
            return JSON.readTree(stateFile(dir).toFile()).get("entries");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stateSalt(Path dir) {
        JsonNode salt = stateEntries(dir).get("secrets:encryptionsalt");
        return salt == null ? null : salt.asText();
    }

    private static Map<String, String> stateCredentials(Path dir) {
        Map<String, String> out = new TreeMap<>();
        stateEntries(dir).fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("credential:")) out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    /** State as dbstack wrote it before it recorded the salt. */
    private static void makeLegacy(Path dir) throws IOException {
        JsonNode root = JSON.readTree(stateFile(dir).toFile());
        ((ObjectNode) root.get("entries")).remove("secrets:encryptionsalt");
        JSON.writerWithDefaultPrettyPrinter().writeValue(stateFile(dir).toFile(), root);
        assertThat(stateSalt(dir)).isNull();
    }

    /** The value the cluster holds in a Secret's key (what the database was initialised with). */
    private static String secretValue(Path dir, String name, String key) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            String b64 = s.client().secrets().inNamespace("a").withName(name).get().getData().get(key);
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        }
    }

    private static String salt(String stackText) {
        return stackText.lines().filter(l -> l.contains("encryptionsalt")).findFirst().orElseThrow();
    }

    /** After a successful `up`: preview reads the stack, a second `up` has nothing to do, and neither touches the file. */
    private static void assertStable(Path dir) {
        String file = stackFile(dir);
        CliTest.Result preview = cli(dir, "preview");
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("No changes.");
        CliTest.Result again = cli(dir, "up");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("No changes. The cluster matches stack test.");
        assertThat(stackFile(dir)).isEqualTo(file);
    }

    private static CliTest.Result up(Path dir) {
        CliTest.Result up = cli(dir, "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        return up;
    }

    @Test
    void aFileWithoutFinalNewlineEndingInACommentGetsTheSaltOnItsOwnLine(@TempDir Path dir) {
        String original = STACK + "# the end, no final newline";
        TestProject.create(dir, original);

        up(dir);

        String salt = stateSalt(dir);
        assertThat(salt).startsWith("v1:");
        assertThat(stackFile(dir)).isEqualTo(original + "\nencryptionsalt: " + salt + "\n");
        assertStable(dir);
    }

    @Test
    void aJsonStackFileStaysJson(@TempDir Path dir) throws IOException {
        String original = """
                {
                  "config": {
                    "dbstack:clusterGroups": [{"name": "dev", "cluster": "sandbox"}],
                    "dbstack:profiles": [{"name": "p", "layers": [{"name": "db", "type": "postgresql", "storage": 1}]}],
                    "dbstack:apps": [{"name": "a", "profile": "p"}]
                  }
                }""";
        TestProject.create(dir, original);

        up(dir);

        JsonNode json = JSON.readTree(stackFile(dir));
        assertThat(json.get("encryptionsalt").asText()).isEqualTo(stateSalt(dir));
        assertThat(json.get("config")).isEqualTo(JSON.readTree(original).get("config"));
        assertStable(dir);
    }

    /** Valid YAML spellings of an existing salt: read as YAML, used as is, the file left alone. */
    @ParameterizedTest
    @ValueSource(strings = {"\"encryptionsalt\": %s", "encryptionsalt: \"%s\"", "encryptionsalt: '%s'",
            "encryptionsalt: %s   # written by pulumi"})
    void anExistingSaltIsReadAsYaml(String line, @TempDir Path dir) {
        String salt = PassphraseCrypter.create(Engine.SANDBOX_PASSPHRASE).encryptionSalt();
        String original = line.formatted(salt) + "\n" + STACK;
        TestProject.create(dir, original);

        up(dir);

        assertThat(stackFile(dir)).isEqualTo(original);
        assertThat(stateSalt(dir)).isEqualTo(salt);
        assertStable(dir);
    }

    @Test
    void aRemovedSaltIsWrittenBackFromStateWithTheSameCredentials(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        up(dir);
        String withSalt = stackFile(dir);
        Map<String, String> credentials = stateCredentials(dir);
        String outputs = cli(dir, "outputs", "--show-secrets").out();
        assertThat(credentials).containsOnlyKeys("credential:a/db/password");
        project.edit(TestProject.STACK, salt(withSalt) + "\n", ""); // e.g. a git checkout of the file as it was

        CliTest.Result preview = cli(dir, "preview");
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("No changes.");
        assertThat(preview.err()).contains("warning: " + FILE + " has no encryptionsalt; using the one this stack's state was"
                + " written with; the next `up` writes it back");
        assertThat(stackFile(dir)).doesNotContain("encryptionsalt");

        CliTest.Result restored = up(dir);
        assertThat(restored.out()).contains("No changes.");
        assertThat(restored.err()).contains("warning: " + FILE + " had no encryptionsalt; wrote back the one this stack's"
                + " state was written with");
        assertThat(stackFile(dir)).isEqualTo(withSalt);
        assertThat(stateCredentials(dir)).isEqualTo(credentials);
        assertThat(cli(dir, "outputs", "--show-secrets").out()).isEqualTo(outputs);
        assertStable(dir);
    }

    @Test
    void aReplacedSaltLeavesStateReadable(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        up(dir);
        String first = stateSalt(dir);
        String password = secretValue(dir, "db-credentials", "PASSWORD");
        String other = PassphraseCrypter.create(Engine.SANDBOX_PASSPHRASE).encryptionSalt();
        project.edit(TestProject.STACK, first, other);

        CliTest.Result again = up(dir);

        assertThat(again.out()).contains("No changes.");
        assertThat(stateSalt(dir)).isEqualTo(first);
        assertThat(salt(stackFile(dir))).isEqualTo("encryptionsalt: " + other);
        assertThat(secretValue(dir, "db-credentials", "PASSWORD")).isEqualTo(password);
        assertStable(dir);
    }

    @Test
    void legacyStateAdoptsTheStackFilesSaltWhenItOpensTheCredentials(@TempDir Path dir) throws IOException {
        TestProject.create(dir, STACK);
        up(dir);
        String salt = stateSalt(dir);
        Map<String, String> credentials = stateCredentials(dir);
        makeLegacy(dir);

        CliTest.Result again = up(dir);

        assertThat(again.out()).contains("No changes.");
        assertThat(stateSalt(dir)).isEqualTo(salt);
        assertThat(stateCredentials(dir)).isEqualTo(credentials);
        assertStable(dir);
    }

    @Test
    void legacyStateWithAnotherSaltInTheFileIsOneClearErrorUntilTheLineIsRestored(@TempDir Path dir) throws IOException {
        TestProject project = TestProject.create(dir, STACK);
        up(dir);
        String original = stateSalt(dir);
        String password = secretValue(dir, "db-credentials", "PASSWORD");
        makeLegacy(dir);
        String other = PassphraseCrypter.create(Engine.SANDBOX_PASSPHRASE).encryptionSalt();
        project.edit(TestProject.STACK, original, other);
        String fileBefore = stackFile(dir);
        String stateBefore = read(stateFile(dir));
        int line = (int) fileBefore.lines().takeWhile(l -> !l.startsWith("encryptionsalt")).count() + 1;
        String expected = "error: " + FILE + ":" + line + ": encryptionsalt: is not the salt this stack's state was written"
                + " with: the credentials in .dbstack/stacks/test do not open with it (the line was changed after the first"
                + " `up`, e.g. by a git checkout). Restore the original line (`git log -p -S encryptionsalt -- " + FILE
                + "` shows every value it had) and run again. dbstack does not generate new credentials for databases that"
                + " hold data; if that salt is lost, see \"State, secrets and the lock\" in the README for the last resort\n";

        for (String command : List.of("up", "preview")) {
            CliTest.Result refused = cli(dir, command);
            assertThat(refused.exit()).as(command).isEqualTo(2);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).endsWith(expected).doesNotContain("Exception");
        }
        assertThat(stackFile(dir)).isEqualTo(fileBefore);
        assertThat(read(stateFile(dir))).isEqualTo(stateBefore);

        project.edit(TestProject.STACK, other, original);
        assertThat(up(dir).out()).contains("No changes.");
        assertThat(stateSalt(dir)).isEqualTo(original);
        assertThat(secretValue(dir, "db-credentials", "PASSWORD")).isEqualTo(password);
        assertStable(dir);
    }

    /**
     * What older versions left: the salt glued onto a last comment line without a newline (lost to
     * YAML), then another appended by the next `up`. The error points at the line that holds it.
     */
    @Test
    void legacyStateWithItsSaltGluedIntoACommentIsToldWhereItIs(@TempDir Path dir) throws IOException {
        TestProject.create(dir, STACK);
        up(dir);
        String original = stateSalt(dir);
        makeLegacy(dir);
        String appendedLater = PassphraseCrypter.create(Engine.SANDBOX_PASSPHRASE).encryptionSalt();
        writeStackFile(dir, STACK + "# the endencryptionsalt: " + original + "\nencryptionsalt: " + appendedLater + "\n");

        CliTest.Result refused = cli(dir, "up");

        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).endsWith("error: " + FILE + ":10: encryptionsalt: is not the salt this stack's state was"
                + " written with: the credentials in .dbstack/stacks/test do not open with it (the line was changed after the"
                + " first `up`, e.g. by a git checkout). Line 9 holds it outside YAML (an older dbstack appended it to a last"
                + " line that had no final newline, e.g. a comment): make that value the file's only `encryptionsalt:` line"
                + " and run again\n");

        writeStackFile(dir, STACK + "# the end\nencryptionsalt: " + original + "\n");
        assertThat(up(dir).out()).contains("No changes.");
        assertThat(stateSalt(dir)).isEqualTo(original);
        assertStable(dir);
    }

    @Test
    void legacyStateWhoseStackFileLostItsSaltGetsNoNewOne(@TempDir Path dir) throws IOException {
        TestProject project = TestProject.create(dir, STACK);
        up(dir);
        String withSalt = stackFile(dir);
        makeLegacy(dir);
        project.edit(TestProject.STACK, salt(withSalt) + "\n", "");
        String stateBefore = read(stateFile(dir));

        CliTest.Result refused = cli(dir, "up");

        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).endsWith("error: " + FILE + ": encryptionsalt: missing, but this stack's state"
                + " (.dbstack/stacks/test) holds credentials encrypted with the salt this file had at its first `up`. Restore"
                + " the original line (`git log -p -S encryptionsalt -- " + FILE + "` shows every value it had) and run"
                + " again. dbstack does not generate new credentials for databases that hold data; if that salt is lost, see"
                + " \"State, secrets and the lock\" in the README for the last resort\n");
        assertThat(stackFile(dir)).doesNotContain("encryptionsalt");
        assertThat(read(stateFile(dir))).isEqualTo(stateBefore);
    }

    @Test
    void aStackFileThatCannotTakeTheSaltSafelyIsRefusedAndLeftAlone(@TempDir Path dir) {
        // Another tool's setting last, a keep-chomped block scalar with no final newline: a line appended after it
        // would change its value, so the edit is refused rather than written.
        TestProject.create(dir, STACK + "  other:motd: |+\n    hello");
        String before = stackFile(dir);

        CliTest.Result refused = cli(dir, "up");

        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("error: " + FILE + ": encryptionsalt: cannot add this stack's encryptionsalt to the"
                + " file: its layout is one dbstack cannot edit without risk. Nothing was changed; add the top-level line"
                + " encryptionsalt: v1:").doesNotContain("Exception");
        assertThat(stackFile(dir)).isEqualTo(before);
        assertThat(Files.exists(stateFile(dir))).isFalse();
    }

    @Test
    void anEmptyOrMalformedSaltIsOneMessageAtItsLine(@TempDir Path dir) {
        TestProject.create(dir, STACK + "encryptionsalt:   # lost in a merge\n");
        CliTest.Result empty = cli(dir, "preview");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).isEqualTo("error: " + FILE + ":9: encryptionsalt: is empty: give it the salt it held (`git log"
                + " -p -S encryptionsalt -- " + FILE + "` shows earlier values) or delete the line; then `up` writes back the"
                + " salt this stack's state was written with, or a new one for a stack never deployed\n");

        writeStackFile(dir, "encryptionsalt: \"v1:not-a-salt\"  # hand-edited\n" + STACK);
        for (String command : List.of("preview", "up", "render")) {
            CliTest.Result malformed = cli(dir, command);
            assertThat(malformed.exit()).as(command).isEqualTo(2);
            assertThat(malformed.err()).isEqualTo("error: " + FILE + ":1: encryptionsalt: is not a salt in Pulumi's"
                    + " v1:<salt>:<verifier> form\n");
        }
    }

    // ---- with a passphrase: a real process, since the CLI reads it from the environment ----------------------

    private static CliTest.Result process(Path dir, String passphrase, String command, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), command, "-C", dir.toString(),
                "--stack", TestProject.STACK));
        if (command.equals("up")) cmd.add("--yes");
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
        pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", passphrase);
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = pb.redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String errText = Files.readString(err);
        Files.delete(err);
        return new CliTest.Result(p.exitValue(), out, errText);
    }

    private static String withSecrets(String salt, String token) {
        return """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          env:
                            TOKEN: {secure: "%s"}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(salt, token);
    }

    @Test
    void secureValuesUseTheFilesSaltWhileStateKeepsItsOwn(@TempDir Path dir) throws Exception {
        PassphraseCrypter first = PassphraseCrypter.create("pw");
        TestProject.create(dir, withSecrets(first.encryptionSalt(), first.encrypt("token-1")));
        CliTest.Result up = process(dir, "pw", "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        String password = secretValue(dir, "db-credentials", "PASSWORD");
        assertThat(secretValue(dir, "api-env", "TOKEN")).isEqualTo("token-1");

        // Another salt in the file (e.g. `pulumi stack change-secrets-provider`), its secure: values sealed with it.
        PassphraseCrypter second = PassphraseCrypter.create("pw");
        writeStackFile(dir, withSecrets(second.encryptionSalt(), second.encrypt("token-2")));
        CliTest.Result changed = process(dir, "pw", "up");
        assertThat(changed.exit()).as(changed.out() + changed.err()).isZero();
        assertThat(changed.out()).contains("Secret a/api-env").doesNotContain("a/db-credentials");
        assertThat(secretValue(dir, "api-env", "TOKEN")).isEqualTo("token-2");
        assertThat(secretValue(dir, "db-credentials", "PASSWORD")).isEqualTo(password);
        assertThat(stateSalt(dir)).isEqualTo(first.encryptionSalt());
        // The next run reads the stack as it stands: nothing to do (a second `up` plans the same way: see the tests above).
        CliTest.Result preview = process(dir, "pw", "preview");
        assertThat(preview.exit()).isZero();
        assertThat(preview.out()).contains("No changes.");

        // Without the passphrase state's salt does not open: an error naming state that says none is set.
        CliTest.Result wrong = cli(dir, "preview");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.err()).endsWith("error: .dbstack/stacks/test: encryptionsalt: this stack's secrets are sealed"
                + " with a passphrase and none is set: set DBSTACK_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE)\n");
    }

    /**
     * The key is derived when a secret is first opened, not when the run starts: each command that opens one
     * still refuses a wrong passphrase with exit 2, before it shows a plan or writes anything anywhere.
     */
    @Test
    void aWrongPassphraseIsRefusedByEveryCommandThatOpensASecretBeforeItWritesAnything(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK);
        CliTest.Result up = process(dir, "right", "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        CliTest.Result saved = process(dir, "right", "preview", "--out", dir.resolve("plan.json").toString());
        assertThat(saved.exit()).as(saved.out() + saved.err()).isZero();
        String file = stackFile(dir);
        String state = read(stateFile(dir));
        String password = secretValue(dir, "db-credentials", "PASSWORD");
        int line = (int) file.lines().takeWhile(l -> !l.startsWith("encryptionsalt")).count() + 1;
        String expected = "error: " + FILE + ":" + line + ": encryptionsalt: incorrect passphrase: DBSTACK_CONFIG_PASSPHRASE"
                + " (or PULUMI_CONFIG_PASSPHRASE) does not open this stack's secrets\n";

        List<List<String>> commands = List.of(List.of("up"), List.of("preview"),
                List.of("preview", "--out", dir.resolve("other.json").toString()), List.of("up", dir.resolve("plan.json").toString()),
                List.of("render", "--show-secrets"), List.of("outputs", "--show-secrets"));
        for (List<String> command : commands) {
            CliTest.Result refused = process(dir, "wrong", command.get(0), command.subList(1, command.size()).toArray(String[]::new));
            assertThat(refused.exit()).as(command + ": " + refused.err()).isEqualTo(2);
            assertThat(refused.out()).as(command.toString()).isEmpty();
            assertThat(refused.err()).as(command.toString()).endsWith(expected).doesNotContain("Exception");
        }
        assertThat(dir.resolve("other.json")).doesNotExist();
        assertThat(stackFile(dir)).isEqualTo(file);
        assertThat(read(stateFile(dir))).isEqualTo(state);
        assertThat(secretValue(dir, "db-credentials", "PASSWORD")).isEqualTo(password);

        // Reading the cluster against state opens no secret, so it needs no key (and takes none).
        CliTest.Result refresh = process(dir, "wrong", "refresh");
        assertThat(refresh.exit()).as(refresh.err()).isZero();
        assertThat(read(stateFile(dir))).isEqualTo(state);
        // The plan saved with the right passphrase was not spent by the refused run.
        CliTest.Result applied = process(dir, "right", "up", dir.resolve("plan.json").toString());
        assertThat(applied.exit()).as(applied.out() + applied.err()).isZero();
    }

    /**
     * README's last resort for legacy state whose salt is lost: supply the passwords the databases
     * have as secure: values, set state aside, `up`. (The empty passphrase, set explicitly, so that
     * only the runs that decrypt secure: values need a process of their own.)
     */
    @Test
    void theDocumentedLastResortKeepsTheDatabasesPasswords(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK);
        up(dir);
        String password = secretValue(dir, "db-credentials", "PASSWORD");
        makeLegacy(dir);
        PassphraseCrypter now = PassphraseCrypter.create(Engine.SANDBOX_PASSPHRASE);
        String stack = "encryptionsalt: " + now.encryptionSalt() + "\n" + STACK;
        writeStackFile(dir, stack);
        assertThat(cli(dir, "up").err()).contains("is not the salt this stack's state was written with");

        writeStackFile(dir, stack.replace("{name: db, type: postgresql, storage: 1}",
                "{name: db, type: postgresql, storage: 1, password: {secure: \"" + now.encrypt(password) + "\"}}"));
        Files.move(dir.resolve(".dbstack/stacks/test"), dir.resolve(".dbstack/stacks/test.lost"));
        CliTest.Result recovered = process(dir, Engine.SANDBOX_PASSPHRASE, "up");

        assertThat(recovered.exit()).as(recovered.out() + recovered.err()).isZero();
        assertThat(recovered.out()).contains("No changes.");
        assertThat(secretValue(dir, "db-credentials", "PASSWORD")).isEqualTo(password);
        assertThat(stateSalt(dir)).isEqualTo(now.encryptionSalt());
        CliTest.Result preview = process(dir, Engine.SANDBOX_PASSPHRASE, "preview");
        assertThat(preview.exit()).isZero();
        assertThat(preview.out()).contains("No changes.");
    }
}
