package dev.dbstack.profiles;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** Update notifications in words (preview and up), as JSON (the plan document's {@code updates}) and as markdown. */
public final class UpdatePrinter {
    private UpdatePrinter() {}

    /** One block per app that is behind; empty when none is. */
    public static String text(List<ProfileUpdates.Update> updates) {
        StringBuilder out = new StringBuilder();
        for (ProfileUpdates.Update u : updates) {
            if (out.length() > 0) out.append('\n');
            out.append("Update available for app ").append(u.app()).append(": profile ").append(u.profile()).append(' ')
                    .append(u.pinned()).append(" → ").append(u.newest());
            if (u.versions().size() > 1) out.append(" (newer versions: ").append(String.join(", ", u.versions())).append(')');
            out.append('\n');
            out.append(layers(u.layers()));
            out.append("  Apply it to this app: dbstack app update ").append(u.app()).append(" (then dbstack up)\n");
        }
        return out.toString();
    }

    /** The changes by layer, indented under a heading line. */
    public static String layers(List<ProfileDiff.LayerChange> layers) {
        StringBuilder out = new StringBuilder();
        if (layers.isEmpty()) out.append("  no change to any layer\n");
        for (ProfileDiff.LayerChange l : layers) {
            out.append("  layer ").append(l.layer()).append(" (").append(l.type()).append("): ").append(kind(l)).append('\n');
            for (ProfileDiff.Change c : l.changes()) out.append("    ").append(line(l.kind(), c)).append('\n');
        }
        return out.toString();
    }

    private static String kind(ProfileDiff.LayerChange l) {
        return switch (l.kind()) {
            case ADDED -> "added";
            case REMOVED -> "removed";
            case RENAMED -> "renamed from " + l.renamedFrom() + (l.changes().isEmpty() ? "" : ", changed");
            case CHANGED -> "changed";
        };
    }

    private static String line(ProfileDiff.LayerKind kind, ProfileDiff.Change c) {
        String note = c.note() == null ? "" : (c.from() == null && c.to() == null ? "" : "  ") + c.note();
        if (c.from() == null && c.to() == null) return note.strip();
        if (kind == ProfileDiff.LayerKind.ADDED) return c.field() + ": " + c.to() + note;
        if (c.from() == null) return c.field() + ": added, " + c.to() + note;
        if (c.to() == null) return c.field() + ": removed (was " + c.from() + ")" + note;
        return c.field() + ": " + c.from() + " → " + c.to() + note;
    }

    public static ArrayNode json(List<ProfileUpdates.Update> updates) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (ProfileUpdates.Update u : updates) {
            ObjectNode n = arr.addObject();
            n.put("app", u.app());
            n.put("profile", u.profile());
            n.put("pinned", u.pinned());
            n.put("newest", u.newest());
            ArrayNode versions = n.putArray("versions");
            u.versions().forEach(versions::add);
            ArrayNode layers = n.putArray("layers");
            for (ProfileDiff.LayerChange l : u.layers()) {
                ObjectNode ln = layers.addObject();
                ln.put("layer", l.layer());
                ln.put("type", l.type());
                ln.put("change", l.kind().name().toLowerCase(Locale.ROOT));
                ln.put("renamedFrom", l.renamedFrom());
                ArrayNode changes = ln.putArray("changes");
                for (ProfileDiff.Change c : l.changes()) {
                    ObjectNode cn = changes.addObject();
                    cn.put("field", c.field());
                    cn.put("from", c.from());
                    cn.put("to", c.to());
                    cn.put("note", c.note());
                }
            }
        }
        return arr;
    }

    /** The same as {@link #text}, for a pull-request comment. */
    public static String markdown(List<ProfileUpdates.Update> updates) {
        if (updates.isEmpty()) return "";
        StringBuilder out = new StringBuilder("### Profile updates available\n\n");
        for (ProfileUpdates.Update u : updates) {
            out.append("- **").append(u.app()).append("**: ").append(u.profile()).append(' ').append(u.pinned()).append(" → ")
                    .append(u.newest()).append(" (`dbstack app update ").append(u.app()).append("`)\n");
            for (ProfileDiff.LayerChange l : u.layers()) {
                out.append("  - layer `").append(l.layer()).append("` (").append(l.type()).append("): ").append(kind(l)).append('\n');
                for (ProfileDiff.Change c : l.changes()) out.append("    - ").append(line(l.kind(), c)).append('\n');
            }
        }
        return out.append('\n').toString();
    }
}
