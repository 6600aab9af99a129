package dev.dbstack.catalog;

import dev.dbstack.model.Suggest;
import dev.dbstack.yaml.Node;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A layer's {@code parameters:} checked against its type's {@link Component.Parameters}, and rendered the way the
 * image reads them. A value is taken only in the one plain notation the server itself would read the same way:
 * YAML's other notations of a number ({@code 1e3}, {@code 0x10}, {@code 0o10}, {@code +5}, {@code .5}), a boolean
 * for a number, {@code 256 MB} with a space, a unit the server spells otherwise: each is refused with what the
 * parameter accepts, never guessed at.
 */
public final class ParameterValues {
    private ParameterValues() {}

    private static final Pattern WHOLE = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,9})?");
    private static final Pattern WITH_UNIT = Pattern.compile("(0|[1-9][0-9]{0,17})([A-Za-z]+)");

    /** The outcome for one value: the text to render, or why it is refused. */
    public record Checked(String value, String problem) {
        static Checked ok(String value) {
            return new Checked(value, null);
        }

        static Checked bad(String problem) {
            return new Checked(null, problem.replace("?; ", "? "));
        }
    }

    /** Why {@code name} is not a parameter of the type ({@code title}), with a suggestion and the accepted names. */
    public static String unknown(String name, String title, Component.Parameters p) {
        if (!p.any()) return title + " accepts no parameters in dbstack; leave parameters: out";
        return "unknown parameter '" + Suggest.abbreviate(name) + "' of " + title + Suggest.didYouMean(name, p.accepts().keySet())
                + " (accepted: " + String.join(", ", p.accepts().keySet()) + ")";
    }

    /** What a parameter accepts, for messages and the README: "a whole number from 1 to 262143". */
    public static String accepts(Component.Parameter p) {
        return switch (p.type()) {
            case "integer" -> "a whole number" + range(p);
            case "number" -> "a decimal number such as 1.5" + range(p);
            case "size" -> "a size: a whole number and a unit, no space (" + String.join(", ", p.units()) + "), such as 256"
                    + p.units().stream().filter(u -> u.equalsIgnoreCase("m") || u.equalsIgnoreCase("mb")).findFirst()
                    .orElse(p.units().get(0));
            case "duration" -> "a duration: a whole number and a unit, no space (" + String.join(", ", p.units())
                    + "), such as 500" + p.units().get(0);
            case "enum" -> "one of " + String.join(", ", p.values());
            case "boolean" -> "true or false" + (p.as().equals(List.of("true", "false")) ? ""
                    : " (written " + p.as().get(0) + " or " + p.as().get(1) + ")");
            default -> p.type();
        };
    }

    private static String range(Component.Parameter p) {
        if (p.min() != null && p.max() != null) return " from " + plain(p.min()) + " to " + plain(p.max());
        if (p.min() != null) return " of at least " + plain(p.min());
        if (p.max() != null) return " of at most " + plain(p.max());
        return "";
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    /** Checks one value as read from YAML; the result's value is what the server is given. */
    public static Checked check(String name, Component.Parameter p, Node node) {
        if (!(node instanceof Node.Scalar s) || s.value() == null) {
            return Checked.bad("expected a single value, got " + node.kindName() + "; " + name + " takes " + accepts(p));
        }
        Object v = s.value();
        String text = s.text().strip();
        String takes = "; " + name + " takes " + accepts(p);
        String written = Suggest.quote(s.text());
        if (p.type().equals("boolean")) {
            if (v instanceof Boolean b) return Checked.ok(b ? p.as().get(0) : p.as().get(1));
            return Checked.bad(written + " is not true or false" + takes
                    + (text.matches("(?i)yes|no|on|off|y|n|1|0") ? " (write true or false: YAML readers differ on " + written + ")" : ""));
        }
        if (v instanceof Boolean) return Checked.bad(written + " is a boolean" + takes);
        if (p.type().equals("enum")) {
            if (p.values().contains(text)) return Checked.ok(text);
            return Checked.bad(written + " is not accepted" + Suggest.didYouMean(text, p.values()) + takes);
        }
        String notation = otherNotation(v, text);
        if (notation != null) return Checked.bad(written + " is written " + notation + takes);
        return switch (p.type()) {
            case "integer" -> {
                if (!WHOLE.matcher(text).matches()) {
                    yield Checked.bad(written + " is not a whole number" + (text.matches(".*[0-9]\\s+[A-Za-z].*")
                            || text.matches("[0-9]+[A-Za-z]+") ? " (a count takes no unit)" : "") + takes);
                }
                yield inRange(new BigDecimal(text), text, p, written, takes);
            }
            case "number" -> {
                if (!DECIMAL.matcher(text).matches()) yield Checked.bad(written + " is not a decimal number such as 1.5" + takes);
                yield inRange(new BigDecimal(text), text, p, written, takes);
            }
            default -> withUnit(text, p, written, takes);
        };
    }

    /** YAML notations of a number that the server would read otherwise, or not at all; null for a plain one. */
    private static String otherNotation(Object v, String text) {
        String t = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        if (!(v instanceof BigInteger || v instanceof BigDecimal || v instanceof Double)) return null;
        if (t.matches("(?i)0x[0-9a-f]+")) return "in hexadecimal; write it in decimal: " + ((BigInteger) v);
        if (t.matches("(?i)0o[0-7]+")) return "in octal; write it in decimal: " + ((BigInteger) v);
        if (t.matches("(?i).*[0-9]e[-+]?[0-9]+")) {
            return "in exponent notation; write it out" + (v instanceof BigDecimal d ? ": " + plain(d) : "");
        }
        if (v instanceof Double) return "as infinity or NaN";
        if (text.startsWith("+")) return "with a plus sign; write it without";
        if (t.startsWith(".") || t.endsWith(".")) return "without a digit on each side of the point";
        if (t.matches("0[0-9]+.*")) return "with a leading zero (some YAML readers take it as octal); write it without";
        return null;
    }

    private static Checked inRange(BigDecimal d, String text, Component.Parameter p, String written, String takes) {
        if (p.min() != null && d.compareTo(p.min()) < 0 || p.max() != null && d.compareTo(p.max()) > 0) {
            return Checked.bad(written + " is out of range" + takes);
        }
        return Checked.ok(text);
    }

    private static Checked withUnit(String text, Component.Parameter p, String written, String takes) {
        Matcher m = WITH_UNIT.matcher(text);
        if (text.matches("0[0-9]+[A-Za-z]*")) {
            return Checked.bad(written + " is written with a leading zero; write it without" + takes);
        }
        if (!m.matches()) {
            if (text.matches("[0-9]+(\\.[0-9]+)?\\s+[A-Za-z]+")) {
                return Checked.bad(written + " has a space between the number and the unit; write " + text.replaceAll("\\s+", "") + takes);
            }
            if (text.matches("[0-9]+\\.[0-9]+[A-Za-z]*")) return Checked.bad(written + " is not a whole number" + takes);
            if (WHOLE.matcher(text).matches()) {
                return Checked.bad(written + " has no unit (the server would read it in a unit of its own)" + takes);
            }
            return Checked.bad(written + " is not " + (p.type().equals("size") ? "a size" : "a duration") + takes);
        }
        String unit = m.group(2);
        if (!p.units().contains(unit)) {
            String same = p.units().stream().filter(u -> u.equalsIgnoreCase(unit)).findFirst()
                    .or(() -> Suggest.closest(unit, p.units())).orElse(null);
            return Checked.bad(written + ": write the unit as one of " + String.join(", ", p.units())
                    + (same != null ? "; did you mean '" + m.group(1) + same + "'?" : "") + takes);
        }
        return Checked.ok(text);
    }

    // ---- rendering ------------------------------------------------------------------------------

    /** The config file's text for the checked values (by name, sorted); null for a type that takes flags. */
    public static String fileText(Component.Parameters p, Map<String, String> values) {
        if (p.file() == null) return null;
        StringBuilder b = new StringBuilder("# Rendered by dbstack from the layer's parameters:\n");
        if ("mycnf".equals(p.format())) b.append("[mysqld]\n");
        new TreeMap<>(values).forEach((k, v) -> b.append(k).append("mycnf".equals(p.format()) ? " = " : " ").append(v).append('\n'));
        return b.toString();
    }

    /** The container arguments for the checked values (by name, sorted); empty for a type that reads a file. */
    public static List<String> flags(Component.Parameters p, Map<String, String> values) {
        if (p.file() != null) return List.of();
        List<String> out = new java.util.ArrayList<>();
        new TreeMap<>(values).forEach((k, v) -> p.flag().forEach(f -> out.add(CatalogTemplate.expand(f, Map.of("name", k, "value", v)))));
        return out;
    }

    /** A catalog file's {@code parameters:} section, checked: the problems by key. */
    static void checkSpec(Component c, java.util.function.BiConsumer<String, String> bad) {
        Component.Parameters p = c.parameters();
        if (p == Component.Parameters.NONE) return;
        if (!c.hasServer()) {
            bad.accept("parameters", "has no meaning for workload: none, which runs no server");
            return;
        }
        if (p.accepts().isEmpty()) bad.accept("parameters.accepts", "must list at least one parameter, or leave parameters: out");
        if ((p.file() == null) == p.flag().isEmpty()) {
            bad.accept("parameters", "needs exactly one of file (with format) or flag");
        }
        if (p.file() != null) {
            if (!p.file().matches("(/[A-Za-z0-9_.-]+)+") || p.fileName().startsWith(".")) {
                bad.accept("parameters.file", "must be an absolute path of a file such as /etc/mysql/conf.d/dbstack.cnf");
            }
            if (!Component.Parameters.FORMATS.contains(p.format())) {
                bad.accept("parameters.format", "must be one of " + Component.Parameters.FORMATS);
            }
        } else {
            if (p.format() != null) bad.accept("parameters.format", "is for a file; flags take none");
            for (String f : p.flag()) {
                for (String v : CatalogTemplate.variables(f)) {
                    if (!v.equals("name") && !v.equals("value")) {
                        bad.accept("parameters.flag", "unknown template variable '" + v + "'; known: [name, value]");
                    }
                }
            }
        }
        for (Map.Entry<String, Component.Parameter> e : p.accepts().entrySet()) {
            String key = "parameters.accepts." + e.getKey();
            Component.Parameter a = e.getValue();
            if (!e.getKey().matches("[A-Za-z][A-Za-z0-9_.-]{0,63}")) bad.accept(key, "is not a parameter name");
            if (a == null || !Component.Parameter.TYPES.contains(a.type())) {
                bad.accept(key + ".type", "must be one of " + Component.Parameter.TYPES);
                continue;
            }
            boolean units = a.type().equals("size") || a.type().equals("duration");
            if (units == a.units().isEmpty()) bad.accept(key + ".units", units ? "are required for a " + a.type() : "are only for a size or a duration");
            if (a.units().stream().anyMatch(u -> !u.matches("[A-Za-z]+"))) bad.accept(key + ".units", "must be letters, such as MB");
            if (a.type().equals("enum") == a.values().isEmpty()) bad.accept(key + ".values", a.type().equals("enum") ? "are required for an enum" : "are only for an enum");
            if (a.values().stream().anyMatch(v -> v == null || !v.matches("[A-Za-z0-9_.-]+"))) bad.accept(key + ".values", "must be words such as allkeys-lru");
            boolean numeric = a.type().equals("integer") || a.type().equals("number");
            if (!numeric && (a.min() != null || a.max() != null)) bad.accept(key, "min and max are only for an integer or a number");
            if (a.min() != null && a.max() != null && a.min().compareTo(a.max()) > 0) bad.accept(key, "min is greater than max");
            if (a.as().size() != 2 || a.as().stream().anyMatch(t -> t == null || !t.matches("[A-Za-z0-9]+"))) {
                bad.accept(key + ".as", "must be two words: how true and false are written, such as [yes, no]");
            }
        }
    }
}
