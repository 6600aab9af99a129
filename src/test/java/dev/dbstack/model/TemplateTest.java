package dev.dbstack.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The template grammar, table-driven: valid references in every accepted spelling, and every way to
 * break one (a line break or a folded space at each position, a brace dropped at each position,
 * nesting, stray closing braces, shapes that are not output references), each with the message it
 * must give.
 */
class TemplateTest {
    private static final String REF = "{{.spectro.app.$appDeploymentName.postgresql-1.PASSWORD}}";
    private static final Template.Reference PASSWORD = new Template.Reference("$appDeploymentName", "postgresql-1", "PASSWORD");
    private static final String HOST = "{{ .spectro.app.shop.postgresql-1.POSTGRESMSTR_SVC }}";
    private static final Template.Reference SHOP_HOST = new Template.Reference("shop", "postgresql-1", "POSTGRESMSTR_SVC");

    private static final String NOT_A_REFERENCE = "is not an output reference; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}";
    private static final String ONE_LINE = "a reference must be on one line";
    private static final String NO_SPACES = "a reference must be on one line, without spaces inside";
    private static final String STRAY = "closes no '{{'";
    private static final String UNCLOSED = "unclosed '{{'";
    private static final String NESTED = "references cannot be nested";

    // ---- valid -----------------------------------------------------------------------------------

