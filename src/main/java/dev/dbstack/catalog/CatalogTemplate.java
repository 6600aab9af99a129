package dev.dbstack.catalog;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The small template language of catalog files: {@code {{host}}}, {@code {{settings.database}}},
 * {@code {{urlencode credentials.password}}}. Deliberately tiny: variables and one filter.
 */
public final class CatalogTemplate {
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*(urlencode\\s+)?([A-Za-z][A-Za-z0-9_.-]*)\\s*}}");

    /**
     * Variables every template can use, besides {@code settings.*}, {@code credentials.*} and
     * {@code ports.<name>}: {@code dataDir} is where the data volume is mounted (in the consumers'
     * containers for a type without a server), {@code engine} the layer's engine (empty without). For replicas:
     * {@code replicas} is the layer's count, {@code members} every pod's {@code host:port} through the headless
     * Service, comma-separated, and {@code readHost} the Service that spreads reads over all pods
     * ({@code <layer>-read}; the layer's own with one replica, so a reader's output stays valid when it scales).
     */
    public static final List<String> BUILTINS = List.of("layer", "namespace", "version", "engine", "port", "host",
            "headlessHost", "dataDir", "replicas", "members", "readHost");

    private CatalogTemplate() {}

    /** The variable names a template uses, in order of appearance. */
    public static List<String> variables(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = VAR.matcher(template);
        while (m.find()) names.add(m.group(2));
        return names;
    }

    /** Substitutes every variable with {@code lookup}; {@code urlencode} percent-encodes for URIs. */
    public static String expand(String template, Function<String, String> lookup) {
        Matcher m = VAR.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = lookup.apply(m.group(2));
            if (value == null) throw new IllegalArgumentException("unknown template variable " + m.group(2));
            if (m.group(1) != null) value = urlencode(value);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The {@code urlencode} filter: percent-encoding for a URI's user-info, path or query, space as %20. */
    public static String urlencode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String expand(String template, Map<String, String> values) {
        return expand(template, values::get);
    }
}
