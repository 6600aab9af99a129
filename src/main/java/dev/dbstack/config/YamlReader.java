package dev.dbstack.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML into {@link Node}s with line numbers. Jackson's tree model drops locations, so we
 * walk the token stream ourselves; it is short and lets us reject duplicate keys, which plain YAML
 * loaders silently resolve to the last value.
 */
final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlReader() {}

    static Node read(Reader reader, String file) {
        return read(reader, file, true);
    }

    /** @param lines false when the text is not what the user wrote (JSON from Pulumi): its lines mean nothing to them */
    static Node read(Reader reader, String file, boolean lines) {
        try (JsonParser p = FACTORY.createParser(reader)) {
            JsonToken first = p.nextToken();
            if (first == null) return new Node.Mapping(new LinkedHashMap<>(), Map.of(), new SourceRef(file, 1));
            Node node = readValue(p, file, lines);
            if (p.nextToken() != null) {
                throw UserInputException.of(at(p, file, lines), "", "expected a single YAML document");
            }
            return node;
        } catch (StreamReadException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
            if (e.getCause() instanceof MarkedYAMLException y && y.getProblem() != null) {
                // SnakeYAML knows the real problem and its line; Jackson only passes on the context.
                msg = y.getProblem() + (y.getContext() != null ? " (" + y.getContext() + ")" : "");
                if (y.getProblemMark() != null) line = y.getProblemMark().getLine() + 1;
            }
            throw UserInputException.of(new SourceRef(file, line), "", "invalid YAML: " + msg);
        } catch (IOException e) {
            throw UserInputException.of(new SourceRef(file, 0), "", "cannot read: " + e.getMessage());
        }
    }

    private static Node readValue(JsonParser p, String file, boolean lines) throws IOException {
        SourceRef here = at(p, file, lines);
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
                Map<String, SourceRef> keys = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    SourceRef keyAt = at(p, file, lines);
                    if (entries.containsKey(key)) {
                        throw UserInputException.of(keyAt, key, "duplicate key (first at line " + keys.get(key).line() + ")");
                    }
                    p.nextToken();
                    entries.put(key, readValue(p, file, lines));
                    keys.put(key, keyAt);
                }
                return new Node.Mapping(entries, keys, here);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) items.add(readValue(p, file, lines));
                return new Node.Sequence(List.copyOf(items), here);
            }
            case VALUE_STRING -> {
                return new Node.Scalar(p.getText(), p.getText(), here);
            }
            case VALUE_NUMBER_INT -> {
                return new Node.Scalar(p.getNumberValue(), p.getText(), here);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Node.Scalar(p.getDecimalValue(), p.getText(), here);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Node.Scalar(p.getBooleanValue(), p.getText(), here);
            }
            case VALUE_NULL -> {
                return new Node.Scalar(null, "", here);
            }
            default -> throw UserInputException.of(here, "", "unsupported YAML construct " + t);
        }
    }

    private static SourceRef at(JsonParser p, String file, boolean lines) {
        if (!lines) return new SourceRef(file, 0);
        return new SourceRef(file, p.currentTokenLocation().getLineNr());
    }
}