    static Stream<Arguments> valid() {
        Map<String, List<Template.Reference>> cases = new LinkedHashMap<>();
        cases.put("", List.of());
        cases.put("plain text", List.of());
        cases.put("single { and } braces, ${SHELL} and $(kube) stay text", List.of());
        cases.put("{ {not a template} }", List.of());
        cases.put(REF, List.of(PASSWORD));
        cases.put(HOST, List.of(SHOP_HOST));
        cases.put("postgres://u:" + REF + "@" + HOST + ":5432/db", List.of(PASSWORD, SHOP_HOST));
        cases.put(REF + REF, List.of(PASSWORD, PASSWORD));
        cases.put("a\nmulti-line value\n" + REF + "\nwith the reference on a line of its own\n", List.of(PASSWORD));
        cases.put("{{.spectro.app.$appDeploymentName.l_1.V}}", List.of(new Template.Reference("$appDeploymentName", "l_1", "V")));
        cases.put("{{.spectro.app.a-1.L.lower_9}}", List.of(new Template.Reference("a-1", "L", "lower_9")));
        // whitespace just inside the braces, in each combination: spaces and tabs
        for (String before : List.of("", " ", "  ", "\t", " \t ")) {
            for (String after : List.of("", " ", "\t", "   ")) {
                cases.put("x " + "{{" + before + REF.substring(2, REF.length() - 2) + after + "}}" + " y", List.of(PASSWORD));
            }
        }
        return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void parsesValidTemplates(String raw, List<Template.Reference> references) {
        Template t = Template.parse(raw);
        assertThat(t.raw()).isEqualTo(raw);
        assertThat(t.references()).containsExactlyElementsOf(references);
        assertThat(t.isLiteral()).isEqualTo(references.isEmpty());
        // literal text is kept exactly; references replace their braces
        String literal = t.parts().stream().filter(Template.Literal.class::isInstance)
                .map(p -> ((Template.Literal) p).text()).collect(Collectors.joining());
        assertThat(literal).isEqualTo(raw.replaceAll("\\{\\{[^}]*}}", ""));
        assertThat(t.parts()).noneMatch(p -> p instanceof Template.Literal l && l.text().isEmpty());
    }

    // ---- invalid ---------------------------------------------------------------------------------

    /** One broken value and what its message must say. */
    record Broken(String why, String raw, List<String> messageParts) {
        @Override
        public String toString() {
            return why + ": " + raw.replace("\n", "\\n").replace("\t", "\\t");
        }
    }

    static Stream<Broken> invalid() {
        List<Broken> cases = new ArrayList<>();
        String prefix = "url=";
        String suffix = "/x";
        int at = prefix.length(); // where the reference starts in the value, 0-based
        int end = at + REF.length();

        // a line break at every position inside the reference, as a block scalar or a wrapped line leaves it
        for (String br : List.of("\n", "\r\n")) {
            for (int k = 1; k < REF.length(); k++) {
                String raw = prefix + REF.substring(0, k) + br + REF.substring(k) + suffix;
                String where = "character " + (at + k + 1);
                if (k == 1) {
                    // "{" <newline> "{...}}": no reference opens, so its "}}" closes nothing
                    cases.add(new Broken("line break inside {{", raw, List.of("'}}' at character " + (end + br.length() - 1), STRAY)));
                } else if (k == REF.length() - 1) {
                    cases.add(new Broken("line break inside }}", raw, List.of(UNCLOSED + " at character " + (at + 1))));
                } else {
                    cases.add(new Broken("line break at " + k, raw,
                            List.of(ONE_LINE, "opened at character " + (at + 1), "line break at " + where)));
                }
            }
        }
        // a folded scalar turns the line break into a space: harmless just inside the braces, an error elsewhere
        for (int k = 1; k < REF.length(); k++) {
            String raw = prefix + REF.substring(0, k) + " " + REF.substring(k) + suffix;
            if (k == 2 || k == REF.length() - 2) continue; // "{{ .spectro..." and "...PASSWORD }}" are valid
            if (k == 1) {
                cases.add(new Broken("space inside {{", raw, List.of("'}}' at character " + end, STRAY)));
            } else if (k == REF.length() - 1) {
                cases.add(new Broken("space inside }}", raw, List.of(UNCLOSED + " at character " + (at + 1))));
            } else {
                cases.add(new Broken("folded at " + k, raw,
                        List.of(NO_SPACES, "opened at character " + (at + 1), "space at character " + (at + k + 1))));
            }
        }
        // each of the four braces dropped
        cases.add(new Broken("first { dropped", prefix + REF.substring(1) + suffix, List.of("'}}' at character " + (end - 2), STRAY)));
        cases.add(new Broken("second { dropped", prefix + "{" + REF.substring(2) + suffix, List.of("'}}' at character " + (end - 2), STRAY)));
        cases.add(new Broken("first } dropped", prefix + REF.substring(0, REF.length() - 2) + "}" + suffix,
                List.of(UNCLOSED + " at character " + (at + 1))));
        cases.add(new Broken("both } dropped", prefix + REF.substring(0, REF.length() - 2) + suffix,
                List.of(UNCLOSED + " at character " + (at + 1))));
        cases.add(new Broken("both { dropped", prefix + REF.substring(2) + suffix, List.of("'}}' at character " + (end - 3), STRAY)));
        // the same with a valid reference before the broken one: positions count from the start of the value
        String second = REF + " and " + REF.substring(0, REF.length() - 1);
        cases.add(new Broken("second reference unclosed", second, List.of(UNCLOSED + " at character " + (REF.length() + 6))));
        cases.add(new Broken("unclosed at the very end", "text {{", List.of("unclosed '{{' at character 6")));
        cases.add(new Broken("unclosed, closed on a later line", "{{.spectro.app\nx {{", List.of(UNCLOSED + " at character 1")));
        cases.add(new Broken("unclosed on its line", "{{ a\nb " + REF, List.of(UNCLOSED + " at character 1", "not closed on its line")));
        // nesting
        cases.add(new Broken("nested", "{{.spectro.app.{{.spectro.app.$appDeploymentName.a.B}}.x.Y}}",
                List.of("'{{' at character 16 is inside the reference opened at character 1", NESTED)));
        cases.add(new Broken("nested at the start", "{{" + REF + "}}", List.of("'{{' at character 3", NESTED)));
        cases.add(new Broken("unclosed before a reference", "a {{ b " + REF,
                List.of("'{{' at character 8 is inside the reference opened at character 3", NESTED)));
        // closing braces without an opening pair
        cases.add(new Broken("stray }}", "a }} b", List.of("'}}' at character 3 closes no '{{'", "put a space between them")));
        cases.add(new Broken("stray }} in JSON", "{\"a\":{\"b\":1}}", List.of("'}}' at character 12", STRAY)));
        cases.add(new Broken("stray }} after a reference", REF + "}}", List.of("'}}' at character " + (REF.length() + 1), STRAY)));
        cases.add(new Broken("}} before {{", "}}" + REF, List.of("'}}' at character 1", STRAY)));
        // braces around something that is not an output reference: today's message
        for (String body : List.of("", " ", ".Values.user", "user", ".spectro.app.$appDeploymentName.postgresql-1",
                ".spectro.app.$appDeploymentName.postgresql-1.PASSWORD.extra", ".spectro.app.$appDeploymentName..PASSWORD",
                ".spectro.app..postgresql-1.PASSWORD", ".spectro.app.$other.postgresql-1.PASSWORD",
                ".spectro.app.Shop.postgresql-1.PASSWORD", ".spectro.app.shop_1.postgresql-1.PASSWORD",
                ".spectro.app.$appDeploymentName.-pg.PASSWORD", ".spectro.app.$appDeploymentName.pg.PASS-WORD",
                ".spectro.app.$appDeploymentName.pg.PASS.WORD", ".spectro.app.$appDeploymentName.pg.",
                "spectro.app.$appDeploymentName.pg.PASSWORD", ".spectro.apps.$appDeploymentName.pg.PASSWORD",
                ".Spectro.app.$appDeploymentName.pg.PASSWORD", "{.spectro.app.$appDeploymentName.pg.PASSWORD",
                "$appDeploymentName.pg.PASSWORD", "- .spectro.app.$appDeploymentName.pg.PASSWORD")) {
            String raw = "v=" + "{{" + body + "}}";
            cases.add(new Broken("not a reference", raw, List.of("'{{" + body + "}}' " + NOT_A_REFERENCE)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalid")
    void refusesBrokenTemplatesSayingWhatAndWhere(Broken c) {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> Template.parse(c.raw()));
        assertThat(e).as("%s must be refused", c).isNotNull();
        for (String part : c.messageParts()) assertThat(e.getMessage()).as("%s", c).contains(part);
        assertThat(e.getMessage()).as("no Java in user messages").doesNotContainPattern("[A-Z][a-z]+(Exception|Error)|java\\.|dev\\.dbstack");
    }

    @Test
    void theGeneratedTableCoversEveryKindOfBreakage() {
        Map<String, Long> kinds = invalid().collect(Collectors.groupingBy(c -> c.why().replaceAll(" at \\d+$", ""), Collectors.counting()));
        assertThat(kinds.get("line break")).isEqualTo(2L * (REF.length() - 3));
        assertThat(kinds.get("folded")).isEqualTo(REF.length() - 5L);
        assertThat(kinds.get("not a reference")).isGreaterThan(20);
    }

    @Test
    void exactMessages() {
        assertThat(message("postgres://{{.spectro.app.$appDeploymentName.pg.PASSWORD"))
                .isEqualTo("unclosed '{{' at character 12; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}");
        assertThat(message("a}}")).isEqualTo("'}}' at character 2 closes no '{{'; if the braces are meant as text (JSON, say),"
                + " put a space between them");
        assertThat(message("{{.spectro.app.$appDeploymentName.pg.\nPASSWORD}}"))
                .isEqualTo("a reference must be on one line: the reference opened at character 1 has a line break at character 38"
                        + " (a YAML block value, '|' or '>', keeps the line breaks written in it)");
        assertThat(message("{{.spectro.app.$appDeploymentName.pg. PASSWORD}}"))
                .isEqualTo("a reference must be on one line, without spaces inside: the reference opened at character 1 has a"
                        + " space at character 38 (a folded YAML value, '>', turns a line break into a space)");
        assertThat(message("{{ .Values.user }}"))
                .isEqualTo("'{{ .Values.user }}' is not an output reference; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}");
    }

    private static String message(String raw) {
        return catchThrowableOfType(IllegalArgumentException.class, () -> Template.parse(raw)).getMessage();
    }
}
