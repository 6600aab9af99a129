package dev.dbstack.profiles;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.catalog.VersionChange;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Deployment;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Template;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every change from one version of an app profile to another, grouped by layer. Layers are compared
 * generically, field by field of their model (every record component but the name, position and source), so
 * a setting a layer type gains later is covered without a change here; only the words for the common fields
 * and the judgement of a database version change are specific.
 */
public final class ProfileDiff {
    /** Fields that identify a layer or say where it was written: not content. */
    private static final Set<String> NOT_CONTENT = Set.of("name", "index", "source");

    public enum LayerKind { ADDED, REMOVED, RENAMED, CHANGED }

    /**
     * One changed field. {@code from}/{@code to} are null when the field was absent; {@code note} flags what a
     * reviewer must not miss (a major version change, data that stays behind); secret values read "(secret)".
     */
    public record Change(String field, String from, String to, String note) {}

    /** @param type the layer's type after the change (before it, for a removed layer) */
    public record LayerChange(String layer, String type, LayerKind kind, String renamedFrom, List<Change> changes) {}

    private ProfileDiff() {}

    /** The changes from {@code from} to {@code to}, bottom layer first, then removed layers. */
    public static List<LayerChange> between(AppProfile from, AppProfile to, Catalog catalog) {
        return between(from, to, catalog, "<app>");
    }

    /** As {@link #between(AppProfile, AppProfile, Catalog)}, with {@code app} named in the flags' commands. */
    public static List<LayerChange> between(AppProfile from, AppProfile to, Catalog catalog, String app) {
        List<LayerChange> out = new ArrayList<>();
        Set<String> matchedOld = new LinkedHashSet<>();
        for (ServiceLayer after : to.layers()) {
            String renamedFrom = after instanceof DatabaseLayer db && db.renamedFrom() != null
                    && from.layer(after.name()).isEmpty() && from.layer(db.renamedFrom()).isPresent() ? db.renamedFrom() : null;
            Optional<ServiceLayer> before = from.layer(renamedFrom != null ? renamedFrom : after.name());
            if (before.isEmpty()) {
                out.add(new LayerChange(after.name(), after.type(), LayerKind.ADDED, null, added(after)));
                continue;
            }
            matchedOld.add(before.get().name());
            List<Change> changes = changes(before.get(), after, catalog, app);
            if (renamedFrom != null) {
                changes = changes.stream().filter(c -> !c.field().equals("renamedFrom")).toList();
                out.add(new LayerChange(after.name(), after.type(), LayerKind.RENAMED, renamedFrom, changes));
            } else if (!changes.isEmpty()) {
                out.add(new LayerChange(after.name(), after.type(), LayerKind.CHANGED, null, changes));
            }
        }
        for (ServiceLayer before : from.layers()) {
            if (matchedOld.contains(before.name())) continue;
            String note = before instanceof DatabaseLayer db && db.deployment().runsServer()
                    ? "its data stays in the cluster unless `up --delete-data " + app + "/" + db.dataName() + "` names it" : null;
            out.add(new LayerChange(before.name(), before.type(), LayerKind.REMOVED, null,
                    note == null ? List.of() : List.of(new Change("data", null, null, note))));
        }
        return out;
    }

    private static List<Change> added(ServiceLayer layer) {
        List<Change> out = new ArrayList<>();
        facts(layer).forEach((k, v) -> {
            if (!k.equals("type")) out.add(new Change(k, null, v, null));
        });
        return out;
    }

    private static List<Change> changes(ServiceLayer before, ServiceLayer after, Catalog catalog, String app) {
        Map<String, String> a = facts(before);
        Map<String, String> b = facts(after);
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<Change> out = new ArrayList<>();
        for (String k : keys) {
            String x = a.get(k);
            String y = b.get(k);
            if (java.util.Objects.equals(x, y)) continue;
            String note = null;
            if (k.equals("version") && x != null && y != null && after instanceof DatabaseLayer db) {
                note = versionNote(catalog, db, x, y, app);
            }
            if (k.equals("storage") && x != null && y != null) {
                note = gib(y) < gib(x) ? "a claim cannot shrink: the planner refuses this" : "claims grow in place";
            }
            out.add(new Change(k, x, y, note));
        }
        return out;
    }

