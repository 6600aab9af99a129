package dev.dbstack.yaml;

import java.io.StringReader;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.scanner.Constant;

/**
 * SnakeYAML's scanner input over a text already in memory, as one array of code points.
 *
 * <p>SnakeYAML's own {@link StreamReader} keeps a window of the input that starts at the token being
 * scanned and grows by 1024 characters at a time, copying the whole window each time
 * ({@code Arrays.copyOfRange} in its {@code update()}). A single long token (a plain or quoted
 * scalar, a block scalar's long line) is therefore copied about length/1024 times: reading a 1 MB
 * value allocated 2 GB, a 2 MB value 8.6 GB, and took a second. Here the text is decoded once and
 * the scanner indexes into it, so reading costs time and memory in proportion to the text. Marks
 * share the one array, so they cost nothing extra either.
 *
 * <p>It does not check which characters the text holds: {@link YamlReader} has done that, with
 * line numbers, before any scanning.
 */
final class WholeTextReader extends StreamReader {
    private final String name;
    private final int[] text;
    private int pointer;
    private int documentIndex;
    private int line;
    private int column;

    WholeTextReader(String text, String name) {
        super(new StringReader(""));
        this.name = name;
        this.text = text.codePoints().toArray();
    }

    /** The scanner often asks twice at one position (a token's start, a possible key's start): one Mark serves both. */
    private Mark mark;

    @Override
    public Mark getMark() {
        if (mark == null || mark.getIndex() != pointer) mark = new Mark(name, pointer, line, column, text, pointer);
        return mark;
    }

    @Override
    public void forward() {
        forward(1);
    }

    /** Moves over {@code length} code points, counting lines as SnakeYAML does. */
    @Override
    public void forward(int length) {
        for (int i = 0; i < length && pointer < text.length; i++) {
            int c = text[pointer++];
            documentIndex++;
            if (Constant.LINEBR.has(c) || (c == '\r' && pointer < text.length && text[pointer] != '\n')) {
                line++;
                column = 0;
            } else if (c != 0xFEFF) {
                column++;
            }
        }
    }

    @Override
    public int peek() {
        return pointer < text.length ? text[pointer] : '\0';
    }

    @Override
    public int peek(int index) {
        return index >= 0 && pointer + index < text.length ? text[pointer + index] : '\0';
    }

    @Override
    public String prefix(int length) {
        return new String(text, pointer, Math.max(0, Math.min(length, text.length - pointer)));
    }

    /** Only called for text without line breaks, as in SnakeYAML. */
    @Override
    public String prefixForward(int length) {
        String prefix = prefix(length);
        pointer += length;
        documentIndex += length;
        column += length;
        return prefix;
    }

    @Override
    public int getColumn() {
        return column;
    }

    @Override
    public int getDocumentIndex() {
        return documentIndex;
    }

    @Override
    public void resetDocumentIndex() {
        documentIndex = 0;
    }

    @Override
    public int getIndex() {
        return pointer;
    }

    @Override
    public int getLine() {
        return line;
    }
}
