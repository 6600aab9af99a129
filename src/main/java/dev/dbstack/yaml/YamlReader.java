package dev.dbstack.yaml;

import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one YAML (or JSON) document into {@link Node}s that remember their lines, or says in one
 * sentence, with file and line, why it cannot: every input gets an answer within seconds and in
 * memory proportional to its size.
 *
 * <ul>
 *   <li>Files: regular files only, at most {@link #MAX_FILE_BYTES}, UTF-8 (a leading byte order mark
 *       is allowed); binary files and other encodings are named as such ({@link #readFile}).
 *   <li>Syntax: SnakeYAML's parser and composer; their errors become "invalid YAML: ..." at the
 *       line they point at.
 *   <li>Values: YAML 1.2's core schema decides what a plain scalar is ({@link Node.Scalar}); quoted
 *       scalars are text; the core tags ({@code !!str}, {@code !!int}, {@code !!float},
 *       {@code !!bool}, {@code !!null}, {@code !!map}, {@code !!seq}) are honoured, any other is refused.
 *   <li>Maps: keys are single values, never repeated; merge keys ({@code <<: *base},
 *       {@code <<: [*a, *b]}) copy in the keys the map does not write itself.
 *   <li>Anchors and aliases are resolved. An alias's value keeps the lines where it is written,
 *       except its outermost node, which has the line of the alias (so "expected a map" points at the
 *       use and "unknown key" at the key's definition).
 *   <li>Bounds: nesting depth ({@link #MAX_DEPTH}), aliases of lists and maps
 *       ({@link #MAX_COLLECTION_ALIASES}), values added through aliases ({@link #MAX_ALIAS_EXPANSION}),
 *       number length; a value containing an alias of itself is refused.
 * </ul>
 */
public final class YamlReader {
    /** The largest file read: far above any stack file or catalog entry, far below trouble. */
    public static final int MAX_FILE_BYTES = 4 << 20;
    /** How deep lists and maps may nest, counting the document's root as 1. */
    public static final int MAX_DEPTH = 64;
    /** How many aliases of lists and maps a document may hold (SnakeYAML's own bound). */
    public static final int MAX_COLLECTION_ALIASES = 1_000;
    /**
     * How many values aliases may add to the document in all, counting each value inside an aliased
     * list or map (a "billion laughs" document has few aliases that each stand for very many values).
     */
    public static final int MAX_ALIAS_EXPANSION = 100_000;

    /** Makes untagged plain scalars {@link TreeBuilder#PLAIN}, leaving them to the core schema. */
    private static final Resolver RESOLVER = new Resolver() {
        @Override
        public Tag resolve(NodeId kind, String value, boolean implicit) {
            if (kind == NodeId.scalar && implicit) return TreeBuilder.PLAIN;
            return super.resolve(kind, value, implicit);
        }
    };

    private YamlReader() {}

    /**
     * Reads the file at {@code file} (any file system, also a path inside a jar).
     *
     * @param display the file's name in messages
     */
    public static Node readFile(Path file, String display) {
        return read(FileText.read(file, display), display, true);
    }

    public static Node read(Reader reader, String file) {
        return read(reader, file, true);
    }

    /** @param lines false when the text is not what the user wrote (JSON from Pulumi): its lines mean nothing to them */
    public static Node read(Reader reader, String file, boolean lines) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        try {
            for (int n; (n = reader.read(buffer)) >= 0; ) {
                text.append(buffer, 0, n);
                if (text.length() > MAX_FILE_BYTES) throw FileText.tooLarge(new SourceRef(file, 0), text.length());
            }
        } catch (IOException e) {
            throw UserInputException.of(new SourceRef(file, 0), "", "cannot read: " + e.getMessage());
        }
        return read(text.toString(), file, lines);
    }

    /** Reads YAML text; a leading byte order mark is skipped. */
    public static Node read(String text, String file, boolean lines) {
        if (text.length() > MAX_FILE_BYTES) throw FileText.tooLarge(new SourceRef(file, 0), text.length());
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        checkCharacters(text, file, lines);
        if (JsonText.looksLikeJson(text)) {
            StreamReadException json;
            try {
                return JsonText.read(text, file, lines);
            } catch (StreamReadException e) {
                json = e; // Not JSON; YAML flow style ({a: 1}) is read as YAML below.
            }
            try {
                return readYaml(text, file, lines);
            } catch (UserInputException yaml) {
                // Tabs before tokens inside brackets are allowed by YAML and JSON, not by SnakeYAML:
                // then the text was meant as JSON, and what is wrong with it as JSON is the useful answer.
                if (!yaml.getMessage().contains("(TAB)")) throw yaml;
                int line = json.getLocation() == null || !lines ? 0 : json.getLocation().getLineNr();
                throw UserInputException.of(new SourceRef(file, line), "", "invalid JSON: " + jsonProblem(json));
            }
        }
        return readYaml(text, file, lines);
    }

    private static Node readYaml(String text, String file, boolean lines) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_FILE_BYTES);
        options.setProcessComments(false);
        options.setTagInspector(tag -> true); // every tag reaches TreeBuilder, which refuses all but the core ones
        RecordingParser parser = new RecordingParser(new ParserImpl(new WholeTextReader(text, file), options));
        Composer composer = new Composer(parser, RESOLVER, options);
        org.yaml.snakeyaml.nodes.Node root;
        try {
            if (!composer.checkNode()) return emptyMapping(file, lines);
            root = composer.getNode();
            if (composer.checkNode()) {
                throw UserInputException.of(at(file, lines, parser.peekEvent().getStartMark()), "",
                        "expected a single YAML document");
            }
        } catch (MarkedYAMLException e) {
            throw syntaxError(e, file, lines);
        } catch (UserInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // SnakeYAML's limits throw a plain YAMLException without a position; the parser knows where it was.
            throw limitError(e, parser, file, lines);
        }
        if (root instanceof ScalarNode s && s.getTag().equals(TreeBuilder.PLAIN) && s.getValue().isEmpty()) {
            return emptyMapping(file, lines); // "---" and nothing else
        }
        return new TreeBuilder(file, lines, parser.aliasMarks).build(root);
    }

    /**
     * Reads a file holding a YAML stream ({@code ---} between documents), checked as {@link #readFile} checks a file.
     * Empty documents are left out.
     */
    public static List<Node> readStreamFile(Path file, String display) {
        return readStream(FileText.read(file, display), display, true);
    }

    /**
     * Reads a YAML stream of one or more documents (Kubernetes manifests), with the same checks and bounds as a
     * single document; empty documents ({@code ---} and nothing else) are left out.
     */
    public static List<Node> readStream(String text, String file, boolean lines) {
        if (text.length() > MAX_FILE_BYTES) throw FileText.tooLarge(new SourceRef(file, 0), text.length());
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        checkCharacters(text, file, lines);
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_FILE_BYTES);
        options.setProcessComments(false);
        options.setTagInspector(tag -> true);
        RecordingParser parser = new RecordingParser(new ParserImpl(new WholeTextReader(text, file), options));
        Composer composer = new Composer(parser, RESOLVER, options);
        List<Node> documents = new ArrayList<>();
        try {
            while (composer.checkNode()) {
                int marks = parser.aliasMarks.size();
                org.yaml.snakeyaml.nodes.Node root = composer.getNode();
                if (root instanceof ScalarNode s && s.getTag().equals(TreeBuilder.PLAIN) && s.getValue().isEmpty()) continue;
                // Each document's aliases are its own: the builder sees the marks of this document only.
                List<Mark> own = new ArrayList<>(parser.aliasMarks.subList(marks, parser.aliasMarks.size()));
                documents.add(new TreeBuilder(file, lines, own).build(root));
            }
        } catch (MarkedYAMLException e) {
            throw syntaxError(e, file, lines);
        } catch (UserInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw limitError(e, parser, file, lines);
        }
        return documents;
    }

    private static Node emptyMapping(String file, boolean lines) {
        return new Node.Mapping(new LinkedHashMap<>(), new HashMap<>(), new SourceRef(file, lines ? 1 : 0));
    }

    static UserInputException tooDeep(SourceRef at) {
        return UserInputException.of(at, "", "lists and maps nest more than " + MAX_DEPTH + " levels deep here;"
                + " dbstack reads up to " + MAX_DEPTH);
    }

    private static UserInputException syntaxError(MarkedYAMLException e, String file, boolean lines) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        SourceRef at = at(file, lines, mark);
        String problem = oneLine(e.getProblem());
        if (problem.startsWith("found undefined alias ")) {
            String name = CoreSchema.abbreviate(problem.substring("found undefined alias ".length()), 60);
            return UserInputException.of(at, "", "alias *" + name + " names no anchor: write &" + name
                    + " on a value above it");
        }
        String context = e.getContext() == null ? "" : " (" + oneLine(e.getContext()) + ")";
        return UserInputException.of(at, "", "invalid YAML: " + (problem.isEmpty() ? "cannot be read" : problem) + context);
    }

    private static UserInputException limitError(RuntimeException e, RecordingParser parser, String file, boolean lines) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("Nesting Depth exceeded")) {
            Mark mark = parser.peekedMark();
            return tooDeep(at(file, lines, mark != null ? mark : parser.last));
        }
        SourceRef at = at(file, lines, parser.last);
        if (message.startsWith("Number of aliases")) {
            return UserInputException.of(at, "", "more than " + MAX_COLLECTION_ALIASES + " aliases of lists or maps;"
                    + " dbstack reads up to " + MAX_COLLECTION_ALIASES);
        }
        if (message.contains("exceeds the limit")) return FileText.tooLarge(new SourceRef(file, 0), MAX_FILE_BYTES + 1L);
        // Anything else SnakeYAML refuses: its message, if it is one a user can read.
        String said = oneLine(message);
        boolean readable = !said.isEmpty() && !said.matches("(?s).*(Exception|java\\.|org\\.|\\$).*");
        return UserInputException.of(at, "", "invalid YAML" + (readable ? ": " + said : ""));
    }

    /** A message part on one line and of reasonable length (SnakeYAML's may quote the text, which may be huge). */
    private static String oneLine(String s) {
        return s == null ? "" : CoreSchema.abbreviate(s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "), 200);
    }

    /** Jackson's description of a JSON syntax error, without its notes on where the source was. */
    private static String jsonProblem(StreamReadException e) {
        String m = oneLine(e.getOriginalMessage());
        m = m.replaceAll("\\s*\\((start marker )?at \\[Source:.*?]\\)", "");
        m = m.replaceAll("\\s*at \\[Source:.*?]", "");
        return m.isEmpty() ? "cannot be read" : m;
    }

    private static SourceRef at(String file, boolean lines, Mark mark) {
        return new SourceRef(file, lines && mark != null ? mark.getLine() + 1 : 0);
    }

    /**
     * YAML allows printable characters only (tab, line breaks and U+0085 aside, no control
     * characters) and a byte order mark only at the start. Checked here, with the line, before
     * SnakeYAML sees the text.
     */
    private static void checkCharacters(String text, String file, boolean lines) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (!printable(c)) {
                int line = lines ? lineAt(text, i) : 0;
                String what;
                if (c == 0xFEFF) {
                    what = "a byte order mark (U+FEFF) in the middle of the text, where YAML does not allow one"
                            + " (were two files joined?); remove it";
                } else if (Character.isSurrogate((char) c)) {
                    what = "half of a UTF-16 surrogate pair, which is not a character; the text is damaged";
                } else {
                    what = String.format("the control character U+%04X, which YAML does not allow; remove it", c);
                }
                throw UserInputException.of(new SourceRef(file, line), "", "contains " + what);
            }
            i += Character.charCount(c);
        }
    }

    private static boolean printable(int c) {
        return (c >= 0x20 && c <= 0x7E) || c == 0x9 || c == 0xA || c == 0xD || c == 0x85
                || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    /** The 1-based line of {@code index}, counting line breaks as SnakeYAML does. */
    static int lineAt(CharSequence text, int index) {
        int line = 1;
        for (int i = 0; i < index && i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029'
                    || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                line++;
            }
        }
        return line;
    }

    /** The parser in front of the composer: notes where each alias is written and where parsing got to. */
    private static final class RecordingParser implements Parser {
        private final Parser parser;
        final List<Mark> aliasMarks = new ArrayList<>();
        Mark last;

        RecordingParser(Parser parser) {
            this.parser = parser;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            return parser.checkEvent(choice);
        }

        @Override
        public Event peekEvent() {
            return parser.peekEvent();
        }

        @Override
        public Event getEvent() {
            Event e = parser.getEvent();
            last = e.getStartMark();
            if (e instanceof AliasEvent) aliasMarks.add(e.getStartMark());
            return e;
        }

        /** The start of the event the composer looked at last, if it can be had without parsing further. */
        Mark peekedMark() {
            try {
                return parser.peekEvent().getStartMark();
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
