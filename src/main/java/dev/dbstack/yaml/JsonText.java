package dev.dbstack.yaml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stack file written as JSON. JSON is YAML, but SnakeYAML 2.5 refuses a tab before a token even
 * inside brackets, where YAML allows it, so JSON indented with tabs (what many editors and
 * {@code jq --tab} write) would not load. Text that reads as JSON is therefore read by Jackson's
 * JSON parser, into the same nodes by the same rules: lines, core-schema numbers, no duplicate keys,
 * the same limits.
 */
final class JsonText {
    private static final JsonFactory JSON = JsonFactory.builder()
            // dbstack's own limits (YamlReader) come first and say more; these only keep Jackson out of their way.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(YamlReader.MAX_DEPTH * 4)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private final String file;
    private final boolean lines;

    private JsonText(String file, boolean lines) {
        this.file = file;
        this.lines = lines;
    }

    /** Whether the text starts as JSON does, with an object or an array (leading whitespace aside). */
    static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') return true;
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
        }
        return false;
    }

    /**
     * The text's one JSON value.
     *
     * @throws StreamReadException when it is not JSON (the caller then reads it as YAML)
     * @throws UserInputException  when it is JSON that breaks a rule (duplicate key, a limit)
     */
    static Node read(String text, String file, boolean lines) throws StreamReadException {
        try (JsonParser p = JSON.createParser(text)) {
            JsonText reader = new JsonText(file, lines);
            p.nextToken();
            Node root = reader.value(p, 1);
            if (p.nextToken() != null) {
                throw UserInputException.of(reader.at(p), "", "expected a single YAML document");
            }
            return root;
        } catch (StreamReadException e) {
            throw e;
        } catch (IOException e) {
            throw UserInputException.of(new SourceRef(file, 0), "", "cannot read: " + e.getMessage());
        }
    }

    private Node value(JsonParser p, int depth) throws IOException {
        SourceRef here = at(p);
        JsonToken t = p.currentToken();
        if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth > YamlReader.MAX_DEPTH) {
            throw YamlReader.tooDeep(here);
        }
        switch (t) {
            case START_OBJECT: {
                LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
                Map<String, SourceRef> keys = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    SourceRef keyAt = at(p);
                    SourceRef first = keys.get(key);
                    if (first != null) {
                        throw UserInputException.of(keyAt, CoreSchema.abbreviate(key, 80), "duplicate key"
                                + (first.line() > 0 ? " (first at line " + first.line() + ")" : ""));
                    }
                    p.nextToken();
                    entries.put(key, value(p, depth + 1));
                    keys.put(key, keyAt);
                }
                return new Node.Mapping(entries, Collections.unmodifiableMap(keys), here);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) items.add(value(p, depth + 1));
                return new Node.Sequence(Collections.unmodifiableList(items), here);
            }
            case VALUE_STRING:
                return new Node.Scalar(p.getText(), p.getText(), here);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
            case VALUE_NULL:
                // JSON's numbers and literals are core-schema plain scalars, read by the same rules.
                return new Node.Scalar(CoreSchema.plain(p.getText(), here), p.getText(), here);
            default:
                throw UserInputException.of(here, "", "invalid JSON: unexpected " + t);
        }
    }

    private SourceRef at(JsonParser p) {
        return new SourceRef(file, lines ? p.currentTokenLocation().getLineNr() : 0);
    }
}
