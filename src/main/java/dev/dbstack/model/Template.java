package dev.dbstack.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A string that may consume output variables of lower layers, in Palette's syntax:
 * {@code postgres://{{.spectro.app.$appDeploymentName.postgresql-1.POSTGRESMSTR_SVC}}:5432}.
 * Parsed once into literal text and references; resolution happens in render.
 *
 * <p>The grammar: literal text, in which neither {@code {{} nor {@code }}} may appear, and
 * references {@code {{ .spectro.app.<app>.<layer>.<VARIABLE> }}}, with optional spaces or tabs just
 * inside the braces and nothing else: a reference is one line, unbroken. Anything else that uses the
 * braces is an error, never literal text, because a typo there would otherwise reach the running
 * container as text.
 */
public record Template(String raw, List<Part> parts) {

    public static final String CURRENT_APP = "$appDeploymentName";
    private static final String OPEN = "{{";
    private static final String CLOSE = "}}";
    private static final String PREFIX = ".spectro.app.";
    private static final String EXPECTED = "expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}";

    public Template {
        parts = List.copyOf(parts);
    }

    public sealed interface Part permits Literal, Reference {}

    public record Literal(String text) implements Part {}

    /** {@code app} is either {@code $appDeploymentName} (the current app) or an app name. */
    public record Reference(String app, String layer, String variable) implements Part {
        public boolean isCurrentApp() {
            return CURRENT_APP.equals(app);
        }

        @Override
        public String toString() {
            return "{{.spectro.app." + app + "." + layer + "." + variable + "}}";
        }
    }

    /**
     * Parses {@code raw}. Every misuse of the braces is reported, with where it is in the value
     * (character positions count from 1): an unclosed {@code {{}, a {@code }}} that closes nothing, a
     * reference inside a reference, a reference broken over lines (as a YAML block or folded scalar
     * writes a long one), and braces around something that is not an output reference.
     *
     * @throws IllegalArgumentException with a message for the user; it does not name the key, the caller does
     */
    public static Template parse(String raw) throws IllegalArgumentException {
        List<Part> parts = new ArrayList<>();
        int literalStart = 0;
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith(CLOSE, i)) {
                throw new IllegalArgumentException("'}}' at character " + (i + 1) + " closes no '{{'"
                        + "; if the braces are meant as text (JSON, say), put a space between them");
            }
            if (!raw.startsWith(OPEN, i)) {
                i++;
                continue;
            }
            int close = closingBraces(raw, i);
            if (i > literalStart) parts.add(new Literal(raw.substring(literalStart, i)));
            parts.add(reference(raw, i, close));
            i = close + CLOSE.length();
            literalStart = i;
        }
        if (literalStart < raw.length()) parts.add(new Literal(raw.substring(literalStart)));
        return new Template(raw, parts);
    }

    /** Where the {@code }}} that closes the {@code {{} at {@code open} starts; anything in between is on one line. */
    private static int closingBraces(String raw, int open) {
        for (int j = open + OPEN.length(); j < raw.length(); j++) {
            if (raw.startsWith(CLOSE, j)) return j;
            if (raw.startsWith(OPEN, j)) {
                throw new IllegalArgumentException("'{{' at character " + (j + 1) + " is inside the reference opened at"
                        + " character " + (open + 1) + ", which is not closed before it; references cannot be nested");
            }
            if (isLineBreak(raw.charAt(j))) {
                int next = nextBraces(raw, j);
                if (next >= 0 && raw.startsWith(CLOSE, next)) {
                    throw new IllegalArgumentException("a reference must be on one line: the reference opened at"
                            + " character " + (open + 1) + " has a line break at character " + (j + 1)
                            + " (a YAML block value, '|' or '>', keeps the line breaks written in it)");
                }
                break;
            }
        }
        throw new IllegalArgumentException("unclosed '{{' at character " + (open + 1)
                + (raw.indexOf(CLOSE, open) < 0 ? "" : " (it is not closed on its line)") + "; " + EXPECTED);
    }

    /** The position of the next {@code {{} or {@code }}} at or after {@code from}, or -1. */
    private static int nextBraces(String raw, int from) {
        int open = raw.indexOf(OPEN, from);
        int close = raw.indexOf(CLOSE, from);
        if (open < 0) return close;
        if (close < 0) return open;
        return Math.min(open, close);
    }

    /** The reference between the braces at {@code open} and {@code close}, which hold no line break. */
    private static Reference reference(String raw, int open, int close) {
        int start = open + OPEN.length();
        int end = close;
        while (start < end && isBlank(raw.charAt(start))) start++;
        while (end > start && isBlank(raw.charAt(end - 1))) end--;
        String body = raw.substring(start, end);
        String whole = raw.substring(open, close + CLOSE.length());
        if (withoutWhitespace(body).startsWith(".spectro")) {
            for (int k = start; k < end; k++) {
                if (Character.isWhitespace(raw.charAt(k))) {
                    throw new IllegalArgumentException("a reference must be on one line, without spaces inside: the"
                            + " reference opened at character " + (open + 1) + " has a space at character " + (k + 1)
                            + " (a folded YAML value, '>', turns a line break into a space)");
                }
            }
        }
        String[] path = body.startsWith(PREFIX) ? body.substring(PREFIX.length()).split("\\.", -1) : new String[0];
        if (path.length != 3 || !isAppName(path[0]) || !isLayerName(path[1]) || !isVariableName(path[2])) {
            throw new IllegalArgumentException("'" + whole + "' is not an output reference; " + EXPECTED);
        }
        return new Reference(path[0], path[1], path[2]);
    }

    private static String withoutWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.chars().filter(c -> !Character.isWhitespace(c)).forEach(c -> out.append((char) c));
        return out.toString();
    }

    /** {@code $appDeploymentName} or an app deployment's name. */
    private static boolean isAppName(String s) {
        return s.equals(CURRENT_APP) || (!s.isEmpty() && s.chars().allMatch(c -> isLowerAlnum(c) || c == '-'));
    }

    private static boolean isLayerName(String s) {
        return !s.isEmpty() && isAlnum(s.charAt(0)) && s.chars().allMatch(c -> isAlnum(c) || c == '_' || c == '-');
    }

    private static boolean isVariableName(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> isAlnum(c) || c == '_');
    }

    private static boolean isLowerAlnum(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAlnum(int c) {
        return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r';
    }

    /** Whitespace allowed just inside the braces: what a person types, not a line break. */
    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) && !isLineBreak(c);
    }

    public List<Reference> references() {
        return parts.stream().filter(Reference.class::isInstance).map(Reference.class::cast).toList();
    }

    public boolean isLiteral() {
        return parts.stream().allMatch(Literal.class::isInstance);
    }
}
