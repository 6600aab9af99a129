package dev.dbstack.catalog;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Judges a change of version on a database that already holds data, by its component's
 * {@link Component.VersionChanges}: safe, allowed only when the user names the layer, or refused.
 * The words are for the person reading the plan: what would happen and what to do instead.
 */
public final class VersionChange {
    /** Variables of the {@code before} and {@code after} texts. */
    public static final List<String> TEMPLATE_VARIABLES = List.of("from", "to");

    public enum Verdict {
        /** The server runs on the data in place. */
        SAFE,
        /** Possible, but only with {@code --allow-major-upgrade <app>/<layer>}. */
        NEEDS_MAJOR_UPGRADE_FLAG,
        /** Possible, but only with {@code --allow-downgrade <app>/<layer>}. */
        NEEDS_DOWNGRADE_FLAG,
        /** Never in place: the data must move to a new layer. */
        REFUSED
    }

    /**
     * @param change      {@code PostgreSQL 17 → 18}
     * @param explanation what the server would do with the data, and for a flag what to check first
     * @param after       what to do once the change is applied (empty when nothing)
     */
    public record Judgement(Verdict verdict, String change, String explanation, String after) {}

    private VersionChange() {}

    public static Judgement judge(Component c, String from, String to) {
        String change = c.title() + " " + from + " → " + to;
        Component.VersionChanges rules = c.versionChanges();
        String fromFamily = c.familyOf(from).orElse(null);
        String toFamily = c.familyOf(to).orElse(to);
        int order = compare(from, to);
        if (from.equals(to) || order == 0) return new Judgement(Verdict.SAFE, change, "", "");

        if (toFamily.equals(fromFamily)) {
            if (order < 0) {
                return new Judgement(Verdict.SAFE, change, "a newer release of " + c.title() + " " + toFamily
                        + " runs on the data in place", "");
            }
            boolean floating = from.equals(fromFamily);
            boolean sameFormat = rules.downgradesWithin(fromFamily);
            if (floating) {
                return new Judgement(Verdict.NEEDS_DOWNGRADE_FLAG, change, "'" + from + "' follows the newest "
                        + c.title() + " " + from + " release, so " + to + " may be older than what runs now"
                        + (sameFormat ? "; " + c.title() + " " + fromFamily + " releases share one on-disk format, so"
                        + " an older one still opens the data"
                        : ", and " + c.title() + " " + fromFamily + " releases do not open data a newer one wrote:"
                        + " pin exactly the release that runs now (the pod's image ID tells which)"), "");
            }
            if (sameFormat) {
                return new Judgement(Verdict.NEEDS_DOWNGRADE_FLAG, change, "a downgrade within " + c.title() + " "
                        + fromFamily + ", whose releases share one on-disk format, so " + to + " still opens the data", "");
            }
            return new Judgement(Verdict.REFUSED, change, "a downgrade: " + c.title() + " " + fromFamily
                    + " releases do not open data a newer release wrote, so the database would not start again", "");
        }

        if (order > 0) {
            return new Judgement(Verdict.REFUSED, change, "a downgrade: " + c.title() + " " + toFamily
                    + " cannot open data that " + (fromFamily != null ? fromFamily : from)
                    + " wrote, so the database would not start again", "");
        }
        List<String> families = c.versions();
        int fromIndex = fromFamily == null ? -1 : families.indexOf(fromFamily);
        int toIndex = families.indexOf(toFamily);
        String crossed = rules.incompatibleFrom().stream()
                .filter(f -> compare(label(fromFamily, from), f) < 0 && compare(f, toFamily) <= 0).findFirst().orElse(null);
        if (crossed != null) {
            return new Judgement(Verdict.REFUSED, change, c.title() + " " + crossed + " starts a new on-disk format: "
                    + c.title() + " " + toFamily + " does not open data that " + label(fromFamily, from)
                    + " wrote, and nothing converts it in place", "");
        }
        boolean allowed = switch (rules.upgrade()) {
            case "any" -> true;
            case "next" -> fromIndex >= 0 && toIndex == fromIndex + 1;
            default -> false;
        };
        if (!allowed) {
            String why;
            if (rules.upgrade().equals("none")) {
                why = c.title() + " does not upgrade its data from " + label(fromFamily, from) + " to " + toFamily
                        + " in place: the new server would not open it" + (c.storageFor(from).mountPath()
                        .equals(c.storageFor(to).mountPath()) ? "" : ", and it looks for its data in another place ("
                        + c.storageFor(from).mountPath() + " → " + c.storageFor(to).mountPath()
                        + ") where it would start an empty database");
            } else if (fromIndex < 0) {
                why = "dbstack's catalog no longer lists " + c.title() + " " + from + ", so the upgrade path from it is unknown";
            } else {
                why = c.title() + " upgrades its data one version family at a time: " + String.join(" → ",
                        families.subList(fromIndex, toIndex + 1)) + (c.versionChanges().before() == null ? ""
                        : "; before each step, " + expand(c.versionChanges().before(), fromFamily, families.get(fromIndex + 1)))
                        + ". Change the version one step per `up`";
            }
            return new Judgement(Verdict.REFUSED, change, why, "");
        }
        String after = rules.after() == null ? "" : expand(rules.after(), fromFamily, toFamily);
        if (rules.upgradeBy().equals("flag")) {
            return new Judgement(Verdict.NEEDS_MAJOR_UPGRADE_FLAG, change, "the server upgrades its data files on start"
                    + (rules.before() == null ? "" : " only when " + expand(rules.before(), fromFamily, toFamily))
                    + "; there is no way back to " + fromFamily, after);
        }
        return new Judgement(Verdict.SAFE, change, "the server upgrades its data to " + toFamily + " on its first start"
                + (rules.before() == null ? "" : "; " + expand(rules.before(), fromFamily, toFamily))
                + "; there is no way back to " + label(fromFamily, from), after);
    }

    /** The way to a version no in-place change reaches, Maestro's: a new layer, the data moved, consumers switched. */
    public static String migrationPath(Component c, String layer, String to) {
        String how = c.versionChanges().migration();
        return "to run " + c.title() + " " + to + ", add a new " + c.type() + " layer on version " + to
                + " under another name, move the data" + (how == null ? "" : " (" + how + ")")
                + ", switch the consumers to the new layer, then remove " + layer;
    }

    private static String label(String family, String version) {
        return family != null ? family : version;
    }

    private static String expand(String template, String from, String to) {
        return CatalogTemplate.expand(template, Map.of("from", from == null ? "" : from, "to", to));
    }

    /**
     * Orders two versions by their numeric parts. Where one is a prefix of the other, the shorter is
     * the newer: a family tag ({@code 17}) follows the newest release of the family.
     */
    public static int compare(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] != y[i]) return Integer.compare(x[i], y[i]);
        }
        return Integer.compare(y.length, x.length);
    }

    private static int[] numbers(String version) {
        return Arrays.stream(version.split("[.-]"))
                .takeWhile(s -> s.matches("\\d{1,9}"))
                .mapToInt(Integer::parseInt)
                .toArray();
    }
}
