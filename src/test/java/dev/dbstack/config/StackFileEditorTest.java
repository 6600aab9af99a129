package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding encryptionsalt to stack files of every shape: the edit keeps the document and its config. */
class StackFileEditorTest {
    /** The characters base64 adds to a salt (+ / =) are the ones YAML's flow context is fussy about. */
    private static final String SALT = "v1:Ab+/cD0=:v1:n0+/nce9AAAAAAAA:c1+/phErTeXt==";
    private static final String FILE = "stacks/Pulumi.test.yaml";

    private static String add(String text) {
        String edited = StackFileEditor.withEncryptionSalt(text, FILE, SALT);
        Node read = YamlReader.read(new StringReader(edited), FILE);
        assertThat(((Node.Scalar) ((Node.Mapping) read).entries().get("encryptionsalt")).value()).isEqualTo(SALT);
        return edited;
    }

    private static UserInputException refused(String text) {
        return catchThrowableOfType(UserInputException.class, () -> StackFileEditor.withEncryptionSalt(text, FILE, SALT));
    }

    @Test
    void blockFileGetsALineAtTheEnd() {
        assertThat(add("config:\n  a: 1\n")).isEqualTo("config:\n  a: 1\nencryptionsalt: " + SALT + "\n");
    }

    @Test
    void noFinalNewlineAfterATrailingCommentGetsOneFirst() {
        assertThat(add("config:\n  a: 1  # the last word")).isEqualTo("config:\n  a: 1  # the last word\nencryptionsalt: " + SALT + "\n");
        assertThat(add("config:\n  a: 1\n# a closing remark\n\n")).isEqualTo("config:\n  a: 1\n# a closing remark\n\nencryptionsalt: " + SALT + "\n");
    }

    @Test
    void indentedRootKeepsItsIndentation() {
        assertThat(add("  config:\n    a: 1\n  other: x\n")).isEqualTo("  config:\n    a: 1\n  other: x\n  encryptionsalt: " + SALT + "\n");
    }

    @Test
    void documentMarkersStayAroundTheDocument() {
        assertThat(add("%YAML 1.1\n---\nconfig:\n  a: 1\n...\n# after the document\n"))
                .isEqualTo("%YAML 1.1\n---\nconfig:\n  a: 1\nencryptionsalt: " + SALT + "\n...\n# after the document\n");
        assertThat(add("--- # starts here\nconfig: {a: 1}\n...")).isEqualTo("--- # starts here\nconfig: {a: 1}\nencryptionsalt: " + SALT + "\n...");
    }

    @Test
    void crlfLineEndingsAreKept() {
        assertThat(add("config:\r\n  a: 1\r\n")).isEqualTo("config:\r\n  a: 1\r\nencryptionsalt: " + SALT + "\r\n");
        assertThat(add("config:\r\n  a: 1 # no final line break")).isEqualTo("config:\r\n  a: 1 # no final line break\r\nencryptionsalt: " + SALT + "\r\n");
    }

    @Test
    void aByteOrderMarkIsNotIndentation() {
        assertThat(add("\uFEFFconfig:\n  a: 1\n")).isEqualTo("\uFEFFconfig:\n  a: 1\nencryptionsalt: " + SALT + "\n");
        assertThat(add("\uFEFF{\"config\": {}}")).isEqualTo("\uFEFF{\"config\": {}, \"encryptionsalt\": \"" + SALT + "\"}");
    }

    @Test
    void jsonStaysJson() throws Exception {
        String pretty = "{\n  \"config\": {\n    \"dbstack:apps\": [{\"name\": \"a\"}]\n  }\n}\n";
        String edited = add(pretty);
        assertThat(edited).isEqualTo("{\n  \"config\": {\n    \"dbstack:apps\": [{\"name\": \"a\"}]\n  },\n  \"encryptionsalt\": \"" + SALT + "\"\n}\n");
        JsonNode json = new ObjectMapper().readTree(edited);
        assertThat(json.get("encryptionsalt").asText()).isEqualTo(SALT);

        assertThat(add("{\"config\": {\"a\": \"\uD83D\uDE00\"}}")).isEqualTo("{\"config\": {\"a\": \"\uD83D\uDE00\"}, \"encryptionsalt\": \"" + SALT + "\"}");
        assertThat(add("{}")).isEqualTo("{\"encryptionsalt\": \"" + SALT + "\"}");
        assertThat(add("{\r\n    \"config\": {}\r\n}")).isEqualTo("{\r\n    \"config\": {},\r\n    \"encryptionsalt\": \"" + SALT + "\"\r\n}");
    }

