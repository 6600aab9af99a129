package dev.dbstack.plan;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The steps that take the cluster to the desired state, in apply order. A value: it can be
 * printed, compared and (later) saved and applied exactly as previewed.
 */
public record Plan(String project, String stack, List<Step> steps, List<String> warnings) {

    public Map<Action, Integer> counts() {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        for (Action a : Action.values()) counts.put(a, 0);
        for (Step s : steps) counts.merge(s.action(), 1, Integer::sum);
        return counts;
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }
}
