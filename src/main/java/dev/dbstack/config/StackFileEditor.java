package dev.dbstack.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Adds a top-level {@code encryptionsalt} to a stack file as a text edit of its YAML document, so
 * comments, formatting and line endings stay as the user wrote them. A block-style root gets a new
 * line at the root's indentation at the end of the document (before a {@code ...} marker); a flow or
 * JSON root gets a new member before its closing brace, found through the parser's token locations
 * and written JSON-style when the file is JSON. The result is parsed before it is written: it must
 * hold the same configuration as before plus the salt, or nothing is written and the user is told
 * what to add by hand. The file is replaced atomically (temp file in its directory, fsync, rename).
 */
public final class StackFileEditor {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final ObjectMapper STRICT_JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StackFileEditor() {}

    /**
     * Adds {@code encryptionsalt: salt} to {@code file} in place.
     *
     * @param display the file's name in messages
     * @throws UserInputException when it cannot be done safely; the file is then unchanged
     */
    public static void addEncryptionSalt(Path file, String display, String salt) {
        Path target;
        String text;
        try {
            // Through a symlink, replace the file it points at, not the link.
            target = file.toRealPath();
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(target)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw refused(display, 0, "it is not UTF-8 text", lineToAdd(salt, false));
        } catch (IOException e) {
            throw refused(display, 0, "cannot read it: " + e.getMessage(), lineToAdd(salt, false));
        }
        String edited = withEncryptionSalt(text, display, salt);
        try {
            replaceAtomically(target, edited.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw refused(display, 0, "cannot write it: " + e.getMessage(), lineToAdd(salt, isJson(text)));
        }
    }

    /**
     * {@code text} with {@code encryptionsalt: salt} added, checked by parsing the result.
     *
     * @throws UserInputException when the text is not a YAML mapping the salt can be added to safely
     */
    public static String withEncryptionSalt(String text, String display, String salt) {
        Node before = YamlReader.read(new StringReader(text), display);
        boolean json = isJson(text);
        if (!(before instanceof Node.Mapping mapping)) {
            throw refused(display, before.source().line(), "its root is " + before.kindName() + ", not a mapping of"
                    + " settings", lineToAdd(salt, json));
        }
        if (mapping.entries().containsKey(EncryptionSalt.KEY)) {
            throw refused(display, mapping.keySources().get(EncryptionSalt.KEY).line(), "it already has one",
                    lineToAdd(salt, json));
        }
        String edited;
        try {
            edited = insert(text, salt, json);
        } catch (IOException | RuntimeException e) {
            edited = null;
        }
        if (edited == null || !holdsSameConfigPlusSalt(edited, display, mapping, salt)) {
            throw refused(display, 0, "its layout is one dbstack cannot edit without risk", lineToAdd(salt, json));
        }
        return edited;
    }

    /** The edited text, or null when the document's layout is not one handled here. */
    private static String insert(String text, String salt, boolean json) throws IOException {
        String nl = text.contains("\r\n") ? "\r\n" : text.contains("\r") ? "\r" : "\n";
        try (JsonParser p = YAML.createParser(new StringReader(text))) {
            JsonToken first = p.nextToken();
            if (first == null) return appendLine(text, "", text.length(), salt, nl); // comments or markers only
            if (first != JsonToken.START_OBJECT) return null;
            int start = offset(text, p.currentTokenLocation());
            boolean flow = start < text.length() && text.charAt(start) == '{';
            int firstKey = -1;
            int lastKey = -1;
            int lastValueEnd = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                lastKey = offset(text, p.currentTokenLocation());
                if (firstKey < 0) firstKey = lastKey;
                p.nextToken();
                p.skipChildren();
                lastValueEnd = offset(text, p.currentLocation());
            }
            int close = offset(text, p.currentTokenLocation());
            if (p.nextToken() != null) return null;
            if (!flow) {
                int keyAt = firstKey >= 0 ? firstKey : start;
                String indent = text.substring(lineStart(text, keyAt), keyAt);
                if (!indent.isBlank()) return null; // e.g. a key on the `---` line: no clean column to copy
                return appendLine(text, indent, documentEnd(text, keyAt), salt, nl);
            }
            if (close >= text.length() || text.charAt(close) != '}') return null;
            String member = json ? "\"" + EncryptionSalt.KEY + "\": \"" + salt + "\""
                    : EncryptionSalt.KEY + ": \"" + salt + "\""; // quoted: plain scalars in flow context are fussy about ':'
            if (lastKey < 0) return text.substring(0, close) + member + text.substring(close);
            return addMember(text, lastKey, lastValueEnd, close, member, nl);
        }
    }