    @Test
    void yamlFlowRootKeepsCommentsAndTrailingCommas() {
        assertThat(add("{\n  config: {a: 1} # about config\n}\n"))
                .isEqualTo("{\n  config: {a: 1}, # about config\n  encryptionsalt: \"" + SALT + "\"\n}\n");
        assertThat(add("{\n  config: {a: 1}, # trailing comma\n}\n"))
                .isEqualTo("{\n  config: {a: 1}, # trailing comma\n  encryptionsalt: \"" + SALT + "\",\n}\n");
        assertThat(add("{config: {a: 1},}")).isEqualTo("{config: {a: 1}, encryptionsalt: \"" + SALT + "\"}");
        assertThat(add("{ } # empty")).isEqualTo("{ encryptionsalt: \"" + SALT + "\"} # empty");
    }

    @Test
    void aFileOfCommentsOnlyGetsTheLine() {
        assertThat(add("# nothing yet")).isEqualTo("# nothing yet\nencryptionsalt: " + SALT + "\n");
    }

    @Test
    void aRootThatIsNotAMappingIsRefused() {
        assertThat(refused("- config\n- other\n").problems()).extracting(Problem::render).containsExactly(FILE + ":1: encryptionsalt:"
                + " cannot add this stack's encryptionsalt to the file: its root is a list, not a mapping of settings. Nothing was"
                + " changed; add the top-level line encryptionsalt: " + SALT + " by hand and run the command again");
        assertThat(refused("just text\n").problems().get(0).message()).contains("its root is a string, not a mapping");
        assertThat(refused("[1, 2]").problems().get(0).message()).contains("its root is a list").contains("the top-level line");
    }

    @Test
    void aFileThatAlreadyHasASaltIsNotGivenASecond() {
        assertThat(refused("config: {}\n\"encryptionsalt\": v1:x:v1:y:z\n").problems()).extracting(Problem::render)
                .allMatch(m -> m.startsWith(FILE + ":2: encryptionsalt: cannot add") && m.contains("it already has one"));
    }

    /** Appending after a keep-chomped block scalar with no final newline would change its value: refused, not written. */
    @Test
    void anEditThatWouldChangeTheConfigIsRefused() {
        UserInputException e = refused("config:\n  motd: |+\n    hello");
        assertThat(e.problems().get(0).render()).startsWith(FILE + ": encryptionsalt: cannot add this stack's encryptionsalt"
                + " to the file: its layout is one dbstack cannot edit without risk. Nothing was changed; add the top-level line");
    }

    @Test
    void writesAtomicallyKeepingPermissionsAndRefusesWithoutTouchingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("Pulumi.test.yaml");
        Files.writeString(file, "config:\n  a: 1 # no final newline");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        StackFileEditor.addEncryptionSalt(file, FILE, SALT);

        assertThat(Files.readString(file)).isEqualTo("config:\n  a: 1 # no final newline\nencryptionsalt: " + SALT + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("Pulumi.test.yaml");
        }

        Path list = dir.resolve("Pulumi.list.yaml");
        byte[] before = "- not a mapping\n".getBytes(StandardCharsets.UTF_8);
        Files.write(list, before);
        assertThat(catchThrowableOfType(UserInputException.class, () -> StackFileEditor.addEncryptionSalt(list, FILE, SALT)))
                .isNotNull();
        assertThat(Files.readAllBytes(list)).isEqualTo(before);
    }

    @Test
    void throughASymlinkTheTargetIsEditedAndTheLinkKept(@TempDir Path dir) throws Exception {
        Path real = dir.resolve("real.yaml");
        Files.writeString(real, "config: {}\n");
        Path link = Files.createSymbolicLink(dir.resolve("Pulumi.test.yaml"), real);

        StackFileEditor.addEncryptionSalt(link, FILE, SALT);

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("config: {}\nencryptionsalt: " + SALT + "\n");
    }
}
