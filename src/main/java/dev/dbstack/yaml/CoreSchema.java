package dev.dbstack.yaml;

import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What a scalar means, by YAML 1.2's core schema (what Pulumi and most current YAML tools read),
 * not SnakeYAML's YAML 1.1 rules: {@code on}, {@code yes} and {@code no} are text, {@code 1:30} is
 * text, {@code 010} is ten. Whole numbers become {@link BigInteger}, other numbers {@link BigDecimal}
 * (exactly as written), infinity and not-a-number {@link Double}.
 */
final class CoreSchema {
    /**
     * The longest number read, in characters. Turning a digit string into a number costs time that
     * grows faster than its length, and no setting needs a thousand digits.
     */
    static final int MAX_NUMBER_LENGTH = 1000;
    /** The largest power of ten a number may be written with ({@code 1e1000}). */
    static final int MAX_EXPONENT = 1000;

    private static final Set<String> NULL = Set.of("~", "null", "Null", "NULL", "");
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern INFINITY = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
    private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");

    private CoreSchema() {}

    /** An untagged plain (unquoted) scalar. */
    static Object plain(String text, SourceRef at) {
        if (text.isEmpty()) return null;
        char first = text.charAt(0);
        // Everything that is not text starts with one of these; the rest is text without a second look.
        if ("~nNtTfF+-.0123456789".indexOf(first) < 0) return text;
        if (NULL.contains(text)) return null;
        if (TRUE.contains(text)) return Boolean.TRUE;
        if (FALSE.contains(text)) return Boolean.FALSE;
        Object number = number(text, at);
        return number != null ? number : text;
    }

    /** A number in any core-schema notation, or null when the text is not one. */
    private static Object number(String text, SourceRef at) {
        char first = text.charAt(0);
        if (first != '+' && first != '-' && first != '.' && (first < '0' || first > '9')) return null;
        if (INFINITY.matcher(text).matches()) return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (NAN.matcher(text).matches()) return Double.NaN;
        boolean decimal = DECIMAL.matcher(text).matches();
        boolean octal = !decimal && OCTAL.matcher(text).matches();
        boolean hex = !decimal && !octal && HEX.matcher(text).matches();
        boolean fraction = !decimal && !octal && !hex && FLOAT.matcher(text).matches();
        if (!decimal && !octal && !hex && !fraction) return null;
        if (text.length() > MAX_NUMBER_LENGTH) {
            throw UserInputException.of(at, "", "this number is " + text.length() + " characters long; dbstack reads"
                    + " numbers of up to " + MAX_NUMBER_LENGTH + " characters (quote it if it is meant as text)");
        }
        if (decimal) return new BigInteger(text);
        if (octal) return new BigInteger(text.substring(2), 8);
        if (hex) return new BigInteger(text.substring(2), 16);
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        if (e >= 0) {
            String exponent = text.substring(e + 1).replaceFirst("^[-+]", "").replaceFirst("^0+(?=.)", "");
            if (exponent.length() > 4 || Integer.parseInt(exponent) > MAX_EXPONENT) {
                throw UserInputException.of(at, "", "the exponent of " + text + " is out of range; dbstack reads"
                        + " numbers written with exponents of up to " + MAX_EXPONENT + " (quote it if it is meant as text)");
            }
        }
        return new BigDecimal(text);
    }

    /** A scalar with an explicit tag ({@code !!str 17}), or a quoted one (which YAML tags {@code !!str}). */
    static Object tagged(Tag tag, String text, SourceRef at) {
        if (tag.equals(Tag.STR)) return text;
        if (tag.equals(Tag.NULL)) {
            if (NULL.contains(text)) return null;
            throw mismatch(tag, text, "null (null, ~ or nothing)", at);
        }
        if (tag.equals(Tag.BOOL)) {
            if (TRUE.contains(text)) return Boolean.TRUE;
            if (FALSE.contains(text)) return Boolean.FALSE;
            throw mismatch(tag, text, "true or false", at);
        }
        if (tag.equals(Tag.INT)) {
            Object n = text.isEmpty() ? null : number(text, at);
            if (n instanceof BigInteger) return n;
            throw mismatch(tag, text, "a whole number", at);
        }
        if (tag.equals(Tag.FLOAT)) {
            Object n = text.isEmpty() ? null : number(text, at);
            if (n instanceof BigInteger i) return new BigDecimal(i);
            if (n != null) return n;
            throw mismatch(tag, text, "a number", at);
        }
        if (tag.equals(Tag.MAP) || tag.equals(Tag.SEQ)) {
            throw UserInputException.of(at, "", "YAML tag " + display(tag) + " is for " + (tag.equals(Tag.MAP) ? "maps" : "lists")
                    + ", but it is written on a single value");
        }
        throw unsupported(tag, at);
    }

    static UserInputException unsupported(Tag tag, SourceRef at) {
        return UserInputException.of(at, "", "YAML tag " + display(tag) + " is not supported; write the value as plain text");
    }

    private static UserInputException mismatch(Tag tag, String text, String expected, SourceRef at) {
        return UserInputException.of(at, "", "'" + abbreviate(text) + "' is tagged " + display(tag) + " but is not " + expected);
    }

    /** A tag as it is usually written: {@code !!binary} rather than {@code tag:yaml.org,2002:binary}. */
    static String display(Tag tag) {
        String value = tag.getValue();
        return abbreviate(value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value, 60);
    }

    /** A value short enough for a one-line message. */
    static String abbreviate(String text) {
        return abbreviate(text, 40);
    }

    /** At most {@code max} characters of {@code text}, "..." at the end when it is cut. */
    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
