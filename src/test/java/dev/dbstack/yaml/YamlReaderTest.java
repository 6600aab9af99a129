package dev.dbstack.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dbstack.model.Problem;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The YAML reading layer, table by table: what valid input reads as (values and lines), and that
 * every kind of bad input is answered with one {@link UserInputException} naming the file and, where
 * there is one, the line, in words (no Java class names), within seconds.
 *
 * <p>Where alias lines point: an alias's value is the anchored value with the alias's line on its
 * outermost node; what is inside keeps the lines where it is written (the anchor's side), and so do
 * keys a merge key brings in.
 */
class YamlReaderTest {
    private static final String FILE = "stacks/Pulumi.test.yaml";
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    // ---- valid input: what it reads as ------------------------------------------------------

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("alias of a scalar", "lvl: &lvl info\nlog: *lvl\n", "{lvl='info', log='info'}"),
                Arguments.of("alias of a number", "size: &size 10\nother: *size\n", "{size=int 10, other=int 10}"),
                Arguments.of("alias of a map", "base: &res {cpu: 1, memory: 1Gi}\nx: {resources: *res}\n",
                        "{base={cpu=int 1, memory='1Gi'}, x={resources={cpu=int 1, memory='1Gi'}}}"),
                Arguments.of("alias of a list", "a: &ports [80, 443]\nb: *ports\n", "{a=[int 80, int 443], b=[int 80, int 443]}"),
                Arguments.of("anchor redefined", "a: &x 1\nb: *x\nc: &x 2\nd: *x\n", "{a=int 1, b=int 1, c=int 2, d=int 2}"),
                Arguments.of("alias inside an aliased value", "a: &a 1\nb: &b [*a, *a]\nc: [*b, *b]\n",
                        "{a=int 1, b=[int 1, int 1], c=[[int 1, int 1], [int 1, int 1]]}"),
                Arguments.of("merge one map, explicit key wins", "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n",
                        "{base={a=int 1, b=int 2}, x={a=int 1, b=int 3}}"),
                Arguments.of("explicit key before the merge wins too", "base: &b {a: 1, b: 2}\nx: {b: 3, <<: *b}\n",
                        "{base={a=int 1, b=int 2}, x={b=int 3, a=int 1}}"),
                Arguments.of("merge a list of maps, the first wins", "a: &a {k: 1, m: 1}\nb: &b {k: 2, n: 2}\nx: {<<: [*a, *b], z: 0}\n",
                        "{a={k=int 1, m=int 1}, b={k=int 2, n=int 2}, x={k=int 1, m=int 1, n=int 2, z=int 0}}"),
                Arguments.of("merge an inline map", "x: {<<: {a: 1}, b: 2}\n", "{x={a=int 1, b=int 2}}"),
                Arguments.of("merge of a map that merges", "a: &a {p: 1}\nb: &b {<<: *a, q: 2}\nx: {<<: *b}\n",
                        "{a={p=int 1}, b={p=int 1, q=int 2}, x={p=int 1, q=int 2}}"),
                Arguments.of("quoted << is an ordinary key", "'<<': 1\n", "{<<=int 1}"),
                Arguments.of("tag !!str", "a: !!str 17\nb: !!str true\n", "{a='17', b='true'}"),
                Arguments.of("tag !!int", "a: !!int \"17\"\nb: !!int 0x10\n", "{a=int 17, b=int 16}"),
                Arguments.of("tag !!float", "a: !!float 1\nb: !!float 2.50\nc: !!float .inf\n", "{a=dec 1, b=dec 2.50, c=dbl Infinity}"),
                Arguments.of("tag !!bool", "a: !!bool 'true'\nb: !!bool FALSE\n", "{a=true, b=false}"),
                Arguments.of("tag !!null", "a: !!null ''\nb: !!null ~\n", "{a=null, b=null}"),
                Arguments.of("tags !!map and !!seq", "a: !!map {b: 1}\nc: !!seq [1]\n", "{a={b=int 1}, c=[int 1]}"),
                Arguments.of("quoted scalars are strings", "a: '17'\nb: \"true\"\nc: 'null'\nd: \"1e3\"\n",
                        "{a='17', b='true', c='null', d='1e3'}"),
                Arguments.of("block scalars are strings", "a: |\n  17\nb: >-\n  true\n", "{a='17\n', b='true'}"),
                Arguments.of("YAML 1.1 words are text", "a: on\nb: yes\nc: no\nd: off\ne: y\n",
                        "{a='on', b='yes', c='no', d='off', e='y'}"),
                Arguments.of("YAML 1.1 numbers are text", "a: 1:30\nb: 0b101\nc: 1_000\nd: 0X1F\ne: 0O17\n",
                        "{a='1:30', b='0b101', c='1_000', d='0X1F', e='0O17'}"),
                Arguments.of("empty file", "", "{}"),
                Arguments.of("only comments", "# nothing\n\n# here\n", "{}"),
                Arguments.of("only a document marker", "---\n", "{}"),
                Arguments.of("one document with markers", "---\na: 1\n...\n", "{a=int 1}"),
                Arguments.of("leading byte order mark", "\uFEFFa: 1\n", "{a=int 1}"),
                Arguments.of("flow YAML that is not JSON", "{a: 1, b: [x, 'y']}\n", "{a=int 1, b=['x', 'y']}"),
                Arguments.of("JSON", "{\"a\": 1, \"b\": [true, null, \"x\", 2.50, -0]}\n",
                        "{a=int 1, b=[true, null, 'x', dec 2.50, int 0]}"),
                Arguments.of("JSON indented with tabs", "{\n\t\"a\": {\n\t\t\"b\": [1,\t2]\n\t}\n}\n", "{a={b=[int 1, int 2]}}"),
                Arguments.of("JSON array root with tabs", "[\n\t1,\n\t{\"a\": 1e3}\n]\n", "[int 1, {a=dec 1E+3}]"),
                Arguments.of("a long line", "a: " + "x".repeat(200_000) + "\n", "{a='" + "x".repeat(200_000) + "'}"),
                Arguments.of("64 levels of nesting", "[".repeat(64) + "1" + "]".repeat(64) + "\n",
                        "[".repeat(64) + "int 1" + "]".repeat(64)),
                Arguments.of("64 levels of nesting through an alias", "a: &a " + "[".repeat(30) + "1" + "]".repeat(30) + "\nb: "
                        + "[".repeat(33) + "*a" + "]".repeat(33) + "\n",
                        "{a=" + "[".repeat(30) + "int 1" + "]".repeat(30) + ", b=" + "[".repeat(63) + "int 1" + "]".repeat(63) + "}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void readsValidInput(String name, String yaml, String expected) {
        Node node = assertTimeoutPreemptively(HANG_GUARD, () -> YamlReader.readFile(write(yaml), FILE));
        assertThat(show(node)).isEqualTo(expected);
    }

    // ---- numbers: YAML 1.2 core schema -------------------------------------------------------

    static Stream<Arguments> numbers() {
        return Stream.of(
                Arguments.of("17", new BigInteger("17")),
                Arguments.of("+17", new BigInteger("17")),
                Arguments.of("-17", new BigInteger("-17")),
                Arguments.of("010", new BigInteger("10")),
                Arguments.of("-0", BigInteger.ZERO),
                Arguments.of("0o17", new BigInteger("15")),
                Arguments.of("0x1f", new BigInteger("31")),
                Arguments.of("0xFF", new BigInteger("255")),
                Arguments.of("123456789012345678901234567890", new BigInteger("123456789012345678901234567890")),
                Arguments.of("8.0", new BigDecimal("8.0")),
                Arguments.of("7.10", new BigDecimal("7.10")),
                Arguments.of("-1.5", new BigDecimal("-1.5")),
                Arguments.of(".5", new BigDecimal("0.5")),
                Arguments.of("+.5", new BigDecimal("0.5")),
                Arguments.of("5.", new BigDecimal("5")),
                Arguments.of("1e3", new BigDecimal("1e3")),
                Arguments.of("1E+3", new BigDecimal("1e3")),
                Arguments.of("2.5e-3", new BigDecimal("0.0025")),
                Arguments.of("1e1000", new BigDecimal("1e1000")),
                Arguments.of(".inf", Double.POSITIVE_INFINITY),
                Arguments.of("+.Inf", Double.POSITIVE_INFINITY),
                Arguments.of("-.INF", Double.NEGATIVE_INFINITY),
                Arguments.of(".nan", Double.NaN),
                Arguments.of(".NaN", Double.NaN),
                Arguments.of(".NAN", Double.NaN),
                Arguments.of("true", Boolean.TRUE),
                Arguments.of("True", Boolean.TRUE),
                Arguments.of("FALSE", Boolean.FALSE),
                Arguments.of("~", null),
                Arguments.of("null", null),
                Arguments.of("Null", null),
                Arguments.of("NULL", null),
                Arguments.of("", null),
                Arguments.of("tRUE", "tRUE"),
                Arguments.of("nULL", "nULL"),
                Arguments.of("1.2.3", "1.2.3"),
                Arguments.of("0x", "0x"),
                Arguments.of("0o8", "0o8"),
                Arguments.of("1e", "1e"),
                Arguments.of("-.", "-."),
                Arguments.of(".", "."),
                Arguments.of("+", "+"),
                Arguments.of("1.5Gi", "1.5Gi"),
                Arguments.of("250m", "250m"),
                Arguments.of("inf", "inf"),
                Arguments.of("nan", "nan"));
    }

    @ParameterizedTest(name = "v: {0}")
    @MethodSource("numbers")
    void plainScalarsFollowTheCoreSchema(String text, Object expected) {
        Node.Scalar s = (Node.Scalar) ((Node.Mapping) YamlReader.readFile(write("v: " + text + "\n"), FILE)).entries().get("v");
        if (expected == null) {
            assertThat(s.value()).isNull();
        } else {
            assertThat(s.value()).isInstanceOf(expected.getClass());
            if (expected instanceof BigDecimal d) assertThat((BigDecimal) s.value()).isEqualByComparingTo(d);
            else assertThat(s.value()).isEqualTo(expected);
        }
        assertThat(s.text()).isEqualTo(text);
    }

    // ---- lines -------------------------------------------------------------------------------

    @Test
    void nodesKeepTheirLinesAndAliasesTheLineOfTheirUse() {
        String yaml = """
                base: &res
                  cpu: 1
                  memory: 1Gi
                size: &size 10
                layers:
                  - name: a
                    resources: *res
                    storage: *size
                  - <<: *res
                    name: b
                """;
        Node.Mapping root = (Node.Mapping) YamlReader.readFile(write(yaml), FILE);
        Node.Mapping a = (Node.Mapping) ((Node.Sequence) root.entries().get("layers")).items().get(0);
        Node.Mapping resources = (Node.Mapping) a.entries().get("resources");
        assertThat(resources.source()).isEqualTo(new SourceRef(FILE, 7)); // where the alias is used
        assertThat(resources.keySources().get("cpu").line()).isEqualTo(2); // where the key is written
        assertThat(resources.entries().get("memory").source().line()).isEqualTo(3);
        assertThat(a.entries().get("storage").source().line()).isEqualTo(8);
        assertThat(((Node.Scalar) a.entries().get("storage")).value()).isEqualTo(BigInteger.TEN);

        Node.Mapping b = (Node.Mapping) ((Node.Sequence) root.entries().get("layers")).items().get(1);
        assertThat(b.entries().keySet()).containsExactly("cpu", "memory", "name");
        assertThat(b.keySources().get("cpu").line()).isEqualTo(2); // merged: where it is written
        assertThat(b.keySources().get("name").line()).isEqualTo(10);
        assertThat(b.source().line()).isEqualTo(9);
    }

    @Test
    void jsonKeepsLinesAndPulumisJsonHasNone() {
        String json = "{\n\t\"a\": {\n\t\t\"b\": [1,\n\t\t\t2]\n\t}\n}";
        Node.Mapping root = (Node.Mapping) YamlReader.readFile(write(json), FILE);
        Node.Mapping a = (Node.Mapping) root.entries().get("a");
        assertThat(root.keySources().get("a").line()).isEqualTo(2);
        assertThat(((Node.Sequence) a.entries().get("b")).items().get(1).source().line()).isEqualTo(4);

        Node fromPulumi = YamlReader.read(new StringReader(json), FILE, false);
        assertThat(show(fromPulumi)).isEqualTo("{a={b=[int 1, int 2]}}");
        assertThat(((Node.Mapping) fromPulumi).entries().get("a").source()).isEqualTo(new SourceRef(FILE, 0));
        assertThat(YamlReader.read(new StringReader("\"text\""), FILE, false)).isEqualTo(new Node.Scalar("text", "text", new SourceRef(FILE, 0)));
    }

    // ---- everything else is answered with one clear message ------------------------------------

    /** A failing case: the file's bytes (or how to make it), what the message says, and its line (0: none). */
    record Bad(String name, Setup setup, String message, int line) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Setup {
        Path make(Path dir) throws Exception;
    }

    static Bad bad(String name, String yaml, String message, int line) {
        return bad(name, yaml.getBytes(StandardCharsets.UTF_8), message, line);
    }

    static Bad bad(String name, byte[] bytes, String message, int line) {
        return new Bad(name, dir -> Files.write(dir.resolve("Pulumi.test.yaml"), bytes), message, line);
    }

    static Stream<Bad> invalid() throws IOException {
        List<Bad> cases = new ArrayList<>();
        // anchors and aliases
        cases.add(bad("undefined alias", "a: 1\nb: *nope\n", "alias *nope names no anchor: write &nope on a value above it", 2));
        cases.add(bad("alias before its anchor", "a: *x\nb: &x 1\n", "alias *x names no anchor", 1));
        cases.add(bad("recursive list", "a: &a [1, *a]\n", "alias *a is used inside the value it names (&a at line 1)", 1));
        cases.add(bad("recursive map", "a: &a\n  b:\n    c: *a\n", "alias *a is used inside the value it names", 3));
        cases.add(bad("billion laughs", billionLaughs(), "aliases in this file stand for more than 100000 values", 0));
        cases.add(bad("many aliases of a big list", "a: &a [" + "1, ".repeat(200) + "1]\nb: [" + "*a, ".repeat(600) + "*a]\n",
                "aliases in this file stand for more than 100000 values", 2));
        cases.add(bad("too many aliases of lists", "a: &a [1]\nb: [" + "*a, ".repeat(1001) + "*a]\n",
                "more than 1000 aliases of lists or maps", 2));
        cases.add(bad("merge of a scalar", "a: &a 1\nb:\n  <<: *a\n", "<<: merges maps: give it a map or a list of maps", 3));
        cases.add(bad("merge of a list of scalars", "b:\n  <<: [1, 2]\n", "<<: merges maps", 2));
        cases.add(bad("two merge keys", "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n", "<<: duplicate key (first at line 3)", 4));
        // keys
        cases.add(bad("duplicate key", "a: 1\nb: 2\na: 3\n", "a: duplicate key (first at line 1)", 3));
        cases.add(bad("duplicate key after merging is fine, two explicit are not",
                "base: &b {a: 1}\nx:\n  <<: *b\n  a: 2\n  a: 3\n", "a: duplicate key (first at line 4)", 5));
        cases.add(bad("duplicate key written differently", "1: a\n\"1\": b\n", "1: duplicate key (first at line 1)", 2));
        cases.add(bad("duplicate JSON key", "{\n\t\"a\": 1,\n\t\"a\": 2\n}\n", "a: duplicate key (first at line 2)", 3));
        cases.add(bad("list as key", "? [a, b]\n: 1\n", "a key must be a single value, not a list", 1));
        cases.add(bad("map as key", "x:\n  ? {a: 1}\n  : 1\n", "a key must be a single value, not a map", 2));
        cases.add(bad("alias of a map as key", "a: &m {k: 1}\n? *m\n: 2\n", "a key must be a single value, not a map", 2));
        // tags
        for (String tag : List.of("!!binary aGVsbG8=", "!!timestamp 2001-12-14", "!custom x", "!!python/object:os.system x",
                "!<tag:example.com,2000:thing> x", "!!set {a}", "!!omap [a: 1]")) {
            String shown = tag.substring(0, tag.indexOf(' ')).replace("!<", "").replace(">", "");
            cases.add(bad("tag " + shown, "a: 1\nb: " + tag + "\n", "YAML tag " + shown + " is not supported; write the value as plain text", 2));
        }
        cases.add(bad("a tag of a million characters", "a: !" + "x".repeat(1_000_000) + " 1\n", "YAML tag !xxxxxxxx", 1));
        cases.add(bad("an undefined alias of a million characters", "a: *" + "x".repeat(1_000_000) + "\n", "alias *xxxxxxx", 1));
        cases.add(bad("a duplicate key of a million characters", "? " + "k".repeat(1_000_000) + "\n: 1\n? " + "k".repeat(1_000_000)
                + "\n: 2\n", "kkk...: duplicate key (first at line 1)", 3));
        cases.add(bad("!!binary block", "a: !!binary |\n  R0lGODlhDAAMAIQAAP\n", "YAML tag !!binary is not supported", 1));
        cases.add(bad("!!int on text", "a: !!int abc\n", "'abc' is tagged !!int but is not a whole number", 1));
        cases.add(bad("!!int on a fraction", "a: !!int 1.5\n", "is tagged !!int but is not a whole number", 1));
        cases.add(bad("!!bool on yes", "a: !!bool yes\n", "'yes' is tagged !!bool but is not true or false", 1));
        cases.add(bad("!!null on text", "a: !!null x\n", "is tagged !!null but is not null", 1));
        cases.add(bad("!!float on text", "a: !!float x\n", "is tagged !!float but is not a number", 1));
        cases.add(bad("!!map on a scalar", "a: !!map x\n", "YAML tag !!map is for maps, but it is written on a single value", 1));
        cases.add(bad("!!seq on a map", "a: !!seq {b: 1}\n", "YAML tag !!seq does not fit a map", 1));
        cases.add(bad("!!str on a list", "a: !!str [1]\n", "YAML tag !!str does not fit a list", 1));
        // numbers
        cases.add(bad("a thousand and one digits", "a: " + "9".repeat(1001) + "\n", "this number is 1001 characters long", 1));
        cases.add(bad("a million digits", "a: " + "1".repeat(1_000_000) + "\n", "this number is 1000000 characters long", 1));
        cases.add(bad("huge exponent", "a: 1e5000\n", "the exponent of 1e5000 is out of range", 1));
        cases.add(bad("exponent beyond int", "a: 1e99999999999\n", "the exponent of 1e99999999999 is out of range", 1));
        cases.add(bad("long hex", "a: 0x" + "f".repeat(2000) + "\n", "characters long", 1));
        cases.add(bad("huge JSON number", "{\"a\": " + "1".repeat(5000) + "}", "this number is 5000 characters long", 1));
        // syntax
        cases.add(bad("unclosed flow list", "a: [1, 2\nb: 3\n", "invalid YAML:", 0));
        cases.add(bad("tab indentation", "a:\n\tb: 1\n", "invalid YAML: found character '\\t(TAB)' that cannot start any token", 2));
        cases.add(bad("bad indentation", "a:\n  b: 1\n c: 2\n", "invalid YAML:", 3));
        cases.add(bad("unclosed quote", "a: \"abc\nb: 1\n", "invalid YAML: found unexpected end of stream", 3));
        cases.add(bad("bad escape", "a: \"\\q\"\n", "invalid YAML: found unknown escape character", 1));
        cases.add(bad("several documents", "a: 1\n---\nb: 2\n", "expected a single YAML document", 2));
        cases.add(bad("several JSON documents", "{\"a\": 1}\n{\"b\": 2}\n", "expected a single YAML document", 2));
        cases.add(bad("JSON with tabs and a missing comma", "{\n\t\"a\": 1\n\t\"b\": 2\n}\n", "invalid JSON: Unexpected character", 3));
        cases.add(bad("directive twice", "%YAML 1.2\n%YAML 1.2\n---\na: 1\n", "invalid YAML: found duplicate YAML directive", 2));
        // nesting
        cases.add(bad("65 levels of nesting", "[".repeat(65) + "]".repeat(65) + "\n", "nest more than 64 levels deep", 1));
        cases.add(bad("deep flow nesting", "[".repeat(100) + "]".repeat(100) + "\n", "nest more than 64 levels deep", 1));
        cases.add(bad("a million open brackets", "[".repeat(1_000_000), "nest more than 64 levels deep", 1));
        cases.add(bad("deep JSON nesting", "{\"a\":".repeat(100) + "1" + "}".repeat(100), "nest more than 64 levels deep", 1));
        cases.add(bad("deep block nesting", deepBlock(80), "nest more than 64 levels deep", 0));
        cases.add(bad("deep through aliases", "a: &a " + "[".repeat(40) + "1" + "]".repeat(40) + "\nb: " + "[".repeat(40) + "*a"
                + "]".repeat(40) + "\n", "nest more than 64 levels deep", 2));
        // characters and encodings
        cases.add(bad("Latin-1", latin1("a: 1\nb: 2\nname: café\n"), "is not UTF-8 text: byte 0xE9 on this line is not valid UTF-8", 3));
        cases.add(bad("Windows-1252 quote", new byte[] {'a', ':', ' ', (byte) 0x93, 'x', (byte) 0x94, '\n'}, "is not UTF-8 text: byte 0x93", 1));
        cases.add(bad("truncated UTF-8", new byte[] {'a', ':', ' ', (byte) 0xE2, (byte) 0x82}, "is not UTF-8 text", 1));
        cases.add(bad("UTF-8 encoded surrogate", new byte[] {'a', ':', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, "is not UTF-8 text", 1));
        cases.add(bad("UTF-16 LE with BOM", withBom("a: 1\n", "UTF-16LE", 0xFF, 0xFE), "is UTF-16 text; save it as UTF-8", 0));
        cases.add(bad("UTF-16 BE with BOM", withBom("a: 1\n", "UTF-16BE", 0xFE, 0xFF), "is UTF-16 text; save it as UTF-8", 0));
        cases.add(bad("UTF-16 LE without BOM", "a: 1\n".getBytes(StandardCharsets.UTF_16LE), "is UTF-16 text (little-endian, without a byte order mark); save it as UTF-8", 0));
        cases.add(bad("UTF-16 BE without BOM", "a: 1\n".getBytes(StandardCharsets.UTF_16BE), "is UTF-16 text (big-endian, without a byte order mark)", 0));
        cases.add(bad("UTF-32 with BOM", withBom("a: 1\n", "UTF-32LE", 0xFF, 0xFE, 0, 0), "is UTF-32 text; save it as UTF-8", 0));
        cases.add(bad("UTF-32 BE without BOM", "a: 1\n".getBytes(java.nio.charset.Charset.forName("UTF-32BE")), "is UTF-32 text", 0));
        cases.add(bad("byte order mark in the middle", "a: 1\n\uFEFFb: 2\n", "contains a byte order mark (U+FEFF) in the middle", 2));
        cases.add(bad("two files joined", "\uFEFFa: 1\n\uFEFFb: 2\n", "contains a byte order mark (U+FEFF) in the middle", 2));
        cases.add(bad("control character", "a: 1\nb: x\u0007y\n", "contains the control character U+0007", 2));
        cases.add(bad("escape character", "a: \u001B[31mred\n", "contains the control character U+001B", 1));
        cases.add(bad("NUL byte", "a: 1\nb: x\u0000\n", "is a binary file (it holds NUL bytes), not YAML", 2));
        cases.add(bad("gzip", gzip("a: 1\n"), "is a binary file (gzip), not YAML", 0));
        cases.add(bad("zip", zip("a: 1\n"), "is a binary file (zip), not YAML", 0));
        cases.add(bad("ELF executable", elf(), "is a binary file (ELF executable), not YAML", 0));
        cases.add(bad("PNG", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, "is a binary file (PNG image), not YAML", 0));
        cases.add(bad("random binary", random(), "is a binary file", 0));
        // files
        cases.add(new Bad("missing file", dir -> dir.resolve("Pulumi.test.yaml"), "not found", 0));
        cases.add(new Bad("directory", dir -> Files.createDirectory(dir.resolve("Pulumi.test.yaml")), "is a directory, not a file", 0));
        cases.add(new Bad("named pipe", YamlReaderTest::fifo, "is not a regular file", 0));
        cases.add(new Bad("a byte over the size limit", dir -> Files.write(dir.resolve("Pulumi.test.yaml"),
                ("a: " + "x".repeat(YamlReader.MAX_FILE_BYTES - 3) + "\n").getBytes(StandardCharsets.UTF_8)),
                "is 4,194,305 bytes, more than dbstack reads (4 MiB, 4,194,304 bytes)", 0));
        cases.add(new Bad("a sparse 10 GB file", dir -> {
            Path p = dir.resolve("Pulumi.test.yaml");
            try (var f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(10L << 30);
            }
            return p;
        }, "is 10,737,418,240 bytes, more than dbstack reads (4 MiB", 0));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void answersBadInputWithOneClearMessage(Bad c) throws Exception {
        Path file = c.setup().make(dir);
        Throwable thrown = assertTimeoutPreemptively(HANG_GUARD, () -> catchThrowable(() -> YamlReader.readFile(file, FILE)));

        assertThat(thrown).as(c.name()).isInstanceOf(UserInputException.class);
        UserInputException e = (UserInputException) thrown;
        assertThat(e.problems()).hasSize(1);
        Problem p = e.problems().get(0);
        String message = p.render();
        assertThat(message).startsWith(FILE + (c.line() > 0 ? ":" + c.line() + ": " : ":"));
        assertThat(message).contains(c.message());
        assertThat(message).doesNotContain("Exception", "java.", "org.", "snakeyaml", "jackson");
        assertThat(message).hasSizeLessThan(400);
    }

    @Test
    void syntaxErrorsHaveALine() {
        for (String yaml : List.of("a: [1, 2\nb: 3\n", "a:\n  b: 1\n c: 2\n", "a: 'x\n", "{a: 1\n", "a: b: c\n", "- a\nb: 1\n",
                "a: &\n", "a: *\n", "a: !<>\n", "? a\n? a\n", "a:\n  - b\n  c: 1\n")) {
            UserInputException e = catchThrowableOfTypeIn(yaml);
            assertThat(e.problems().get(0).source().line()).as(yaml).isPositive();
            assertThat(e.getMessage()).as(yaml).startsWith(FILE + ":").doesNotContain("Exception", "java.", "org.");
        }
    }

    private UserInputException catchThrowableOfTypeIn(String yaml) {
        Path file = write(yaml);
        Throwable t = assertTimeoutPreemptively(HANG_GUARD, () -> catchThrowable(() -> YamlReader.readFile(file, FILE)));
        assertThat(t).as(yaml).isInstanceOf(UserInputException.class);
        return (UserInputException) t;
    }

    // ---- cost: proportional to the input --------------------------------------------------------

    @Test
    void aLargeValueCostsMemoryInProportionToItsSize() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String value = "x".repeat(2 << 20);
        for (String yaml : List.of("a: " + value + "\n", "a: \"" + value + "\"\n", "a: |\n  " + value + "\n")) {
            Path file = write(yaml);
            long before = threads.getCurrentThreadAllocatedBytes();
            Node node = YamlReader.readFile(file, FILE);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(((Node.Scalar) ((Node.Mapping) node).entries().get("a")).text()).startsWith(value);
            // About 30 bytes per character of a 2 MB value (bytes, text, code points, token, value); it was 4000.
            assertThat(allocated).as("bytes allocated reading a 2 MB value").isLessThan(150L << 20);
        }
    }

    @Test
    void theLargestFileIsReadInSeconds() {
        StringBuilder yaml = new StringBuilder("layers:\n");
        for (int i = 0; yaml.length() < YamlReader.MAX_FILE_BYTES - 100; i++) {
            yaml.append("  - {name: cache-").append(i).append(", type: redis, storage: 2, version: \"8.2\"}\n");
        }
        Path file = write(yaml.toString());
        Node node = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> YamlReader.readFile(file, FILE));
        assertThat(((Node.Sequence) ((Node.Mapping) node).entries().get("layers")).items()).hasSizeGreaterThan(50_000);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Path write(String yaml) {
        try {
            return Files.writeString(dir.resolve("Pulumi.test.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Values with their kinds: int 1, dec 1.5, dbl Infinity, 'text', true, null. */
    static String show(Node node) {
        if (node instanceof Node.Mapping m) {
            return m.entries().entrySet().stream().map(e -> e.getKey() + "=" + show(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (node instanceof Node.Sequence s) return s.items().stream().map(YamlReaderTest::show).collect(Collectors.joining(", ", "[", "]"));
        Object v = ((Node.Scalar) node).value();
        if (v instanceof String text) return "'" + text + "'";
        if (v instanceof BigInteger i) return "int " + i;
        if (v instanceof BigDecimal d) return "dec " + d;
        if (v instanceof Double d) return "dbl " + d;
        return String.valueOf(v);
    }

    private static String billionLaughs() {
        StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            y.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, "*" + prev))).append("]\n");
            prev = c;
        }
        return y.toString();
    }

    private static String deepBlock(int depth) {
        StringBuilder y = new StringBuilder();
        for (int i = 0; i < depth; i++) y.append(" ".repeat(i)).append("k").append(i).append(":\n");
        return y.append(" ".repeat(depth)).append("x\n").toString();
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] withBom(String text, String charset, int... bom) {
        byte[] body = text.getBytes(java.nio.charset.Charset.forName(charset));
        byte[] out = new byte[bom.length + body.length];
        for (int i = 0; i < bom.length; i++) out[i] = (byte) bom[i];
        System.arraycopy(body, 0, out, bom.length, body.length);
        return out;
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] zip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("Pulumi.test.yaml"));
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The start of a real ELF file if one is at hand, else its magic and a header's worth of zeros. */
    private static byte[] elf() throws IOException {
        for (String p : List.of("/bin/true", "/usr/bin/true", "/bin/sh")) {
            Path bin = Path.of(p);
            if (Files.isRegularFile(bin)) {
                try (var in = Files.newInputStream(bin)) {
                    byte[] head = in.readNBytes(4096);
                    if (head.length > 4 && head[0] == 0x7F && head[1] == 'E') return head;
                }
            }
        }
        byte[] b = new byte[64];
        b[0] = 0x7F;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        return b;
    }

    private static byte[] random() {
        byte[] b = new byte[4096];
        new java.util.Random(42).nextBytes(b);
        for (int i = 0; i < b.length; i++) if (b[i] == 0) b[i] = 1; // no NUL: found by its other bytes
        b[0] = 'a'; // no magic number either
        return b;
    }

    private static Path fifo(Path dir) throws Exception {
        Path p = dir.resolve("Pulumi.test.yaml");
        // mkfifo is coreutils on every machine this project builds on; a test that cannot make its pipe fails.
        Process mk = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        assertThat(mk.waitFor()).as("mkfifo %s", p).isZero();
        return p;
    }
}
