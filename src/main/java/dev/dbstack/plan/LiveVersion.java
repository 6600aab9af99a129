package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a step was planned against: the live object's {@code metadata.resourceVersion}, which every
 * write sends as its precondition, and a digest of the object's content apart from what the cluster
 * writes on its own — {@code status} (controllers report there all the time: ready replicas, a claim's
 * capacity) and the version bookkeeping ({@code resourceVersion}, {@code generation},
 * {@code managedFields}). A status write moves the resourceVersion without changing the object anyone
 * planned against; the digest tells the two apart, so that only a change of the object itself makes a
 * plan stale. A step on an object that was absent has no LiveVersion (null).
 */
public record LiveVersion(String resourceVersion, String digest) {

    /** The version of a live object as the API returned it; null for null. */
    public static LiveVersion of(JsonNode live) {
        if (live == null) return null;
        return new LiveVersion(live.path("metadata").path("resourceVersion").asText(""), digest(live));
    }

    /** Whether {@code live} is the object this was taken of, or differs from it only in status and bookkeeping. */
    public boolean sameObject(JsonNode live) {
        return live != null && (resourceVersion.equals(live.path("metadata").path("resourceVersion").asText())
                || digest.equals(digest(live)));
    }

    static String digest(JsonNode live) {
        ObjectNode copy = live.deepCopy();
        copy.remove("status");
        if (copy.get("metadata") instanceof ObjectNode meta) {
            meta.remove("resourceVersion");
            meta.remove("generation");
            meta.remove("managedFields");
        }
        return CanonicalJson.sha256(copy);
    }
}
