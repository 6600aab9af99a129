package dev.dbstack.model;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for misspelt keys and names: the closest candidate by edit distance, if close. */
public final class Suggest {
    private Suggest() {}

    public static Optional<String> closest(String wrong, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int allowed = Math.max(2, wrong.length() / 3);
        for (String c : candidates) {
            // The length difference bounds the distance from below: skipping such candidates keeps a
            // megabyte-long typo from costing a megabyte-by-key matrix.
            if (Math.abs(c.length() - wrong.length()) > allowed) continue;
            int d = distance(wrong.toLowerCase(), c.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** " (did you mean 'x'?)" or "". */
    public static String didYouMean(String wrong, Collection<String> candidates) {
        return closest(wrong, candidates).map(c -> "; did you mean '" + c + "'?").orElse("");
    }

    /** {@code 'text'}, abbreviated. */
    public static String quote(String text) {
        return "'" + abbreviate(text) + "'";
    }

    /** Text for a message: as written when short, else its start and how long it is. */
    public static String abbreviate(String text) {
        String oneLine = text.length() <= MAX_QUOTED && text.indexOf('\n') < 0 ? text : null;
        if (oneLine != null) return oneLine;
        String start = text.lines().findFirst().orElse("");
        if (start.length() > MAX_QUOTED) start = start.substring(0, MAX_QUOTED);
        return start + "… (" + text.length() + " characters)";
    }

    private static final int MAX_QUOTED = 80;

    /** Levenshtein distance with adjacent transpositions counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
