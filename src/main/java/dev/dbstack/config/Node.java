package dev.dbstack.config;

import dev.dbstack.model.SourceRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value that remembers its line, so every configuration error can point at it. */
sealed interface Node {
    SourceRef source();

    /** A short name of the node's kind for "expected X, got Y" messages. */
    String kindName();

    /** {@code text} is the value as written, so {@code version: 7.10} stays "7.10". */
    record Scalar(Object value, String text, SourceRef source) implements Node {
        @Override
        public String kindName() {
            if (value == null) return "null";
            if (value instanceof String) return "a string";
            if (value instanceof Boolean) return "a boolean";
            return "a number";
        }
    }

    record Sequence(List<Node> items, SourceRef source) implements Node {
        @Override
        public String kindName() {
            return "a list";
        }
    }

    /** Keys in file order; each key keeps its own line. */
    record Mapping(LinkedHashMap<String, Node> entries, Map<String, SourceRef> keySources, SourceRef source)
            implements Node {
        @Override
        public String kindName() {
            return "a map";
        }
    }
}
