package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.BackendUrl;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.StackState;
import dev.dbstack.state.StateStore;
import dev.dbstack.testing.TestProject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbstack state export / import}: a stack moved between backends, and every document refused. */
class StateExportImportTest {
    static final String STACK = TestProject.STACK;
    static final String K8S = "kubernetes://sandbox/dbstack-moved";

    static CliTest.Result run(Path dir, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 4);
        System.arraycopy(new String[] {"-C", dir.toString(), "--stack", STACK}, 0, all, args.length, 4);
        return CliTest.run(all);
    }

    static CliTest.Result ok(Path dir, String... args) {
        CliTest.Result r = run(dir, args);
        assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
        return r;
    }

    /** Points the fixture's Pulumi.yaml at {@code url} (or at no backend: the default file://). */
    static void backend(Path dir, String url) throws Exception {
        Files.writeString(dir.resolve("Pulumi.yaml"), "name: test-project\nruntime: java\nstackConfigDir: stacks\n"
                + (url == null ? "" : "backend:\n  url: " + url + "\n"));
    }

    static Map<String, JsonNode> fileState(Path root) {
        return new StateStore(StackState.directory(root, STACK)).load().entries();
    }

    static StateStore.State kubernetesState(Path dir, String url) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return new KubernetesBackend(s.client(), BackendUrl.parse(url), "test-project", STACK).load();
        }
    }

    static String headVersion(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return s.client().secrets().inNamespace("dbstack-moved").withName(KubernetesBackend.baseName("test-project", STACK))
                    .get().getMetadata().getResourceVersion();
        }
    }

    /** After a move: the plan is empty and up writes nothing to the cluster. */
    static void converged(Path dir) {
        assertThat(ok(dir, "preview").out()).contains("No changes");
        CliTest.Result up = ok(dir, "-v", "up", "--yes");
        assertThat(up.out()).contains("No changes");
    }

    @Test
    void aStackMovesFromFileToKubernetesAndBack(@TempDir Path dir) throws Exception {
        TestProject.create(dir, CiOutputTest.FIXTURE);
        ok(dir, "up", "--yes");
        Map<String, JsonNode> applied = fileState(dir);
        assertThat(applied).isNotEmpty();

        Path exported = dir.resolve("state-export.json");
        CliTest.Result export = ok(dir, "state", "export", "--file", exported.toString());
        assertThat(export.err()).contains("Exported the state of stack test").contains(".dbstack/stacks/test");
        JsonNode doc = new ObjectMapper().readTree(exported.toFile());
        assertThat(doc.path("kind").asText()).isEqualTo("dbstack-state");
        assertThat(doc.path("format").asInt()).isEqualTo(1);
        assertThat(doc.path("project").asText()).isEqualTo("test-project");
        assertThat(doc.path("stack").asText()).isEqualTo(STACK);
        assertThat(doc.path("sha256").asText()).startsWith("sha256:");
        assertThat(new ObjectMapper().convertValue(doc.path("entries"), Map.class)).isEqualTo(
                new ObjectMapper().convertValue(applied, Map.class));
        // credentials exactly as state has them: the ciphertext, never the password
        String credential = applied.entrySet().stream().filter(e -> e.getKey().startsWith("credential:")).findFirst()
                .orElseThrow().getValue().asText();
        assertThat(doc.path("entries").path(applied.keySet().stream().filter(k -> k.startsWith("credential:")).findFirst()
                .orElseThrow()).asText()).isEqualTo(credential);

        // file -> kubernetes
        backend(dir, K8S);
        CliTest.Result imported = ok(dir, "state", "import", "--file", exported.toString());
        assertThat(imported.out()).contains("Imported the state of stack test").contains(K8S);
        StateStore.State inSecrets = kubernetesState(dir, K8S);
        assertThat(inSecrets.entries()).isEqualTo(applied);
        assertThat(inSecrets.serial()).isEqualTo(doc.path("serial").asLong());
        String head = headVersion(dir);
        converged(dir);
        assertThat(headVersion(dir)).as("up recorded nothing: no new snapshot").isEqualTo(head);

        // kubernetes -> file (a directory of its own, so the target starts empty)
        Path back = dir.resolve("back.json");
        ok(dir, "state", "export", "--file", back.toString());
        backend(dir, "file://moved-back");
        ok(dir, "state", "import", "--file", back.toString());
        assertThat(fileState(dir.resolve("moved-back"))).isEqualTo(applied);
        byte[] snapshot = Files.readAllBytes(StackState.directory(dir.resolve("moved-back"), STACK).resolve("state.json"));
        converged(dir);
        assertThat(Files.readAllBytes(StackState.directory(dir.resolve("moved-back"), STACK).resolve("state.json")))
                .isEqualTo(snapshot);
        assertThat(Files.exists(StackState.directory(dir.resolve("moved-back"), STACK).resolve("journal.jsonl"))).isFalse();
    }

    @Test
    void exportToStandardOutputImportsFromStandardInput(@TempDir Path dir) throws Exception {
        TestProject.create(dir, CiOutputTest.FIXTURE);
        ok(dir, "up", "--yes");
        CliTest.Result export = ok(dir, "state", "export");
        assertThat(export.out()).startsWith("{").contains("\"kind\" : \"dbstack-state\"");
        backend(dir, K8S);
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(export.out().getBytes(StandardCharsets.UTF_8)));
            ok(dir, "state", "import", "--file", "-");
        } finally {
            System.setIn(in);
        }
        assertThat(kubernetesState(dir, K8S).entries()).isEqualTo(fileState(dir));
        converged(dir);
    }

    @Test
    void everyBadDocumentAndAnOccupiedTargetAreRefusedWritingNothing(@TempDir Path dir) throws Exception {
        TestProject.create(dir, CiOutputTest.FIXTURE);
        ok(dir, "up", "--yes");
        Path good = dir.resolve("good.json");
        ok(dir, "state", "export", "--file", good.toString());
        String text = Files.readString(good);
        Path stateDir = StackState.directory(dir, STACK);
        byte[] before = Files.readAllBytes(stateDir.resolve("state.json"));

        Path bad = dir.resolve("bad.json");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(text.substring(0, text.length() / 2), "it is not complete JSON (truncated or corrupt");
        cases.put(text.replaceFirst("\"serial\" : (\\d+)", "\"serial\" : 999"), "does not match its checksum");
        cases.put(text.replaceFirst("\"credential:[^\"]*\" : \"", "$0x"), "does not match its checksum");
        cases.put(text.replace("\"sha256\" : \"sha256:", "\"sha256\" : \"sha256:0"), "does not match its checksum");
        cases.put(text.replace("\"format\" : 1", "\"format\" : 2"), "format 2 by a newer dbstack");
        cases.put("{\"apiVersion\": \"v1\"}", "is not a dbstack state export");
        cases.put("", "is not a dbstack state export");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(bad, c.getKey());
            // against an empty target, with --yes: still refused for the document alone
            backend(dir, K8S);
            CliTest.Result r = run(dir, "state", "import", "--yes", "--file", bad.toString());
            assertThat(r.exit()).as(c.getValue() + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("bad.json: refusing to import: ").contains(c.getValue()).contains("Nothing was written");
            backend(dir, null);
        }
        assertThat(kubernetesStateIsEmpty(dir)).isTrue();

        // another stack of the same project
        Files.copy(dir.resolve("stacks/Pulumi.test.yaml"), dir.resolve("stacks/Pulumi.other.yaml"));
        CliTest.Result other = CliTest.run("state", "import", "-C", dir.toString(), "--stack", "other", "--file", good.toString());
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("it is the state of stack 'test' of project 'test-project', not of stack 'other'");
        assertThat(Files.exists(StackState.directory(dir, "other"))).isFalse();

        // another project
        Files.writeString(dir.resolve("Pulumi.yaml"), "name: another-project\nruntime: java\nstackConfigDir: stacks\n");
        CliTest.Result otherProject = run(dir, "state", "import", "--yes", "--file", good.toString());
        assertThat(otherProject.exit()).isEqualTo(2);
        assertThat(otherProject.err()).contains("of project 'test-project', not of stack 'test' of project 'another-project'");
        backend(dir, null);

        // the stack already has state here: only --yes replaces it
        CliTest.Result occupied = run(dir, "state", "import", "--file", good.toString());
        assertThat(occupied.exit()).isEqualTo(2);
        assertThat(occupied.err()).contains("--yes: refusing to import: stack 'test' already has state in")
                .contains("Nothing was written");
        assertThat(Files.readAllBytes(stateDir.resolve("state.json"))).isEqualTo(before);
        assertThat(Files.exists(stateDir.resolve("journal.jsonl"))).isFalse();
        assertThat(Files.exists(dev.dbstack.state.StackLock.lockFile(stateDir))).as("lock released").isFalse();

        long serial = new StateStore(stateDir).load().serial();
        CliTest.Result replaced = ok(dir, "state", "import", "--yes", "--file", good.toString());
        assertThat(replaced.out()).contains("replacing the state it had at serial " + serial);
        StateStore.State now = new StateStore(stateDir).load();
        assertThat(now.serial()).as("past both serials").isEqualTo(serial + 1);
        assertThat(now.entries()).isEqualTo(fileState(dir));
        converged(dir);
    }

    static boolean kubernetesStateIsEmpty(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return s.client().secrets().inNamespace("dbstack-moved").list().getItems().isEmpty();
        }
    }

    @Test
    void aStackWithNoStateHasNothingToExport(@TempDir Path dir) {
        TestProject.create(dir, CiOutputTest.FIXTURE);
        CliTest.Result r = run(dir, "state", "export", "--file", dir.resolve("x.json").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stack 'test' has no state in").contains("nothing to export");
        assertThat(Files.exists(dir.resolve("x.json"))).isFalse();
    }
}
