package dev.dbstack.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 7386 JSON merge patch: objects merge, {@code null} removes, anything else (lists included)
 * replaces. The API server applies patches this way, and catalog files layer engines and version
 * variants over a type with it.
 */
public final class MergePatch {
    private MergePatch() {}

    /** {@code target} with {@code patch} applied; neither argument is changed. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch;
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) result.remove(f.getKey());
            else result.set(f.getKey(), apply(result.get(f.getKey()), f.getValue()));
        }
        return result;
    }
}
