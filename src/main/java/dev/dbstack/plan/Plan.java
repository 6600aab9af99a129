package dev.dbstack.plan;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The steps that take the cluster to the desired state, in apply order. A value: it can be printed,
 * compared, saved ({@link SavedPlan}) and applied exactly as previewed. Each step says what it was
 * planned against (the live object's resourceVersion); {@code basis} says what the whole plan was
 * made against, so that a saved plan applied later is refused when any of it changed.
 */
public record Plan(String project, String stack, List<Step> steps, List<String> warnings, Basis basis, Targets targets,
                   List<Step> deferred) {

    public Plan(String project, String stack, List<Step> steps, List<String> warnings) {
        this(project, stack, steps, warnings, Basis.NONE);
    }

    public Plan(String project, String stack, List<Step> steps, List<String> warnings, Basis basis) {
        this(project, stack, steps, warnings, basis, Targets.ALL, List.of());
    }

    /**
     * A targeted plan ({@code --target}): {@code steps} are what the targets select, {@code deferred} the rest, left for a
     * later run. Apply, the checks of a saved plan and {@code --expect-no-changes} look only at {@code steps}.
     */
    public Plan {
        targets = targets == null ? Targets.ALL : targets;
        deferred = deferred == null ? List.of() : List.copyOf(deferred);
    }

    /** This plan split by {@code targets}: the steps they select stay, the others are deferred. */
    public Plan target(Targets targets) {
        if (targets.isAll()) return this;
        java.util.List<Step> selected = new java.util.ArrayList<>();
        java.util.List<Step> later = new java.util.ArrayList<>(deferred);
        for (Step s : steps) (targets.includes(s) ? selected : later).add(s);
        return new Plan(project, stack, List.copyOf(selected), warnings, basis, targets, later);
    }

    /**
     * What a plan was made against besides the live objects, and with what permission.
     *
     * @param stateSerial  the stack state's serial when planned (-1: not known, a plan made in a test)
     * @param configDigest {@code sha256:<hex>} over the stack's configuration files as read (null: not known)
     * @param configFiles  each of those files' {@code sha256:<hex>}, by path relative to the project
     * @param options      the data-safety options the plan was made with: its steps already say what they allow
     */
    public record Basis(long stateSerial, String configDigest, Map<String, String> configFiles, Planner.Options options) {
        public static final Basis NONE = new Basis(-1, null, Map.of(), Planner.Options.NONE);

        public Basis {
            configFiles = Map.copyOf(configFiles);
        }
    }

    public Plan basedOn(Basis basis) {
        return new Plan(project, stack, steps, warnings, basis, targets, deferred);
    }

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
