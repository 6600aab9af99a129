package dev.dbstack.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stack's whole state as one portable JSON document ({@code dbstack state export}), to move a stack
 * between backends or keep a backup: the entries as loaded (snapshot plus journal replayed) and the
 * serial, with the project and stack they belong to and a SHA-256 of the canonical JSON of everything
 * else, so an edited, truncated or corrupt document is refused before anything is written. Credentials
 * are in it exactly as in state: encrypted (with the salt state keeps); nothing here decrypts.
 */
public final class StateDocument {
    /** What the {@code kind} member says: a document of this type and nothing else. */
    public static final String KIND = "dbstack-state";
    /** The document format this dbstack writes and the newest it reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StateDocument() {}

    /** A read document: whose state and the state. */
    public record Parsed(String project, String stack, StateStore.State state, String exportedAt, String source) {}

    /** The document for {@code state}: pretty JSON with a trailing newline. */
    public static byte[] write(String project, String stack, StateStore.State state, String exportedAt, String source) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("kind", KIND).put("format", FORMAT).put("project", project).put("stack", stack)
                .put("serial", state.serial()).put("exportedAt", exportedAt).put("source", source);
        ObjectNode entries = doc.putObject("entries");
        new TreeMap<>(state.entries()).forEach(entries::set);
        doc.put("sha256", CanonicalJson.sha256(withoutChecksum(doc)));
        try {
            return (JSON.writeValueAsString(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads and checks a document for {@code project}'s stack {@code stack}.
     *
     * @param where the file it came from, for messages
     * @throws UserInputException (exit 2) when it is not a complete, unedited state document of that
     *                            project and stack in a format this dbstack reads
     */
    public static Parsed read(byte[] bytes, String where, String project, String stack) {
        SourceRef src = new SourceRef(where, 0);
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw refused(src, "it is not complete JSON (truncated or corrupt: " + firstLine(e.getMessage()) + ")");
        }
        if (doc == null || !doc.isObject() || !KIND.equals(doc.path("kind").asText())) {
            throw refused(src, "it is not a dbstack state export (no \"kind\": \"" + KIND + "\")");
        }
        int format = doc.path("format").asInt(0);
        if (format > FORMAT) {
            throw refused(src, "it was exported in state document format " + format + " by a newer dbstack; this one reads"
                    + " format " + FORMAT + " (upgrade dbstack)");
        }
        if (format < 1) throw refused(src, "its \"format\" is not a state document format");
        String sum = doc.path("sha256").asText("");
        if (sum.isEmpty() || !sum.equals(CanonicalJson.sha256(withoutChecksum((ObjectNode) doc)))) {
            throw refused(src, "it does not match its checksum (\"sha256\"): it was edited or damaged after export");
        }
        String docProject = doc.path("project").asText();
        String docStack = doc.path("stack").asText();
        if (!docProject.equals(project) || !docStack.equals(stack)) {
            throw refused(src, "it is the state of stack '" + docStack + "' of project '" + docProject + "', not of stack '"
                    + stack + "' of project '" + project + "'");
        }
        if (!doc.path("entries").isObject() || !doc.path("serial").canConvertToLong()) {
            throw refused(src, "it has no \"entries\" object or no \"serial\"");
        }
        TreeMap<String, JsonNode> entries = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("entries").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            entries.put(e.getKey(), e.getValue());
        }
        return new Parsed(docProject, docStack, new StateStore.State(entries, 0, doc.path("serial").asLong()),
                doc.path("exportedAt").asText(), doc.path("source").asText());
    }

    private static ObjectNode withoutChecksum(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        copy.remove("sha256");
        return copy;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static UserInputException refused(SourceRef src, String why) {
        return UserInputException.of(src, "", "refusing to import: " + why + ". Nothing was written");
    }
}