    private static long gib(String s) {
        try {
            return Long.parseLong(s.replace("Gi", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A major change (another version family of the catalog) is flagged with what the planner will require. */
    private static String versionNote(Catalog catalog, DatabaseLayer db, String from, String to, String app) {
        Optional<Component> c = catalog.find(db.type(), db.engine());
        if (c.isEmpty()) return null;
        String fromFamily = c.get().familyOf(from).orElse(from);
        String toFamily = c.get().familyOf(to).orElse(to);
        VersionChange.Judgement j = VersionChange.judge(c.get(), from, to);
        return switch (j.verdict()) {
            case SAFE -> fromFamily.equals(toFamily) ? "minor: rolls in place" : "MAJOR (" + fromFamily + " → " + toFamily
                    + "): " + j.explanation();
            case NEEDS_MAJOR_UPGRADE_FLAG -> "MAJOR (" + fromFamily + " → " + toFamily + "): needs `up --allow-major-upgrade"
                    + " " + app + "/" + db.name() + "`; " + j.explanation();
            case NEEDS_DOWNGRADE_FLAG -> "DOWNGRADE: needs `up --allow-downgrade " + app + "/" + db.name() + "`; " + j.explanation();
            case REFUSED -> "MAJOR (" + fromFamily + " → " + toFamily + "), refused in place: " + j.explanation();
        };
    }

    /** A layer's content as readable field → value pairs, in the order the model declares its fields. */
    static Map<String, String> facts(ServiceLayer layer) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent rc : layer.getClass().getRecordComponents()) {
            if (NOT_CONTENT.contains(rc.getName())) continue;
            flatten(label(rc.getName()), value(rc, layer), out);
        }
        if (!out.containsKey("type")) out.put("type", layer.type());
        return out;
    }

    private static Object value(RecordComponent rc, Object owner) {
        try {
            return rc.getAccessor().invoke(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String label(String field) {
        return switch (field) {
            case "storageGiB" -> "storage";
            case "settings" -> "setting";
            case "parameters" -> "parameter";
            case "credentials" -> "credential";
            case "ports" -> "port";
            case "dependsOn" -> "dependsOn";
            default -> field;
        };
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON_TEXT = new com.fasterxml.jackson.databind.ObjectMapper();

    private static void flatten(String key, Object v, Map<String, String> out) {
        if (v == null || v instanceof SourceRef) return;
        if (key.equals("storage") && v instanceof Integer n) {
            out.put(key, n + "Gi");
        } else if (v instanceof Deployment d) {
            out.put(key, d.isExternal() ? "external " + d.host() + (d.port() > 0 ? ":" + d.port() : "")
                    + (d.check() ? "" : " (not checked)") : d.type().toString());
        } else if (v instanceof SecretValue) {
            out.put(key, "(secret)");
        } else if (v instanceof Template t) {
            out.put(key, t.raw());
        } else if (v instanceof Map<?, ?> m) {
            // Sorted: a model's maps may be unordered (Map.copyOf), and the words must not move between runs.
            new java.util.TreeMap<Object, Object>(m).forEach((k, x) -> flatten(key + " " + k, x, out));
        } else if (v instanceof Collection<?> c && !c.isEmpty()
                && c.stream().allMatch(x -> x instanceof dev.dbstack.model.ManifestLayer.Document)) {
            // A manifest's objects by kind and name, each field a line of its own: `object ConfigMap ui data theme`.
            for (Object item : c) {
                Map<String, Object> tree = ((dev.dbstack.model.ManifestLayer.Document) item).tree();
                Object meta = tree.get("metadata");
                Object name = meta instanceof Map<?, ?> m ? m.get("name") : null;
                flatten("object " + tree.get("kind") + " " + name, tree, out);
            }
        } else if (v instanceof Collection<?> c && !c.isEmpty() && c.stream().allMatch(x -> x instanceof dev.dbstack.model.Patch)) {
            // A patch by its target, with its content as JSON: what a reviewer compares.
            for (Object item : c) {
                dev.dbstack.model.Patch p = (dev.dbstack.model.Patch) item;
                out.put(key + " " + p.target(), p.merge() != null ? "merge patch " + JSON_TEXT.valueToTree(p.merge())
                        : "operations " + JSON_TEXT.valueToTree(p.operations()));
            }
        } else if (v instanceof Collection<?> c && !c.isEmpty() && c.stream().allMatch(ProfileDiff::named)) {
            for (Object item : c) {
                String name = String.valueOf(value(component(item, "name"), item));
                Map<String, String> inner = new LinkedHashMap<>();
                for (RecordComponent rc : item.getClass().getRecordComponents()) {
                    if (NOT_CONTENT.contains(rc.getName())) continue;
                    flatten(rc.getName(), value(rc, item), inner);
                }
                out.put(key + " " + name, inner.size() == 1 ? inner.values().iterator().next() : inner.toString());
            }
        } else if (v instanceof Collection<?> c) {
            if (c.isEmpty()) return;
            List<String> items = new ArrayList<>();
            for (Object item : c) items.add(text(item));
            out.put(key, String.join(", ", items));
        } else if (v instanceof Record r) {
            Map<String, String> inner = new LinkedHashMap<>();
            for (RecordComponent rc : r.getClass().getRecordComponents()) flatten(rc.getName(), value(rc, r), inner);
            if (!inner.isEmpty()) out.put(key, inner.size() == 1 ? inner.values().iterator().next() : inner.toString()
                    .replaceAll("^\\{|\\}$", ""));
        } else if (v instanceof Boolean b) {
            if (b) out.put(key, "true");
        } else {
            out.put(key, String.valueOf(v));
        }
    }

    private static String text(Object item) {
        if (item instanceof Record r) {
            Map<String, String> inner = new LinkedHashMap<>();
            for (RecordComponent rc : r.getClass().getRecordComponents()) flatten(rc.getName(), value(rc, r), inner);
            return inner.size() == 1 ? inner.values().iterator().next() : inner.toString();
        }
        if (item instanceof Template t) return t.raw();
        if (item instanceof SecretValue) return "(secret)";
        return String.valueOf(item);
    }

    private static boolean named(Object item) {
        return item instanceof Record && component(item, "name") != null;
    }

    private static RecordComponent component(Object item, String name) {
        for (RecordComponent rc : item.getClass().getRecordComponents()) if (rc.getName().equals(name)) return rc;
        return null;
    }
}