    /**
     * A new member after the last one. Between the last value and the closing brace there is only
     * whitespace, comments and at most a trailing comma (YAML allows one); a multi-line mapping gets
     * the member on its own line with the last key's indentation, after any comment on that line.
     */
    private static String addMember(String text, int lastKey, int lastValueEnd, int close, String member, String nl) {
        int comma = -1;
        int lineBreak = -1;
        for (int i = lastValueEnd; i < close; i++) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i + 1 < close && text.charAt(i + 1) != '\n' && text.charAt(i + 1) != '\r') i++;
            } else if (c == ',') {
                if (comma >= 0) return null;
                comma = i;
            } else if (c == '\n' || c == '\r') {
                if (lineBreak < 0) lineBreak = i;
            } else if (c != ' ' && c != '\t') {
                return null;
            }
        }
        int keyLine = lineStart(text, lastKey);
        String indent = text.substring(keyLine, lastKey);
        boolean ownLine = lineBreak >= 0 && indent.isBlank() && (comma < 0 || comma < lineBreak);
        if (!ownLine) {
            // One line ({a: 1}), a key after another on its line, or a comma on a line of its own:
            // the member goes right after the last one.
            return comma >= 0 ? text.substring(0, comma + 1) + " " + member + text.substring(comma + 1)
                    : text.substring(0, lastValueEnd) + ", " + member + text.substring(lastValueEnd);
        }
        // A line of its own after the last member's line (after any comment there), keeping a trailing-comma style.
        String line = nl + indent + member + (comma >= 0 ? "," : "");
        if (comma >= 0) return text.substring(0, lineBreak) + line + text.substring(lineBreak);
        return text.substring(0, lastValueEnd) + "," + text.substring(lastValueEnd, lineBreak) + line + text.substring(lineBreak);
    }

    /** Inserts {@code indent encryptionsalt: salt} as a line at {@code at}, which is a line start or the end of the text. */
    private static String appendLine(String text, String indent, int at, String salt, String nl) {
        String line = indent + EncryptionSalt.KEY + ": " + salt + nl;
        if (at == text.length() && at > 0 && text.charAt(at - 1) != '\n' && text.charAt(at - 1) != '\r') line = nl + line;
        return text.substring(0, at) + line + text.substring(at);
    }

    /** Where the document's content ends: the start of a {@code ...} end marker line after {@code from}, else the text's end. */
    private static int documentEnd(String text, int from) {
        int i = text.indexOf('\n', from);
        while (i >= 0 && i + 1 < text.length()) {
            int line = i + 1;
            if (text.startsWith("...", line)) {
                int after = line + 3;
                if (after == text.length() || " \t\r\n".indexOf(text.charAt(after)) >= 0) return line;
            }
            i = text.indexOf('\n', line);
        }
        return text.length();
    }

    private static int lineStart(String text, int at) {
        int i = at;
        while (i > 0 && text.charAt(i - 1) != '\n' && text.charAt(i - 1) != '\r') i--;
        return i == 0 && text.startsWith("\uFEFF") ? 1 : i; // a byte order mark is not indentation
    }

    /** The parser counts code points from the start of the text; Java strings index UTF-16 units. */
    static int offset(String text, JsonLocation location) {
        long points = location.getCharOffset();
        if (points < 0) throw new IllegalStateException("the YAML parser gave no offset");
        return text.offsetByCodePoints(0, Math.toIntExact(points));
    }

    /** Strict JSON (a JSON stack file stays JSON); YAML's byte order mark is not part of that question. */
    private static boolean isJson(String text) {
        try {
            var tree = STRICT_JSON.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
            return tree != null && tree.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** The edit is only kept when the new text reads as the old configuration plus exactly this salt. */
    private static boolean holdsSameConfigPlusSalt(String edited, String display, Node.Mapping before, String salt) {
        Node after;
        try {
            after = YamlReader.read(new StringReader(edited), display);
        } catch (UserInputException e) {
            return false;
        }
        if (!(after instanceof Node.Mapping m) || !(m.entries().get(EncryptionSalt.KEY) instanceof Node.Scalar s)
                || !salt.equals(s.value())) {
            return false;
        }
        List<String> keys = m.entries().keySet().stream().filter(k -> !k.equals(EncryptionSalt.KEY)).toList();
        if (!keys.equals(List.copyOf(before.entries().keySet()))) return false;
        for (String k : keys) {
            if (!sameValue(before.entries().get(k), m.entries().get(k))) return false;
        }
        return true;
    }

    /** Equal as data: what was read, not where. */
    static boolean sameValue(Node a, Node b) {
        if (a instanceof Node.Scalar x && b instanceof Node.Scalar y) {
            return Objects.equals(x.value(), y.value()) && x.text().equals(y.text());
        }
        if (a instanceof Node.Sequence x && b instanceof Node.Sequence y) {
            if (x.items().size() != y.items().size()) return false;
            for (int i = 0; i < x.items().size(); i++) if (!sameValue(x.items().get(i), y.items().get(i))) return false;
            return true;
        }
        if (a instanceof Node.Mapping x && b instanceof Node.Mapping y) {
            if (!List.copyOf(x.entries().keySet()).equals(List.copyOf(y.entries().keySet()))) return false;
            for (Map.Entry<String, Node> e : x.entries().entrySet()) {
                if (!sameValue(e.getValue(), y.entries().get(e.getKey()))) return false;
            }
            return true;
        }
        return false;
    }

    private static String lineToAdd(String salt, boolean json) {
        return json ? "the member \"" + EncryptionSalt.KEY + "\": \"" + salt + "\""
                : "the top-level line " + EncryptionSalt.KEY + ": " + salt;
    }

    private static UserInputException refused(String display, int line, String why, String what) {
        return UserInputException.of(new SourceRef(display, line), EncryptionSalt.KEY, "cannot add this stack's"
                + " encryptionsalt to the file: " + why + ". Nothing was changed; add " + what + " by hand and run"
                + " the command again");
    }

    /** Temp file next to the target, fsynced, renamed over it, directory fsynced: the old or the new file, never half. */
    static void replaceAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(target, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (posix != null) {
                // createTempFile makes it owner-only; keep the stack file's own permissions.
                Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setPermissions(posix.readAttributes().permissions());
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("this file system cannot replace it atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open a directory; the rename is still atomic there.
        }
    }
}
