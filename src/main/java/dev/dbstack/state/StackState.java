package dev.dbstack.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stack's state: what was applied per object and the stack's generated credentials, the
 * latter encrypted by the caller (this class never sees a plaintext secret). Every change goes
 * through the journal at once; {@link #checkpoint} compacts.
 */
public final class StackState {
    private static final String OBJECT = "object:";
    private static final String CREDENTIAL = "credential:";
    private static final String RETAINED = "retained:";
    private static final String APP_CLUSTER = "cluster:";
    /**
     * The passphrase provider's salt the credentials are encrypted with, kept with them (as Pulumi's
     * checkpoint keeps its secrets provider's state), so they stay readable whatever happens to the
     * stack file's {@code encryptionsalt}.
     */
    private static final String ENCRYPTION_SALT = "secrets:encryptionsalt";

    /** The saved plans applied to this stack, newest last (at most {@link #APPLIED_PLANS_KEPT}). */
    private static final String APPLIED_PLANS = "plans:applied";
    private static final int APPLIED_PLANS_KEPT = 100;

    private final StateBackend store;
    private final Map<String, JsonNode> entries;
    /** Advances with every recorded change; kept on disk with the changes (see {@link StateStore}). */
    private long serial;
    /**
     * Whether the backend holds a journal the next {@link #checkpoint} must fold: changes recorded by this run,
     * or left by one that stopped before its checkpoint. Without one, a checkpoint writes nothing.
     */
    private boolean unfolded;

    private StackState(StateBackend store, Map<String, JsonNode> entries, long serial, boolean unfolded) {
        this.store = store;
        this.entries = entries;
        this.serial = serial;
        this.unfolded = unfolded;
    }

    public static Path directory(Path projectDir, String stack) {
        return projectDir.resolve(".dbstack").resolve("stacks").resolve(stack);
    }

    public static StackState open(Path stackDir) {
        return open(new FileBackend(stackDir, stackDir.getFileName().toString()));
    }

    /** Loads the state kept in {@code backend}; every change is then recorded there. */
    public static StackState open(StateBackend store) {
        StateStore.State loaded = store.load();
        return new StackState(store, new TreeMap<>(loaded.entries()), loaded.serial(), loaded.journalLength() > 0);
    }

    /** A recorded object: its app, service ({@code app/layer}, empty for app-level objects) and last-applied form. */
    public record ObjectEntry(String key, String app, String service, JsonNode lastApplied) {}

    public synchronized Map<String, ObjectEntry> objects() {
        Map<String, ObjectEntry> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(OBJECT)) {
                String key = k.substring(OBJECT.length());
                out.put(key, new ObjectEntry(key, v.path("app").asText(), v.path("service").asText(), v.get("lastApplied")));
            }
        });
        return out;
    }

    public synchronized void putObject(String key, String app, String service, JsonNode lastApplied) {
        ObjectNode v = JsonNodeFactory.instance.objectNode();
        v.put("app", app).put("service", service).set("lastApplied", lastApplied);
        set(OBJECT + key, v);
    }

    public synchronized void removeObject(String key) {
        set(OBJECT + key, null);
    }

    /**
     * The cluster each app's objects were applied to ({@code sandbox}, {@code sandbox:<name>} or a kubeconfig
     * context), by app: an app removed from the configuration is still read, and deleted, where it lives.
     */
    public synchronized Map<String, String> appClusters() {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(APP_CLUSTER)) out.put(k.substring(APP_CLUSTER.length()), v.asText());
        });
        return out;
    }

    /** Records where {@code app} is applied (nothing is written when state already says so). */
    public synchronized void putAppCluster(String app, String cluster) {
        set(APP_CLUSTER + app, JsonNodeFactory.instance.textNode(cluster));
    }

    /** Forgets where apps live of which state holds nothing any more (no object, no kept data). */
    public synchronized void forgetUnusedAppClusters() {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (var e : entries.entrySet()) {
            if (e.getKey().startsWith(OBJECT)) used.add(e.getValue().path("app").asText());
            else if (e.getKey().startsWith(RETAINED)) {
                String data = e.getKey().substring(RETAINED.length());
                used.add(data.contains("/") ? data.substring(0, data.indexOf('/')) : data);
            }
        }
        for (String k : List.copyOf(entries.keySet())) {
            if (k.startsWith(APP_CLUSTER) && !used.contains(k.substring(APP_CLUSTER.length()))) set(k, null);
        }
    }

    /** The ciphertext of a generated credential, or null. */
    public synchronized String credential(String key) {
        JsonNode v = entries.get(CREDENTIAL + key);
        return v == null ? null : v.asText();
    }

    public synchronized void putCredential(String key, String ciphertext) {
        set(CREDENTIAL + key, JsonNodeFactory.instance.textNode(ciphertext));
    }

    /** Drops every credential of a service ({@code app/layer}): its data was deleted, nothing left to open. */
    public synchronized void removeCredentials(String service) {
        String prefix = CREDENTIAL + service + "/";
        for (String k : List.copyOf(entries.keySet())) {
            if (k.startsWith(prefix)) set(k, null);
        }
    }

    /** Data kept of removed databases, by {@code app/<workload>}: what wrote it, where, and what opens it. */
    public synchronized Map<String, JsonNode> retained() {
        Map<String, JsonNode> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(RETAINED)) out.put(k.substring(RETAINED.length()), v);
        });
        return out;
    }

    /** Every credential's ciphertext by key ({@code <app>/<layer>/<name>}). */
    public synchronized Map<String, String> credentials() {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(CREDENTIAL)) out.put(k.substring(CREDENTIAL.length()), v.asText());
        });
        return out;
    }

    public synchronized void putRetained(String data, JsonNode description) {
        set(RETAINED + data, description);
    }

    public synchronized void removeRetained(String data) {
        if (entries.containsKey(RETAINED + data)) set(RETAINED + data, null);
    }

    /** The salt the credentials were encrypted with, or null for state written before it was recorded. */
    public synchronized String encryptionSalt() {
        JsonNode v = entries.get(ENCRYPTION_SALT);
        return v == null ? null : v.asText();
    }

    public synchronized void putEncryptionSalt(String salt) {
        set(ENCRYPTION_SALT, JsonNodeFactory.instance.textNode(salt));
    }

    /** One more with every change recorded: a plan made at one serial is stale at another. */
    public synchronized long serial() {
        return serial;
    }

    /** When the saved plan {@code id} was applied to this stack, or null if it never was. */
    public synchronized String planAppliedAt(String id) {
        for (JsonNode p : entries.getOrDefault(APPLIED_PLANS, JsonNodeFactory.instance.arrayNode())) {
            if (id.equals(p.path("id").asText())) return p.path("appliedAt").asText();
        }
        return null;
    }

    /** Records that the saved plan {@code id} is being applied: it can never be applied again. */
    public synchronized void planApplied(String id, String appliedAt) {
        com.fasterxml.jackson.databind.node.ArrayNode plans = JsonNodeFactory.instance.arrayNode();
        JsonNode before = entries.getOrDefault(APPLIED_PLANS, JsonNodeFactory.instance.arrayNode());
        for (int i = Math.max(0, before.size() - APPLIED_PLANS_KEPT + 1); i < before.size(); i++) plans.add(before.get(i));
        plans.addObject().put("id", id).put("appliedAt", appliedAt);
        set(APPLIED_PLANS, plans);
    }

    /** Nothing applied or generated yet (the recorded salt alone is not a deployment). */
    public synchronized boolean isEmpty() {
        return entries.keySet().stream().allMatch(k -> k.equals(ENCRYPTION_SALT) || k.equals(APPLIED_PLANS));
    }

    private void set(String key, JsonNode value) {
        // What state already holds is no change: not recorded, no new serial (a plan made before stays fresh).
        if (java.util.Objects.equals(entries.get(key), value)) return;
        store.record(new StateStore.JournalEntry(key, value, serial + 1));
        serial++; // only once the change is on disk: a failed record leaves the serial as state is
        unfolded = true;
        if (value == null) entries.remove(key);
        else entries.put(key, value);
    }

    /**
     * Folds the journal into a new snapshot. A run that changed nothing (and found no journal to fold) writes
     * nothing: what is on disk already says all of it.
     */
    public synchronized void checkpoint() {
        if (!unfolded) return;
        store.checkpoint(new StateStore.State(new TreeMap<>(entries), 0, serial));
        unfolded = false;
    }
}
