package dev.dbstack.config;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Velero schedule checked the way Velero parses it: robfig/cron v3's {@code ParseStandard}. Five fields
 * (minute hour day-of-month month day-of-week) of {@code *}, {@code ?}, numbers, ranges {@code a-b}, steps
 * {@code /n} and lists {@code a,b}, months and weekdays also by name ({@code JAN}, {@code MON}); or a
 * descriptor ({@code @daily}, {@code @every 6h}); either after an optional {@code CRON_TZ=<zone> } or
 * {@code TZ=<zone> }. Written after robfig/cron's {@code parser.go}, with messages that name the field.
 */
final class CronSchedule {
    private record Field(String name, int min, int max, List<String> names) {}

    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    private static final List<Field> FIELDS = List.of(
            new Field("minute", 0, 59, List.of()),
            new Field("hour", 0, 23, List.of()),
            new Field("day-of-month", 1, 31, List.of()),
            new Field("month", 1, 12, MONTHS),
            new Field("day-of-week", 0, 6, DAYS));
    private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
            "@midnight", "@hourly");
    private static final String FORM = "five fields (minute hour day-of-month month day-of-week, e.g. '0 3 * * *'),"
            + " or one of " + String.join(", ", DESCRIPTORS) + ", @every <duration>";

    private CronSchedule() {}

    /** Why Velero would refuse {@code schedule}, or empty when it takes it. */
    static Optional<String> problem(String schedule) {
        String spec = schedule.strip();
        if (spec.isEmpty()) return Optional.of("is empty: write " + FORM);
        if (spec.startsWith("CRON_TZ=") || spec.startsWith("TZ=")) {
            int space = indexOfSpace(spec);
            String zone = spec.substring(spec.indexOf('=') + 1, space < 0 ? spec.length() : space);
            if (!isZone(zone)) {
                return Optional.of("time zone '" + zone + "' is not a zone Velero knows: write an IANA zone such as"
                        + " Europe/Berlin, or UTC");
            }
            if (space < 0) return Optional.of("has a time zone but no schedule after it: write e.g. '" + spec + " 0 3 * * *'");
            spec = spec.substring(space).strip();
        }
        if (spec.startsWith("@")) {
            if (spec.startsWith("@every ")) {
                String text = spec.substring("@every ".length()).strip();
                return GoDuration.problem(text).map(p -> "@every takes a Go duration such as 6h or 90m: '" + text + "' " + p);
            }
            if (DESCRIPTORS.contains(spec)) return Optional.empty();
            return Optional.of("'" + spec + "' is not a descriptor Velero knows: use one of " + String.join(", ", DESCRIPTORS)
                    + ", @every <duration>");
        }
        String[] fields = spec.split("[ \\t\\n\\r\\f\\u000B]+");
        if (fields.length != 5) {
            return Optional.of("'" + spec + "' has " + fields.length + " field" + (fields.length == 1 ? "" : "s")
                    + "; Velero takes " + FORM + (fields.length == 6 ? " (no seconds field)" : ""));
        }
        for (int i = 0; i < 5; i++) {
            Optional<String> p = field(fields[i], FIELDS.get(i));
            if (p.isPresent()) return p;
        }
        return Optional.empty();
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }

    /** What Go's {@code time.LoadLocation} finds: UTC, Local, or a zone of the IANA database. */
    private static boolean isZone(String zone) {
        return zone.equals("UTC") || zone.equals("Local") || !zone.isEmpty() && ZoneId.getAvailableZoneIds().contains(zone);
    }

    /** One field: a comma list of ranges, each {@code *|?|a|a-b} with an optional {@code /step}. */
    private static Optional<String> field(String text, Field f) {
        for (String expr : text.split(",", -1)) {
            String where = f.name() + " field '" + expr + "'";
            String[] rangeAndStep = expr.split("/", -1);
            if (rangeAndStep.length > 2) return Optional.of(where + " has more than one '/'");
            String[] lowHigh = rangeAndStep[0].split("-", -1);
            if (lowHigh.length > 2) return Optional.of(where + " has more than one '-'");
            int start;
            int end;
            if (lowHigh[0].equals("*") || lowHigh[0].equals("?")) {
                if (lowHigh.length == 2) return Optional.of(where + ": '" + expr + "' is not a range ('*' stands alone)");
                start = f.min();
                end = f.max();
            } else {
                Integer low = value(lowHigh[0], f);
                if (low == null) return Optional.of(notValue(where, lowHigh[0], f));
                start = low;
                end = low;
                if (lowHigh.length == 2) {
                    Integer high = value(lowHigh[1], f);
                    if (high == null) return Optional.of(notValue(where, lowHigh[1], f));
                    end = high;
                }
            }
            if (rangeAndStep.length == 2) {
                String step = rangeAndStep[1];
                if (!step.matches("\\+?[0-9]{1,9}")) {
                    return Optional.of(where + ": step '" + step + "' is not a whole number");
                }
                if (Integer.parseInt(step) == 0) return Optional.of(where + ": step 0 never fires; a step is 1 or more");
                if (lowHigh.length == 1 && !(lowHigh[0].equals("*") || lowHigh[0].equals("?"))) end = f.max(); // N/step: N to max
            }
            if (start < f.min() || start > f.max()) return Optional.of(outOfRange(f, start, expr));
            if (end < f.min() || end > f.max()) return Optional.of(outOfRange(f, end, expr));
            if (start > end) {
                return Optional.of(where + " starts after it ends (" + start + " > " + end + ")");
            }
        }
        return Optional.empty();
    }

    private static String outOfRange(Field f, int value, String expr) {
        return f.name() + " field '" + (expr.equals(Integer.toString(value)) ? expr : value + "' (in '" + expr)
                + (expr.equals(Integer.toString(value)) ? "'" : "')") + " is out of range " + f.min() + "-" + f.max()
                + (f.name().equals("day-of-week") && value == 7 ? " (Sunday is 0 or SUN)" : "");
    }

    private static String notValue(String where, String text, Field f) {
        String what = text.isEmpty() ? "an empty value" : "'" + text + "'";
        if (where.endsWith(" '" + text + "'")) return where + " is not a number" + (f.names().isEmpty() ? ""
                : " or a name (" + String.join(", ", f.names()).toUpperCase(Locale.ROOT) + ")");
        return where + ": " + what + " is not a number" + (f.names().isEmpty() ? ""
                : " or a name (" + String.join(", ", f.names()).toUpperCase(Locale.ROOT) + ")");
    }

    /** A number (Go's Atoi: optional sign, decimal digits), or one of the field's names, any case; null if neither. */
    private static Integer value(String text, Field f) {
        int named = f.names().indexOf(text.toLowerCase(Locale.ROOT));
        if (named >= 0) return named + (f.name().equals("month") ? 1 : 0);
        if (!text.matches("\\+?[0-9]{1,9}")) return null;
        return Integer.parseInt(text);
    }
}
