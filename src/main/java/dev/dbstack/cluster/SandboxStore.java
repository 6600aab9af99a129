package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.state.StateStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sandbox's objects on disk, through the same crash-safe snapshot + journal as dbstack's own
 * state: one journal line per write, keyed {@code apiVersion/kind/namespace/name}, replayed on
 * start and folded into the snapshot on clean shutdown.
 */
final class SandboxStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** Creation order on restore: what others refer to first. */
    private static final List<String> KIND_ORDER = List.of("Namespace", "StorageClass", "Secret", "ConfigMap", "Service",
            "PersistentVolumeClaim", "StatefulSet", "Deployment", "Pod");

    private final StateStore store;

    SandboxStore(Path dir) {
        this.store = new StateStore(dir);
    }

    /** Records one acknowledged write from the API response body (the object, or what was deleted). */
    void record(String method, String body) {
        try {
            JsonNode object = JSON.readTree(body);
            if (object == null || !object.has("metadata") || "Status".equals(object.path("kind").asText())) return;
            boolean gone = "DELETE".equals(method);
            store.record(new StateStore.JournalEntry(key(object), gone ? null : object));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Recreates the kept objects in a fresh API server: same names, uids (ownerReferences name them),
     * resourceVersions (a version read before the restart names the same object state after it) and
     * status, each put back by the dispatcher while restoring.
     */
    void restore(KubernetesClient client) {
        Map<String, JsonNode> entries = store.load().entries();
        List<JsonNode> objects = entries.values().stream()
                .sorted(Comparator.comparingInt(SandboxStore::rank)).toList();
        for (JsonNode o : objects) {
            HasMetadata object = SERIALIZATION.unmarshal(o.toString());
            client.resource(object).createOr(existing -> existing.update());
        }
    }

    /** Writes all objects as the new snapshot and empties the journal. */
    void compact(List<String> storedObjects) {
        TreeMap<String, JsonNode> entries = new TreeMap<>();
        for (String json : storedObjects) {
            try {
                JsonNode o = JSON.readTree(json);
                entries.put(key(o), o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        store.checkpoint(new StateStore.State(entries, 0));
    }

    private static String key(JsonNode o) {
        JsonNode meta = o.path("metadata");
        return o.path("apiVersion").asText() + "/" + o.path("kind").asText() + "/" + meta.path("namespace").asText("")
                + "/" + meta.path("name").asText();
    }

    private static int rank(JsonNode o) {
        int i = KIND_ORDER.indexOf(o.path("kind").asText());
        return i < 0 ? KIND_ORDER.size() : i;
    }
}
