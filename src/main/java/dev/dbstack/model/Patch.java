package dev.dbstack.model;

import java.util.List;
import java.util.Map;

/**
 * One entry of a layer's {@code patches:}: a change to one of the objects the layer renders, for what the catalog
 * does not expose (a sidecar, an annotation, a toleration). Applied in render, after the layer's objects are built.
 *
 * @param kind       the target's kind ({@code StatefulSet})
 * @param name       the target's name
 * @param merge      a JSON merge patch (RFC 7386) as plain values (maps, lists, strings, numbers, booleans, null);
 *                   null when {@code operations} is given
 * @param operations RFC 6902 operations as plain values; null when {@code merge} is given
 * @param key        the config key of this entry ({@code config.dbstack:profiles[shop].layers[db].patches[0]})
 * @param source     where it is written
 */
public record Patch(String kind, String name, Map<String, Object> merge, List<Object> operations, String key,
                    SourceRef source) {
    /** {@code StatefulSet postgresql-1}. */
    public String target() {
        return kind + " " + name;
    }
}
