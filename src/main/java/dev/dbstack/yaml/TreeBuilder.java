package dev.dbstack.yaml;

import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns the node graph SnakeYAML's composer builds into {@link Node}s: scalars resolved by the core
 * schema, tags checked, keys checked (text only, no duplicates), merge keys applied, aliases resolved.
 *
 * <p>The composer resolves an alias to the very node its anchor names. Here the value an anchor names
 * is built once; each alias of it is that same value with the alias's own line on its outermost node
 * (what is inside keeps the lines where it is written). So a value used through aliases costs no
 * memory per use, but code walking the result still visits it once per use: the number of values
 * aliases add to the tree is bounded ({@link YamlReader#MAX_ALIAS_EXPANSION}), and so is the nesting
 * they create. A value that contains an alias of itself is refused.
 *
 * <p>Lines of aliases: the composer forgets where an alias was written, so the parser in front of it
 * records each alias's position in order ({@code aliasMarks}); this builder walks the document in
 * the same order and takes the next position each time it meets a node it has built before.
 */
final class TreeBuilder {
    /** What SnakeYAML's resolver is made to give an untagged plain scalar, so that the core schema decides. */
    static final Tag PLAIN = new Tag("tag:dbstack.dev,2024:plain");

    /** The tags of YAML 1.2's core schema; any other tag is refused. */
    private static final Set<Tag> CORE_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);

    private record Built(Node node, long size, int height) {}

    private final String file;
    private final boolean lines;
    private final List<Mark> aliasMarks;
    private int nextAlias;
    /** Values of anchors, by the composer's node, once built. */
    private final Map<org.yaml.snakeyaml.nodes.Node, Built> anchored = new IdentityHashMap<>();
    /** Anchored nodes being built: meeting one again means a value contains itself. */
    private final Set<org.yaml.snakeyaml.nodes.Node> building = Collections.newSetFromMap(new IdentityHashMap<>());
    private long aliasValues;
    private SourceRef last;

    TreeBuilder(String file, boolean lines, List<Mark> aliasMarks) {
        this.file = file;
        this.lines = lines;
        this.aliasMarks = aliasMarks;
    }

    Node build(org.yaml.snakeyaml.nodes.Node root) {
        return build(root, 1).node();
    }

    private Built build(org.yaml.snakeyaml.nodes.Node n, int depth) {
        Built before = anchored.get(n);
        if (before != null || building.contains(n)) return alias(n, before, depth);
        if (depth > YamlReader.MAX_DEPTH && !(n instanceof ScalarNode)) throw YamlReader.tooDeep(at(n.getStartMark()));
        boolean anchor = n.getAnchor() != null;
        if (anchor) building.add(n);
        Built built;
        if (n instanceof ScalarNode s) {
            built = new Built(new Node.Scalar(scalar(s), s.getValue(), at(s.getStartMark())), 1, 0);
        } else if (n instanceof SequenceNode s) {
            built = sequence(s, depth);
        } else if (n instanceof MappingNode m) {
            built = mapping(m, depth);
        } else {
            throw UserInputException.of(at(n.getStartMark()), "", "invalid YAML: a value of an unknown kind");
        }
        if (anchor) {
            building.remove(n);
            anchored.put(n, built);
        }
        return built;
    }

    /** A node met a second time: an alias of an anchor above. */
    private Built alias(org.yaml.snakeyaml.nodes.Node n, Built value, int depth) {
        Mark mark = nextAlias < aliasMarks.size() ? aliasMarks.get(nextAlias++) : n.getStartMark();
        SourceRef at = at(mark);
        if (value == null) {
            String name = CoreSchema.abbreviate(n.getAnchor(), 60);
            throw UserInputException.of(at, "", "alias *" + name + " is used inside the value it names (&"
                    + name + (lines ? " at line " + (n.getStartMark().getLine() + 1) : "")
                    + "), which would make it endless");
        }
        aliasValues += value.size();
        if (aliasValues > YamlReader.MAX_ALIAS_EXPANSION) {
            throw UserInputException.of(at, "", "aliases in this file stand for more than " + YamlReader.MAX_ALIAS_EXPANSION
                    + " values in all (aliases of values that hold aliases multiply); write the values out or"
                    + " share fewer levels");
        }
        if (depth - 1 + value.height() > YamlReader.MAX_DEPTH) throw YamlReader.tooDeep(at);
        Node node;
        if (value.node() instanceof Node.Scalar s) node = new Node.Scalar(s.value(), s.text(), at);
        else if (value.node() instanceof Node.Sequence s) node = new Node.Sequence(s.items(), at);
        else if (value.node() instanceof Node.Mapping m) node = new Node.Mapping(m.entries(), m.keySources(), at);
        else throw new IllegalStateException("unknown node " + value.node());
        return new Built(node, value.size(), value.height());
    }

    private Object scalar(ScalarNode s) {
        SourceRef at = at(s.getStartMark());
        if (s.getTag().equals(PLAIN)) {
            // "! 17" also comes here (the non-specific tag); quoted text stays text.
            return s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN ? CoreSchema.plain(s.getValue(), at) : s.getValue();
        }
        return CoreSchema.tagged(s.getTag(), s.getValue(), at);
    }

    private Built sequence(SequenceNode s, int depth) {
        checkCollectionTag(s.getTag(), Tag.SEQ, "a list", s.getStartMark());
        List<org.yaml.snakeyaml.nodes.Node> children = s.getValue();
        List<Node> items = new ArrayList<>(children.size());
        long size = 1;
        int height = 0;
        for (int i = 0; i < children.size(); i++) {
            Built b = build(children.get(i), depth + 1);
            children.set(i, null); // built: SnakeYAML's node may go (an anchor's value is kept in `anchored`)
            items.add(b.node());
            size += b.size();
            height = Math.max(height, b.height());
        }
        return new Built(new Node.Sequence(Collections.unmodifiableList(items), at(s.getStartMark())), size, height + 1);
    }

    private Built mapping(MappingNode m, int depth) {
        checkCollectionTag(m.getTag(), Tag.MAP, "a map", m.getStartMark());
        List<NodeTuple> tuples = m.getValue();
        LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
        Map<String, SourceRef> keySources = new HashMap<>();
        int mergeAt = -1; // how many written keys come before the merge key
        List<Node.Mapping> merged = List.of();
        SourceRef mergeKey = null;
        long size = 1;
        int height = 0;
        for (int i = 0; i < tuples.size(); i++) {
            NodeTuple tuple = tuples.get(i);
            Built key = build(tuple.getKeyNode(), depth + 1);
            SourceRef keyAt = key.node().source();
            if (!(key.node() instanceof Node.Scalar k)) {
                throw UserInputException.of(keyAt, "", "a key must be a single value, not " + key.node().kindName()
                        + " (a '?' or a list or map written before ':')");
            }
            boolean merge = isMergeKey(tuple.getKeyNode());
            String name = k.text();
            Built value = build(tuple.getValueNode(), depth + 1);
            tuples.set(i, null); // built: SnakeYAML's nodes may go
            size += value.size();
            height = Math.max(height, value.height());
            if (merge) {
                if (mergeKey != null) throw duplicate(keyAt, "<<", mergeKey, "; merge several maps with <<: [*a, *b]");
                mergeKey = keyAt;
                merged = mergedMaps(value.node());
                mergeAt = entries.size();
                continue;
            }
            if (entries.containsKey(name)) throw duplicate(keyAt, name, keySources.get(name), "");
            entries.put(name, value.node());
            keySources.put(name, keyAt);
        }
        if (mergeAt >= 0) entries = withMerged(entries, keySources, mergeAt, merged);
        return new Built(new Node.Mapping(entries, Collections.unmodifiableMap(keySources), at(m.getStartMark())), size,
                height + 1);
    }

    /**
     * The written entries with the merged maps' keys put where the merge key is written. Keys written in
     * the map win over merged ones (also when written after the merge key); of the merged maps, the
     * first that has a key wins.
     */
    private static LinkedHashMap<String, Node> withMerged(LinkedHashMap<String, Node> written, Map<String, SourceRef> keySources,
                                                       int mergeAt, List<Node.Mapping> merged) {
        LinkedHashMap<String, Node> all = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<String, Node> e : written.entrySet()) {
            if (index++ == mergeAt) addMerged(all, written, keySources, merged);
            all.put(e.getKey(), e.getValue());
        }
        if (mergeAt == written.size()) addMerged(all, written, keySources, merged);
        return all;
    }

    private static void addMerged(LinkedHashMap<String, Node> all, Map<String, Node> written, Map<String, SourceRef> keySources,
                                  List<Node.Mapping> merged) {
        for (Node.Mapping source : merged) {
            for (Map.Entry<String, Node> e : source.entries().entrySet()) {
                if (written.containsKey(e.getKey()) || all.containsKey(e.getKey())) continue;
                all.put(e.getKey(), e.getValue());
                keySources.put(e.getKey(), source.keySources().getOrDefault(e.getKey(), source.source()));
            }
        }
    }

    /** {@code <<} written plainly (or tagged {@code !!merge}); a quoted "<<" is an ordinary key. */
    private static boolean isMergeKey(org.yaml.snakeyaml.nodes.Node key) {
        if (!(key instanceof ScalarNode s)) return false;
        if (s.getTag().equals(Tag.MERGE)) return true;
        return s.getTag().equals(PLAIN) && s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN && s.getValue().equals("<<");
    }

    /** What a merge key's value stands for: one map, or a list of maps. */
    private static List<Node.Mapping> mergedMaps(Node value) {
        if (value instanceof Node.Mapping m) return List.of(m);
        if (value instanceof Node.Sequence s) {
            List<Node.Mapping> maps = new ArrayList<>();
            for (Node item : s.items()) {
                if (!(item instanceof Node.Mapping m)) throw notMergeable(item);
                maps.add(m);
            }
            return maps;
        }
        throw notMergeable(value);
    }

    private static UserInputException notMergeable(Node value) {
        return UserInputException.of(value.source(), "<<", "merges maps: give it a map or a list of maps (such as *base"
                + " or [*base, *extra]), not " + value.kindName());
    }

    private UserInputException duplicate(SourceRef at, String key, SourceRef first, String advice) {
        String where = first != null && first.line() > 0 ? " (first at line " + first.line() + ")" : "";
        return UserInputException.of(at, CoreSchema.abbreviate(key, 80), "duplicate key" + where + advice);
    }

    private void checkCollectionTag(Tag tag, Tag expected, String kind, Mark mark) {
        if (tag.equals(expected)) return;
        if (CORE_TAGS.contains(tag)) {
            throw UserInputException.of(at(mark), "", "YAML tag " + CoreSchema.display(tag) + " does not fit " + kind);
        }
        throw CoreSchema.unsupported(tag, at(mark));
    }

    /** Nodes come mostly in line order, and several to a line: one SourceRef per line, not per node. */
    private SourceRef at(Mark mark) {
        int line = lines && mark != null ? mark.getLine() + 1 : 0;
        if (last == null || last.line() != line) last = new SourceRef(file, line);
        return last;
    }
}
