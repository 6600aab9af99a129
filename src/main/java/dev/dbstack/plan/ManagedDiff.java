package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Compares only what dbstack manages. A field counts when dbstack sets it: values the API server
 * defaults and fields other controllers add (labels, annotations, sidecars' settings) are not
 * differences, so they survive. Lists are compared element by element for the same reason (the
 * server defaults fields inside containers and ports).
 */
public final class ManagedDiff {
    private ManagedDiff() {}

    /** Paths (e.g. {@code spec.template.spec.containers[0].image}) where live differs from desired. */
    public static List<String> changedPaths(JsonNode desired, JsonNode live) {
        List<String> out = new ArrayList<>();
        walk("", desired, live, out);
        return out;
    }

    private static void walk(String path, JsonNode desired, JsonNode live, List<String> out) {
        if (desired == null || desired.isNull() || desired.isMissingNode()) return;
        if (desired.isObject()) {
            if (live == null || !live.isObject()) {
                out.add(path.isEmpty() ? "." : path);
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (path.isEmpty() && (f.getKey().equals("status"))) continue;
                walk(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), live.get(f.getKey()), out);
            }
        } else if (desired.isArray()) {
            if (live == null || !live.isArray() || live.size() != desired.size()) {
                out.add(path);
                return;
            }
            for (int i = 0; i < desired.size(); i++) walk(path + "[" + i + "]", desired.get(i), live.get(i), out);
        } else if (live == null || !sameScalar(desired, live)) {
            out.add(path);
        }
    }

    /**
     * Paths the last apply set, desired no longer has, and live still holds: what {@link #mergePatch} removes, which
     * {@link #changedPaths} (a walk of desired) cannot see, such as an annotation or a container's arguments dropped.
     */
    public static List<String> removedPaths(JsonNode desired, JsonNode lastApplied, JsonNode live) {
        List<String> out = new ArrayList<>();
        if (lastApplied != null) removed("", desired, lastApplied, live, out);
        return out;
    }

    private static void removed(String path, JsonNode desired, JsonNode last, JsonNode live, List<String> out) {
        if (last == null || live == null || live.isNull()) return;
        if (last.isObject() && live.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = last.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (path.isEmpty() && f.getKey().equals("status")) continue;
                String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                JsonNode d = desired == null ? null : desired.get(f.getKey());
                JsonNode l = live.get(f.getKey());
                if (l == null || l.isNull()) continue;
                if (d == null || d.isNull()) out.add(p);
                else removed(p, d, f.getValue(), l, out);
            }
        } else if (last.isArray() && live.isArray() && desired != null && desired.isArray()
                && desired.size() == last.size() && live.size() == last.size()) {
            for (int i = 0; i < last.size(); i++) removed(path + "[" + i + "]", desired.get(i), last.get(i), live.get(i), out);
        }
    }

    /** 5432 and "5432" are the same port to the API server (int-or-string), as are equal quantities written alike. */
    private static boolean sameScalar(JsonNode a, JsonNode b) {
        return a.equals(b) || a.asText().equals(b.asText());
    }

    /**
     * A JSON merge patch that makes live match desired on managed fields: desired's fields, plus a
     * {@code null} for every field the last apply set and desired no longer has (a three-way merge,
     * so removing a label or env var from config removes it from the cluster).
     */
    public static ObjectNode mergePatch(JsonNode desired, JsonNode lastApplied) {
        ObjectNode patch = desired.deepCopy();
        patch.remove("status");
        if (lastApplied != null && lastApplied.isObject()) addRemovals(patch, desired, lastApplied);
        return patch;
    }

    private static void addRemovals(ObjectNode patch, JsonNode desired, JsonNode last) {
        for (Iterator<Map.Entry<String, JsonNode>> it = last.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode d = desired.get(f.getKey());
            if (d == null || d.isNull()) {
                patch.set(f.getKey(), JsonNodeFactory.instance.nullNode());
            } else if (d.isObject() && f.getValue().isObject()) {
                addRemovals((ObjectNode) patch.get(f.getKey()), d, f.getValue());
            }
        }
    }

    /**
     * Whether {@code live} already holds what a merge patch sets and lacks what it removes
     * ({@code metadata.resourceVersion}, the patch's precondition, aside), compared as {@link #changedPaths}
     * compares: the patch has nothing left to do.
     */
    public static boolean satisfied(JsonNode patch, JsonNode live) {
        ObjectNode sets = patch.deepCopy();
        if (sets.get("metadata") instanceof ObjectNode meta) meta.remove("resourceVersion");
        return holds(sets, live);
    }

    private static boolean holds(JsonNode patch, JsonNode live) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode want = f.getValue();
            JsonNode is = live == null || !live.isObject() ? null : live.get(f.getKey());
            if (want.isNull()) {
                if (is != null && !is.isNull()) return false;
            } else if (want.isObject()) {
                if (!holds(want, is)) return false;
            } else if (is == null || !changedPaths(want, is).isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
