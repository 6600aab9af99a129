package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sandbox's objects on disk, in the same snapshot + journal format as dbstack's own state: one
 * journal line per write, keyed {@code apiVersion/kind/namespace/name}, its serial the change's
 * resourceVersion. A start reads the snapshot and the journal once, straight into the store. The
 * journal is folded into the snapshot only when it has grown past the store's size, so a run that
 * changes a few objects writes a few lines, and a run that changes nothing writes nothing.
 *
 * <p>A line is handed to the operating system before the write is answered, so a killed process
 * loses nothing the API confirmed; unlike dbstack's state it is not forced to the disk each time (a
 * StatefulSet's pods, claims and status are a dozen writes, and an fsync costs milliseconds). A
 * machine that loses power may lose the sandbox's last writes, which the next plan sees as missing
 * and creates again: the sandbox holds no data of its own.
 */
final class SandboxStore {
    /** A journal shorter than this is never worth rewriting the snapshot for. */
    private static final int MIN_COMPACTION = 1000;

    private final StateStore store;
    private int journalLength;
    /** The journal, open for appending from the first write to {@link #close}. */
    private java.nio.channels.FileChannel journal;

    SandboxStore(Path dir) {
        this.store = new StateStore(dir);
    }

    /**
     * Puts every kept object back into the store as it was (uids, resourceVersions, status): one read of the disk.
     * Returns whether anything was kept (false for a sandbox's first start).
     */
    boolean restore(SandboxApi api) {
        StateStore.State state = store.load();
        journalLength = state.journalLength();
        SandboxObjects objects = api.objects();
        objects.locked(() -> {
            // CustomResourceDefinitions first: they say where their custom resources are stored.
            for (boolean definitions : new boolean[] {true, false}) {
                for (JsonNode o : state.entries().values()) {
                    boolean definition = o.path("apiVersion").asText().startsWith(SandboxCrds.GROUP + "/")
                            && o.path("kind").asText().equals("CustomResourceDefinition");
                    if (definition == definitions && o instanceof ObjectNode object) objects.restore(api.typeOf(object), object);
                }
            }
            objects.continueAfter(state.serial()); // a deletion's version too: none is issued twice
            return null;
        });
        return !state.entries().isEmpty();
    }

    /** Journals one change (called under the store's lock, so the journal is in the order of the changes). */
    void record(SandboxObjects.Change change) {
        boolean gone = change.action().equals("DELETED");
        var entry = new StateStore.JournalEntry(key(change.object()), gone ? null : change.object(), change.version());
        try {
            if (journal == null) {
                java.nio.file.Files.createDirectories(store.journalFile().getParent());
                journal = java.nio.channels.FileChannel.open(store.journalFile(), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.APPEND);
            }
            java.nio.ByteBuffer line = java.nio.ByteBuffer.wrap((SandboxApi.JSON.writeValueAsString(entry) + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (line.hasRemaining()) journal.write(line);
        } catch (java.io.IOException e) {
            throw new dev.dbstack.state.StateStorageException("record the sandbox's objects in", store.journalFile().getParent(), e);
        }
        journalLength++;
    }

    /** Folds the journal into a new snapshot when it has grown past the store's size (or {@code always}). */
    void compact(SandboxObjects objects, boolean always) {
        objects.locked(() -> {
            Map<String, List<ObjectNode>> all = objects.all();
            int size = all.values().stream().mapToInt(List::size).sum();
            if (journalLength == 0 || (!always && journalLength < Math.max(MIN_COMPACTION, size))) return null;
            TreeMap<String, JsonNode> entries = new TreeMap<>();
            all.values().forEach(list -> list.forEach(o -> entries.put(key(o), o)));
            closeJournal();
            store.checkpoint(new StateStore.State(entries, 0, objects.version()));
            journalLength = 0;
            return null;
        });
    }

    private static String key(JsonNode o) {
        JsonNode meta = o.path("metadata");
        return o.path("apiVersion").asText() + "/" + o.path("kind").asText() + "/" + meta.path("namespace").asText("")
                + "/" + meta.path("name").asText();
    }

    /** Lets go of the journal file (a later write opens it again). */
    void closeJournal() {
        if (journal == null) return;
        try {
            journal.close();
        } catch (java.io.IOException ignored) {
            // every line was written before it was answered; closing adds nothing
        }
        journal = null;
    }
}
