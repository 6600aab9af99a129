package dev.dbstack.catalog;

import java.util.Arrays;

/** A version comparison such as {@code >=18} or {@code <=17}, on dotted numeric versions. */
public record VersionRange(String operator, String bound) {

    public static VersionRange parse(String text) {
        String t = text.trim();
        for (String op : new String[] {">=", "<=", ">", "<", "="}) {
            if (t.startsWith(op)) return new VersionRange(op, t.substring(op.length()).trim());
        }
        return new VersionRange("=", t);
    }

    public boolean contains(String version) {
        int c = compare(version, bound);
        return switch (operator) {
            case ">=" -> c >= 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case "<" -> c < 0;
            default -> c == 0;
        };
    }

    /**
     * Compares the leading numeric parts; a version is compared only as deep as the bound is
     * written, so {@code 17.6} counts as {@code 17} against the bound {@code 17}.
     */
    static int compare(String version, String bound) {
        int[] v = numbers(version);
        int[] b = numbers(bound);
        for (int i = 0; i < b.length; i++) {
            int vi = i < v.length ? v[i] : 0;
            if (vi != b[i]) return Integer.compare(vi, b[i]);
        }
        return 0;
    }

    private static int[] numbers(String version) {
        return Arrays.stream(version.split("[.-]"))
                .takeWhile(s -> s.matches("\\d+"))
                .mapToInt(Integer::parseInt)
                .toArray();
    }
}
