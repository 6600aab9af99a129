package dev.dbstack.plan;

import dev.dbstack.model.Problem;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plan as a pull-request comment ({@code preview --format markdown}): a heading with the stack and
 * the counts, warnings as a list, then one table per app deployment (apps by name, steps in apply
 * order) with each updated object's changed field paths folded in {@code <details>}. Built only from
 * what the steps say (never the objects they write), so no secret value can reach it.
 *
 * <p>GitHub refuses a comment over 65,536 characters. The comment stays within {@link #BUDGET}: apps
 * are written out in full while they fit, and the rest are summarised as one row of counts each,
 * with a note; a table is never cut in the middle.
 */
public final class PlanMarkdown {
    /** GitHub's limit on an issue or pull-request comment, in characters. */
    public static final int GITHUB_COMMENT_LIMIT = 65_536;
    /** What a comment may use: the limit less room for a CI job's own lines around it. */
    public static final int BUDGET = 60_000;
    /** Warnings listed before the rest are only counted. */
    private static final int MAX_WARNINGS = 20;

    private PlanMarkdown() {}

    public static String render(Plan plan) {
        return render(plan, BUDGET);
    }

    /** @param budget the most characters the comment may have */
    public static String render(Plan plan, int budget) {
        StringBuilder head = new StringBuilder();
        head.append(marker(plan.stack()));
        head.append("## dbstack preview: stack `").append(code(plan.stack())).append("` of project `").append(code(plan.project()))
                .append("`\n\n");
        head.append("**").append(counts(plan.counts(), plan.isEmpty())).append("**\n\n");
        if (!plan.targets().isAll()) {
            head.append("Targets: `").append(code(plan.targets().describe())).append("`; ")
                    .append(Deferred.steps(plan.deferred().size())).append(" deferred (not targeted), for a later `dbstack up`")
                    .append(plan.deferred().isEmpty() ? ".\n\n" : ":\n\n");
            Deferred.groups(plan, null).forEach((group, counts) -> head.append("- `").append(code(group)).append("`: ")
                    .append(Deferred.counts(counts)).append('\n'));
            if (!plan.deferred().isEmpty()) head.append('\n');
        }
        warnings(head, plan.warnings());

        Map<String, List<Step>> byApp = new TreeMap<>();
        for (Step s : plan.steps()) byApp.computeIfAbsent(s.app(), a -> new ArrayList<>()).add(s);
        List<String> apps = List.copyOf(byApp.keySet());
        List<String> sections = new ArrayList<>();
        for (String app : apps) sections.add(section(app, byApp.get(app)));

        Map<String, String> rows = new LinkedHashMap<>();
        for (String app : apps) rows.put(app, countRow(app, byApp.get(app)));
        // rowsFrom[i]: the length of the count rows of apps i.. — what summarising them would take.
        int[] rowsFrom = new int[apps.size() + 1];
        for (int i = apps.size() - 1; i >= 0; i--) rowsFrom[i] = rowsFrom[i + 1] + rows.get(apps.get(i)).length();

        StringBuilder out = new StringBuilder(head);
        int shown = 0;
        while (shown < apps.size()) {
            int rest = shown + 1 < apps.size() ? 600 + rowsFrom[shown + 1] : 0;
            // Apps in full get at least three quarters of the budget, however many are left to count.
            rest = Math.min(rest, budget / 4);
            if (out.length() + sections.get(shown).length() + rest > budget) break;
            out.append(sections.get(shown));
            shown++;
        }
        if (shown < apps.size()) {
            out.append(remainder(apps.subList(shown, apps.size()), byApp, rows, plan.stack(), budget - out.length()));
        }
        return out.toString();
    }

    /** The comment for a plan that was refused, or input that could not be planned: the problems, one row each. */
    public static String refused(String project, String stack, List<Problem> problems) {
        return refused(project, stack, problems, BUDGET);
    }

    public static String refused(String project, String stack, List<Problem> problems, int budget) {
        StringBuilder out = new StringBuilder(marker(stack));
        out.append("## dbstack preview: stack `").append(code(stack == null ? "?" : stack)).append("`");
        if (project != null) out.append(" of project `").append(code(project)).append('`');
        out.append("\n\n**Plan refused: ").append(problems.size()).append(problems.size() == 1 ? " problem" : " problems")
                .append(". Nothing can be applied until ").append(problems.size() == 1 ? "it is" : "they are").append(" fixed.**\n\n");
        String header = "| op | where | key | message |\n| --- | --- | --- | --- |\n";
        out.append(header);
        int listed = 0;
        for (Problem p : problems) {
            String row = "| **refused** | " + (p.source().toString().isEmpty() ? "" : "`" + code(p.source().toString()) + "`") + " | "
                    + (p.key() == null || p.key().isEmpty() ? "" : "`" + code(p.key()) + "`") + " | " + cell(p.message()) + " |\n";
            // Room for the closing note, should one be needed.
            if (out.length() + row.length() + 200 > budget) break;
            out.append(row);
            listed++;
        }
        if (listed < problems.size()) {
            out.append("\n…and ").append(problems.size() - listed).append(" more; run `dbstack preview` for all of them.\n");
        }
        return out.toString();
    }

    /** A hidden line a CI job can find to update its earlier comment instead of adding one. */
    private static String marker(String stack) {
        return "<!-- dbstack preview: stack " + (stack == null ? "?" : stack.replace("--", "")) + " -->\n";
    }

    private static void warnings(StringBuilder out, List<String> warnings) {
        if (warnings.isEmpty()) return;
        out.append("**Warnings**\n\n");
        warnings.stream().limit(MAX_WARNINGS).forEach(w -> out.append("- ").append(text(w)).append('\n'));
        if (warnings.size() > MAX_WARNINGS) {
            out.append("- …and ").append(warnings.size() - MAX_WARNINGS).append(" more (`dbstack preview` lists them all)\n");
        }
        out.append('\n');
    }

    /** One app: heading with its counts, its table, then the changed fields of each object that changes. */
    private static String section(String app, List<Step> steps) {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        for (Action a : Action.values()) counts.put(a, 0);
        steps.forEach(s -> counts.merge(s.action(), 1, Integer::sum));
        String namespace = steps.stream().map(s -> s.object().namespace()).filter(n -> !n.isEmpty()).findFirst().orElse("");
        boolean oneNamespace = steps.stream().allMatch(s -> s.object().namespace().isEmpty() || s.object().namespace().equals(namespace));

        StringBuilder out = new StringBuilder();
        out.append("### app `").append(code(app)).append('`');
        if (oneNamespace && !namespace.isEmpty()) out.append(" (namespace `").append(code(namespace)).append("`)");
        out.append(": ").append(counts(counts, false)).append("\n\n");
        out.append("| op | kind | name | layer | reason |\n| --- | --- | --- | --- | --- |\n");
        for (Step s : steps) {
            ObjectRef o = s.object();
            String name = oneNamespace || o.namespace().isEmpty() ? o.name() : o.namespace() + "/" + o.name();
            out.append("| `").append(s.action().symbol()).append("` ").append(s.action().verb())
                    .append(" | ").append(cell(o.kind()))
                    .append(" | ").append(cell(name))
                    .append(" | ").append(s.service() == null ? "" : cell(s.service().layer()))
                    .append(" | ").append(cell(s.reason())).append(" |\n");
        }
        out.append('\n');
        for (Step s : steps) {
            if (s.fields().isEmpty()) continue;
            out.append("<details><summary>").append(s.action().verb()).append(' ').append(html(s.object().toString()))
                    .append(": ").append(s.fields().size()).append(s.fields().size() == 1 ? " changed field" : " changed fields")
                    .append("</summary>\n\n");
            // Field paths only: values could be secrets (a Secret's data), so they are never shown.
            for (String f : s.fields()) out.append("- `").append(code(f)).append("`\n");
            out.append("\n</details>\n\n");
        }
        return out.toString();
    }

    /**
     * The apps not written out: a note and a table of their counts, rows while the budget lasts, then
     * how many more.
     */
    private static String remainder(List<String> apps, Map<String, List<Step>> byApp, Map<String, String> rows, String stack,
                                    int budget) {
        int steps = apps.stream().mapToInt(a -> byApp.get(a).size()).sum();
        StringBuilder out = new StringBuilder();
        out.append("### ").append(apps.size()).append(apps.size() == 1 ? " more app" : " more apps").append(", counted\n\n");
        out.append("Listing every step would pass GitHub's ").append(String.format(java.util.Locale.ROOT, "%,d", GITHUB_COMMENT_LIMIT))
                .append("-character limit for a comment, so the steps of these apps (").append(steps)
                .append(") are counted here, not listed. `dbstack preview --stack ").append(code(stack))
                .append("` shows them all.\n\n");
        out.append("| app |");
        for (Action a : Action.values()) out.append(' ').append(a.verb()).append(" |");
        out.append("\n| --- |");
        for (int i = 0; i < Action.values().length; i++) out.append(" ---: |");
        out.append('\n');
        // The note after a cut table: at most this long.
        int closing = 120;
        int listed = 0;
        for (String app : apps) {
            String row = rows.get(app);
            if (out.length() + row.length() + closing > budget) break;
            out.append(row);
            listed++;
        }
        if (listed < apps.size()) {
            int more = apps.subList(listed, apps.size()).stream().mapToInt(a -> byApp.get(a).size()).sum();
            out.append("\n…and ").append(apps.size() - listed).append(apps.size() - listed == 1 ? " more app" : " more apps")
                    .append(" (").append(more).append(more == 1 ? " step" : " steps").append(") not listed.\n");
        }
        return out.toString();
    }

    /** {@code | `app` | 3 | 1 | 0 | …}: an app's counts, one column per op. */
    private static String countRow(String app, List<Step> steps) {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        for (Action a : Action.values()) counts.put(a, 0);
        steps.forEach(s -> counts.merge(s.action(), 1, Integer::sum));
        StringBuilder row = new StringBuilder("| `").append(code(app)).append("` |");
        for (Action a : Action.values()) row.append(' ').append(counts.get(a)).append(" |");
        return row.append('\n').toString();
    }

    /** {@code 3 to create, 1 to update}: the counts that are not zero. */
    static String counts(Map<Action, Integer> counts, boolean empty) {
        if (empty) return "No changes.";
        List<String> parts = new ArrayList<>();
        for (Action a : Action.values()) {
            int n = counts.getOrDefault(a, 0);
            if (n == 0) continue;
            parts.add(switch (a) {
                case CREATE -> n + " to create";
                case UPDATE -> n + " to update";
                case REPLACE -> n + " to replace";
                case EXPAND_VOLUME -> n + (n == 1 ? " volume" : " volumes") + " to expand";
                case DELETE -> n + " to delete";
                case KEEP -> n + " to keep unmanaged";
                case DRIFT -> n + " drifted";
            });
        }
        return String.join(", ", parts);
    }

    /** Text in a table cell: one line, no column breaks, no HTML. */
    private static String cell(String s) {
        return html(s.replace("\r", " ").replace("\n", " ")).replace("|", "\\|");
    }

    /** Text in a list item. */
    private static String text(String s) {
        return html(s.replace("\r", " ").replace("\n", " "));
    }

    /** Inside backticks: no backtick can end the span early, and no pipe can split a table cell. */
    private static String code(String s) {
        return s == null ? "" : s.replace("`", "'").replace("|", "/").replace("\n", " ");
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
