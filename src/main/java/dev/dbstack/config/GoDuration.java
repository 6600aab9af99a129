package dev.dbstack.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.Duration} text, which Velero takes for a TTL and {@code @every}: {@link #parse} as
 * {@code time.ParseDuration} reads it ({@code 720h}, {@code 1h30m}, {@code 1.5h}; units ns, us, µs, ms, s, m, h),
 * {@link #format} as {@code Duration.String()} writes it ({@code 720h0m0s}), the form Velero stores.
 */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)([^0-9.]*)");
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /** Why {@code time.ParseDuration} refuses {@code text}, or empty. */
    static Optional<String> problem(String text) {
        try {
            nanos(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The duration in nanoseconds, as {@code time.ParseDuration}; throws with a message when it is none. */
    static long nanos(String text) {
        String t = text;
        boolean negative = false;
        if (t.startsWith("-") || t.startsWith("+")) {
            negative = t.startsWith("-");
            t = t.substring(1);
        }
        if (t.equals("0")) return 0;
        if (t.isEmpty()) throw new IllegalArgumentException("is not a duration");
        BigDecimal total = BigDecimal.ZERO;
        Matcher m = PART.matcher(t);
        int at = 0;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                throw new IllegalArgumentException("is not a duration: expected a number at '" + t.substring(at) + "'");
            }
            String unit = m.group(2);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("needs a unit after '" + m.group(1) + "': ns, us, ms, s, m or h, e.g. "
                        + t + "m");
            }
            BigDecimal scale = switch (unit) {
                case "ns" -> BigDecimal.ONE;
                case "us", "µs", "μs" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000L);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
                default -> throw new IllegalArgumentException("has unit '" + unit + "', which a Go duration does not have"
                        + hint(m.group(1), unit) + " (units: ns, us, ms, s, m, h)");
            };
            total = total.add(new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1)).multiply(scale));
            at = m.end();
        }
        BigInteger n = total.toBigInteger(); // Go truncates fractions of a nanosecond
        if (n.compareTo(MAX) > 0) throw new IllegalArgumentException("is longer than Go durations go (about 2562047h)");
        return negative ? -n.longValueExact() : n.longValueExact();
    }

    /** For days, weeks and years: the same in hours. */
    private static String hint(String number, String unit) {
        long hours = switch (unit) {
            case "d" -> 24;
            case "w" -> 24 * 7;
            case "y" -> 24 * 365;
            default -> 0;
        };
        if (hours == 0) return "";
        BigDecimal h;
        try {
            h = new BigDecimal(number).multiply(BigDecimal.valueOf(hours)).stripTrailingZeros();
        } catch (NumberFormatException e) {
            return "";
        }
        return ": Velero takes hours, " + h.toPlainString() + "h";
    }

    /** {@code Duration.String()}: {@code 720h0m0s}, {@code 1m30s}, {@code 1.5s}, {@code 500ms}, {@code 0s}. */
    static String format(long nanos) {
        if (nanos == 0) return "0s";
        String sign = nanos < 0 ? "-" : "";
        BigInteger u = BigInteger.valueOf(nanos).abs();
        BigInteger second = BigInteger.valueOf(1_000_000_000L);
        if (u.compareTo(second) < 0) {
            long v = u.longValueExact();
            if (v < 1_000) return sign + v + "ns";
            if (v < 1_000_000) return sign + fraction(v, 3) + "µs";
            return sign + fraction(v, 6) + "ms";
        }
        BigInteger[] sf = u.divideAndRemainder(second);
        long secs = sf[0].longValueExact();
        String s = fraction(secs % 60 * 1_000_000_000L + sf[1].longValueExact(), 9) + "s";
        long mins = secs / 60;
        if (mins == 0) return sign + s;
        String m = mins % 60 + "m" + s;
        long hours = mins / 60;
        return sign + (hours == 0 ? m : hours + "h" + m);
    }

    /** {@code v / 10^digits} with the fraction's trailing zeros dropped. */
    private static String fraction(long v, int digits) {
        return new BigDecimal(BigInteger.valueOf(v), digits).stripTrailingZeros().toPlainString();
    }
}
