package dev.dbstack.model;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version (semver.org 2.0) of an app profile, ordered as the spec says: by major, minor and patch,
 * a pre-release below its release, pre-release identifiers compared one by one (numbers numerically, below
 * words), build metadata ignored.
 */
public record SemVer(long major, long minor, long patch, List<String> preRelease, String text) implements Comparable<SemVer> {
    private static final Pattern FORM = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?");

    public static boolean isValid(String text) {
        return text != null && FORM.matcher(text).matches();
    }

    /** @throws IllegalArgumentException when {@code text} is not a semantic version */
    public static SemVer parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) throw new IllegalArgumentException("'" + text + "' is not a semantic version such as 1.0.0");
        try {
            return new SemVer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4) == null ? List.of() : List.of(m.group(4).split("\\.", -1)), text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a number too large for a semantic version");
        }
    }

    /** Newest first is {@code Comparator.reverseOrder()}; this is oldest first. */
    public static final Comparator<String> ORDER = Comparator.comparing(SemVer::parse);

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) c = Long.compare(minor, o.minor);
        if (c == 0) c = Long.compare(patch, o.patch);
        if (c != 0) return c;
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = identifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) return c;
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int identifier(String a, String b) {
        boolean na = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
        boolean nb = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
        if (na && nb) return new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
        if (na != nb) return na ? -1 : 1;
        return a.compareTo(b);
    }

    @Override
    public String toString() {
        return text;
    }
}
