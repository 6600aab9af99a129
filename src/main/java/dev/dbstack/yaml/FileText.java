package dev.dbstack.yaml;

import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;

/**
 * A file's bytes as text, or one sentence saying why they are not YAML dbstack can read: a directory,
 * a pipe or device (never opened, reading one could wait forever), too large, binary, another encoding
 * than UTF-8, or bytes that are not valid UTF-8 (with the line of the first).
 */
final class FileText {
    /** Known binary formats by their first bytes; a text file cannot start with any of these. */
    private record Magic(String name, int... bytes) {}

    private static final List<Magic> MAGIC = List.of(
            new Magic("gzip", 0x1F, 0x8B),
            new Magic("zip", 'P', 'K', 3, 4),
            new Magic("zip", 'P', 'K', 5, 6),
            new Magic("zip", 'P', 'K', 7, 8),
            new Magic("ELF executable", 0x7F, 'E', 'L', 'F'),
            new Magic("xz", 0xFD, '7', 'z', 'X', 'Z', 0),
            new Magic("zstd", 0x28, 0xB5, 0x2F, 0xFD),
            new Magic("7z", '7', 'z', 0xBC, 0xAF, 0x27, 0x1C),
            new Magic("PNG image", 0x89, 'P', 'N', 'G'),
            new Magic("JPEG image", 0xFF, 0xD8, 0xFF),
            new Magic("PDF", '%', 'P', 'D', 'F', '-'),
            new Magic("Java class", 0xCA, 0xFE, 0xBA, 0xBE),
            new Magic("Mach-O executable", 0xCF, 0xFA, 0xED, 0xFE),
            new Magic("Mach-O executable", 0xCE, 0xFA, 0xED, 0xFE));

    private FileText() {}

    static String read(Path file, String display) {
        SourceRef at = new SourceRef(display, 0);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw UserInputException.of(at, "", "not found");
        } catch (IOException e) {
            throw UserInputException.of(at, "", "cannot read: " + reason(e));
        }
        if (attributes.isDirectory()) throw UserInputException.of(at, "", "is a directory, not a file");
        if (!attributes.isRegularFile()) {
            // A named pipe or a device would block or never end: do not open it at all.
            throw UserInputException.of(at, "", "is not a regular file (a named pipe, device or socket?); dbstack reads"
                    + " YAML from regular files only");
        }
        if (attributes.size() > YamlReader.MAX_FILE_BYTES) throw tooLarge(at, attributes.size());
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(YamlReader.MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw UserInputException.of(at, "", "not found");
        } catch (IOException e) {
            throw UserInputException.of(at, "", "cannot read: " + reason(e));
        }
        if (bytes.length > YamlReader.MAX_FILE_BYTES) throw tooLarge(at, bytes.length); // it grew since
        return decode(bytes, display);
    }

    static UserInputException tooLarge(SourceRef at, long size) {
        return UserInputException.of(at, "", String.format(Locale.ROOT, "is %,d bytes, more than dbstack reads (%d MiB, %,d bytes);"
                + " is it the right file?", size, YamlReader.MAX_FILE_BYTES >> 20, YamlReader.MAX_FILE_BYTES));
    }

    /** Strict UTF-8, after ruling out the other encodings YAML allows and binary files. */
    static String decode(byte[] bytes, String display) {
        SourceRef at = new SourceRef(display, 0);
        String encoding = otherEncoding(bytes);
        if (encoding != null) throw UserInputException.of(at, "", "is " + encoding + "; save it as UTF-8");
        for (Magic m : MAGIC) {
            if (startsWith(bytes, m.bytes())) throw UserInputException.of(at, "", "is a binary file (" + m.name() + "), not YAML");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw UserInputException.of(new SourceRef(display, lineOfByte(bytes, i)), "",
                        "is a binary file (it holds NUL bytes), not YAML");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            int bad = in.position();
            if (looksBinary(bytes)) throw UserInputException.of(at, "", "is a binary file, not YAML");
            out.flip();
            int line = YamlReader.lineAt(out, out.length());
            throw UserInputException.of(new SourceRef(display, line), "", String.format(Locale.ROOT, "is not UTF-8 text: byte 0x%02X on"
                    + " this line is not valid UTF-8 (Latin-1 or Windows-1252 text?); save the file as UTF-8",
                    bytes[bad] & 0xFF));
        }
        out.flip();
        return out.toString();
    }

    /**
     * UTF-16 or UTF-32, by byte order mark or, without one, by the zero bytes around the first ASCII
     * characters (how the YAML specification tells encodings apart); null for anything else.
     */
    private static String otherEncoding(byte[] b) {
        if (startsWith(b, 0x00, 0x00, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE, 0x00, 0x00)) return "UTF-32 text";
        if (startsWith(b, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE)) return "UTF-16 text";
        if (b.length >= 8 && zeroPattern(b, 4, 3) && ascii(b[3])) return "UTF-32 text (big-endian, without a byte order mark)";
        if (b.length >= 8 && zeroPattern(b, 4, 0) && ascii(b[0])) return "UTF-32 text (little-endian, without a byte order mark)";
        if (b.length >= 4 && zeroPattern(b, 2, 1) && ascii(b[1]) && ascii(b[3])) return "UTF-16 text (big-endian, without a byte order mark)";
        if (b.length >= 4 && zeroPattern(b, 2, 0) && ascii(b[0]) && ascii(b[2])) return "UTF-16 text (little-endian, without a byte order mark)";
        return null;
    }

    /** In the first 8 bytes (at most), every byte is zero except those at {@code offset} of each group of {@code width}. */
    private static boolean zeroPattern(byte[] b, int width, int offset) {
        int n = Math.min(8, b.length - b.length % width);
        for (int i = 0; i < n; i++) {
            if ((i % width == offset) == (b[i] == 0)) return false;
        }
        return true;
    }

    private static boolean ascii(byte b) {
        return b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b < 0x7F);
    }

    /** Control characters no text editor writes, near the start: more likely data than text in some other encoding. */
    private static boolean looksBinary(byte[] bytes) {
        int n = Math.min(bytes.length, 8192);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1B) return true;
        }
        return false;
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if ((bytes[i] & 0xFF) != prefix[i]) return false;
        return true;
    }

    private static int lineOfByte(byte[] bytes, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n'))) line++;
        }
        return line;
    }

    /** Why the file system said no, without Java's exception names. */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        String message = e.getMessage();
        return message == null || message.isBlank() ? "an input/output error" : message;
    }
}
