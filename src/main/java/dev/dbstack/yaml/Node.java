package dev.dbstack.yaml;

import dev.dbstack.model.SourceRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers its line, so every configuration error can point at it. Nodes are
 * never changed once read: a value reached through several aliases is one shared object (with its
 * own line where the alias is written), so code that wants another value builds a new node.
 */
public sealed interface Node {
    SourceRef source();

    /** A short name of the node's kind for "expected X, got Y" messages. */
    String kindName();

    /**
     * {@code text} is the value as written (without quotes), so {@code version: 7.10} stays "7.10".
     * {@code value} is what YAML 1.2's core schema makes of it: {@code null}, {@link String},
     * {@link Boolean}, {@link java.math.BigInteger} (whole numbers in any notation: 17, +17, 0o21, 0x11),
     * {@link java.math.BigDecimal} (1.5, 1e3, .5) or {@link Double} (only .inf, -.inf and .nan).
     */
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
