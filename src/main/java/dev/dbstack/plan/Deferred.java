package dev.dbstack.plan;

import dev.dbstack.graph.ServiceGraph;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a targeted plan says what it leaves for later: one line per service (or per app's own objects), with its
 * counts, so that nobody takes a targeted run for the whole stack's.
 */
final class Deferred {
    private Deferred() {}

    /** {@code 1 step} or {@code 12 steps}. */
    static String steps(int n) {
        return n + (n == 1 ? " step" : " steps");
    }

    /** {@code ; 12 deferred (not targeted)}, or nothing when nothing is deferred. */
    static String count(Plan plan) {
        return plan.deferred().isEmpty() ? "" : "; " + plan.deferred().size() + " deferred (not targeted)";
    }

    /** The deferred steps, one line per service or app, in plan order; nothing when none is deferred. */
    static String list(Plan plan, ServiceGraph graph) {
        if (plan.deferred().isEmpty()) return "";
        Map<String, Map<Action, Integer>> groups = groups(plan, graph);
        int width = groups.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder("deferred (not targeted; a later `dbstack up` applies them)\n");
        groups.forEach((name, counts) -> out.append("  ").append(name).append(" ".repeat(width - name.length() + 2))
                .append(counts(counts)).append('\n'));
        return out.toString();
    }

    /** The deferred steps' counts per service or app, in plan order. */
    static Map<String, Map<Action, Integer>> groups(Plan plan, ServiceGraph graph) {
        Map<String, Map<Action, Integer>> groups = new LinkedHashMap<>();
        for (Step s : plan.deferred()) {
            groups.computeIfAbsent(group(s, graph), k -> new EnumMap<>(Action.class)).merge(s.action(), 1, Integer::sum);
        }
        return groups;
    }

    /**
     * {@code b/db}, {@code b (app objects)}, {@code b/old (removed layer)} or {@code old (removed app)}; without the
     * graph (a plan on its own) a removed layer or app is not told apart.
     */
    private static String group(Step s, ServiceGraph graph) {
        if (graph == null) return s.service() == null ? s.app() + " (app objects)" : s.service().toString();
        boolean configured = graph.model().apps().stream().anyMatch(a -> a.name().equals(s.app()));
        if (!configured) return s.app() + " (removed app)";
        if (s.service() == null) return s.app() + " (app objects)";
        return s.service() + (graph.services().contains(s.service()) ? "" : " (removed layer)");
    }

    /** {@code 3 to create, 1 to update}: the actions present, in the summary's order. */
    static String counts(Map<Action, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((action, n) -> parts.add(n + switch (action) {
            case DRIFT -> " drifted";
            case EXPAND_VOLUME -> " volumes to expand";
            default -> " to " + action.verb();
        }));
        return String.join(", ", parts);
    }
}
