package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The sandbox's object store, indexed the way an API server's storage is: by resource type, then
 * {@code namespace/name} in order (a namespace's objects are one range), plus uid and owner indexes
 * for ownerReferences. Reading one object or one namespace costs what it returns, not what is
 * stored. Every change gets the next resourceVersion and is told, in order and under the lock, to
 * the listeners (the journal, the controllers, watches). Stored objects are never mutated: a write
 * stores a new node, so a reader may serialise what it got after letting go of the lock.
 *
 * <p>Callers hold {@link #lock} around every read-decide-write sequence ({@link #locked}).
 */
final class SandboxObjects {
    /** A change as a watch sees it: ADDED, MODIFIED or DELETED, the object after (for DELETED, as it was). */
    record Change(String action, String type, ObjectNode object, long version) {}

    /** How many recent changes are kept for a watch that resumes from a resourceVersion. */
    private static final int RECENT = 8192;

    private final ReentrantLock lock = new ReentrantLock();
    /** type ({@code group/resource}) → {@code namespace/name} (namespace empty when cluster-scoped) → object */
    private final Map<String, TreeMap<String, ObjectNode>> byType = new HashMap<>();
    /** uid → where the object is, {type, key} */
    private final Map<String, String[]> byUid = new HashMap<>();
    /** owner uid → uids of the objects whose ownerReferences name it */
    private final Map<String, Set<String>> dependents = new HashMap<>();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private long version;

    <T> T locked(Supplier<T> task) {
        lock.lock();
        try {
            return task.get();
        } finally {
            lock.unlock();
        }
    }

    void listen(Consumer<Change> listener) {
        listeners.add(listener);
    }

    void unlisten(Consumer<Change> listener) {
        listeners.remove(listener);
    }

    static String key(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    ObjectNode get(String type, String namespace, String name) {
        TreeMap<String, ObjectNode> objects = byType.get(type);
        return objects == null ? null : objects.get(key(namespace, name));
    }

    /** The objects of a type, in one namespace or (namespace null) all of them, in name order. */
    List<ObjectNode> list(String type, String namespace) {
        TreeMap<String, ObjectNode> objects = byType.get(type);
        if (objects == null) return List.of();
        Collection<ObjectNode> range = namespace == null ? objects.values()
                : objects.subMap(namespace + "/", namespace + "0").values(); // '0' follows '/': exactly this namespace
        return new ArrayList<>(range);
    }

    /** Every stored object, with its type. */
    Map<String, List<ObjectNode>> all() {
        Map<String, List<ObjectNode>> all = new TreeMap<>();
        byType.forEach((type, objects) -> {
            if (!objects.isEmpty()) all.put(type, new ArrayList<>(objects.values()));
        });
        return all;
    }

    boolean hasUid(String uid) {
        return byUid.containsKey(uid);
    }

    /** The stored object with this uid, or null. */
    ObjectNode byUid(String uid) {
        String[] at = byUid.get(uid);
        return at == null ? null : byType.get(at[0]).get(at[1]);
    }

    String typeOfUid(String uid) {
        String[] at = byUid.get(uid);
        return at == null ? null : at[0];
    }

    /** The objects whose ownerReferences name {@code uid}, as uids. */
    Set<String> dependentsOf(String uid) {
        return Set.copyOf(dependents.getOrDefault(uid, Set.of()));
    }

    long version() {
        return version;
    }

    long nextVersion() {
        return ++version;
    }

    /** Stores {@code object} (its resourceVersion already set by the caller) and tells the listeners. */
    void put(String type, ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String k = key(meta.path("namespace").asText(null), meta.path("name").asText());
        ObjectNode old = byType.computeIfAbsent(type, t -> new TreeMap<>()).put(k, object);
        if (old != null) unindex(old);
        index(type, k, object);
        tell(new Change(old == null ? "ADDED" : "MODIFIED", type, object, object.path("metadata").path("resourceVersion").asLong()));
    }

    /** Removes the object and tells the listeners, with a new resourceVersion for the deletion. */
    ObjectNode remove(String type, String namespace, String name) {
        TreeMap<String, ObjectNode> objects = byType.get(type);
        ObjectNode old = objects == null ? null : objects.remove(key(namespace, name));
        if (old == null) return null;
        unindex(old);
        ObjectNode gone = old.deepCopy();
        ((ObjectNode) gone.get("metadata")).put("resourceVersion", String.valueOf(nextVersion()));
        tell(new Change("DELETED", type, gone, version));
        return gone;
    }

    /** Puts back an object read from disk: no event, its resourceVersion kept, versions continue above it. */
    void restore(String type, ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String k = key(meta.path("namespace").asText(null), meta.path("name").asText());
        ObjectNode old = byType.computeIfAbsent(type, t -> new TreeMap<>()).put(k, object);
        if (old != null) unindex(old);
        index(type, k, object);
        version = Math.max(version, meta.path("resourceVersion").asLong(0));
    }

    /** Versions are issued above {@code issued} (the highest a previous run issued, deletions included). */
    void continueAfter(long issued) {
        version = Math.max(version, issued);
    }

    /** The changes after {@code since}, oldest first; null when they are no longer all kept (a watch gets 410 Gone). */
    List<Change> changesSince(long since) {
        if (since >= version) return List.of();
        Change oldest = recent.peekFirst();
        if (oldest == null || oldest.version() > since + 1) return null;
        List<Change> changes = new ArrayList<>();
        for (Change c : recent) if (c.version() > since) changes.add(c);
        return changes;
    }

    private void tell(Change change) {
        recent.addLast(change);
        if (recent.size() > RECENT) recent.removeFirst();
        for (Consumer<Change> l : listeners) l.accept(change);
    }

    private void index(String type, String k, ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String uid = meta.path("uid").asText("");
        if (uid.isEmpty()) return;
        byUid.put(uid, new String[] {type, k});
        for (JsonNode ref : meta.path("ownerReferences")) {
            dependents.computeIfAbsent(ref.path("uid").asText(), u -> new HashSet<>()).add(uid);
        }
    }

    private void unindex(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String uid = meta.path("uid").asText("");
        if (uid.isEmpty()) return;
        byUid.remove(uid);
        for (JsonNode ref : meta.path("ownerReferences")) {
            Set<String> d = dependents.get(ref.path("uid").asText());
            if (d != null && d.remove(uid) && d.isEmpty()) dependents.remove(ref.path("uid").asText());
        }
    }
}
