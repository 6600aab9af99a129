package dev.dbstack.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string that may consume output variables of lower layers, in Palette's syntax:
 * {@code postgres://{{.spectro.app.$appDeploymentName.postgresql-1.POSTGRESMSTR_SVC}}:5432}.
 * Parsed once into literal text and references; resolution happens in render.
 */
public record Template(String raw, List<Part> parts) {

    /** {@code {{ .spectro.app.<app>.<layer>.<VAR> }}}; anything else inside braces is not ours. */
    private static final Pattern REFERENCE = Pattern.compile(
            "\\{\\{\\s*\\.spectro\\.app\\.(\\$appDeploymentName|[a-z0-9-]+)\\.([A-Za-z0-9][A-Za-z0-9_-]*)\\.([A-Za-z0-9_]+)\\s*}}");
    private static final Pattern ANY_BRACES = Pattern.compile("\\{\\{.*?}}");

    public sealed interface Part permits Literal, Reference {}

    public record Literal(String text) implements Part {}

    /** {@code app} is either {@code $appDeploymentName} (the current app) or an app name. */
    public record Reference(String app, String layer, String variable) implements Part {
        public boolean isCurrentApp() {
            return "$appDeploymentName".equals(app);
        }

        @Override
        public String toString() {
            return "{{.spectro.app." + app + "." + layer + "." + variable + "}}";
        }
    }

    /**
     * Parses {@code raw}. Braces that look like a template but are not a valid output reference
     * are reported rather than passed through, because a typo there would otherwise reach the
     * running container as literal text.
     */
    public static Template parse(String raw) throws IllegalArgumentException {
        List<Part> parts = new ArrayList<>();
        Matcher m = REFERENCE.matcher(raw);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) parts.add(literal(raw.substring(at, m.start())));
            parts.add(new Reference(m.group(1), m.group(2), m.group(3)));
            at = m.end();
        }
        if (at < raw.length()) parts.add(literal(raw.substring(at)));
        return new Template(raw, List.copyOf(parts));
    }

    private static Literal literal(String text) {
        Matcher stray = ANY_BRACES.matcher(text);
        if (stray.find()) {
            throw new IllegalArgumentException("'" + stray.group()
                    + "' is not an output reference; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}");
        }
        return new Literal(text);
    }

    public List<Reference> references() {
        return parts.stream().filter(Reference.class::isInstance).map(Reference.class::cast).toList();
    }

    public boolean isLiteral() {
        return parts.stream().allMatch(Literal.class::isInstance);
    }
}
