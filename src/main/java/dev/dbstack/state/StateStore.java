package dev.dbstack.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stack's state on disk, crash-safe: a snapshot ({@code state.json}) plus a journal
 * ({@code journal.jsonl}) of every step applied since. Recording a step appends one fsynced line,
 * so its cost does not grow with the stack; {@link #checkpoint} folds the journal into a new
 * snapshot (temp file, fsync, atomic rename, fsync of the directory) and only then empties the
 * journal. A crash at any point leaves a snapshot and a journal that replay to everything applied;
 * a torn last journal line (the crash hit mid-write) is ignored, because its step was not
 * acknowledged as recorded.
 *
 * <p>Every change carries a serial, one more than the change before it: the snapshot keeps the
 * serial it was folded at and each journal line its own, so the state's serial is known after a
 * crash at any point without counting (a journal replayed onto the snapshot it was folded into keeps
 * its serials, not twice as many). A saved plan records the serial it was made at; a different one
 * means state changed since.
 */
public final class StateStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    public StateStore(Path stackStateDir) {
        this.dir = stackStateDir;
    }

    /**
     * One recorded change: an entry of the state map set to a value, or removed (value null), and the
     * state's serial after it (0 in journals written before serials: each such line counts one).
     */
    public record JournalEntry(String key, JsonNode value, long serial) {
        public JournalEntry(String key, JsonNode value) {
            this(key, value, 0);
        }
    }

    /** The state: entries keyed by a stable name (an object, a credential, a setting), and its serial. */
    public record State(Map<String, JsonNode> entries, int journalLength, long serial) {
        public State(Map<String, JsonNode> entries, int journalLength) {
            this(entries, journalLength, 0);
        }

        public static State empty() {
            return new State(new TreeMap<>(), 0, 0);
        }
    }

    public Path snapshotFile() {
        return dir.resolve("state.json");
    }

    public Path journalFile() {
        return dir.resolve("journal.jsonl");
    }

    /** Snapshot plus journal replay. */
    public State load() {
        TreeMap<String, JsonNode> entries = new TreeMap<>();
        long serial = 0;
        try {
            if (Files.exists(snapshotFile())) {
                JsonNode root = JSON.readTree(snapshotFile().toFile());
                root.path("entries").fields().forEachRemaining(e -> entries.put(e.getKey(), e.getValue()));
                serial = root.path("serial").asLong(0);
            }
            int replayed = 0;
            if (Files.exists(journalFile())) {
                List<String> lines = Files.readAllLines(journalFile(), StandardCharsets.UTF_8);
                for (String line : lines) {
                    if (line.isBlank()) continue;
                    JournalEntry e;
                    try {
                        e = JSON.readValue(line, JournalEntry.class);
                    } catch (IOException torn) {
                        break; // the crash hit this write; nothing after it was acknowledged
                    }
                    if (e.value() == null || e.value().isNull()) entries.remove(e.key());
                    else entries.put(e.key(), e.value());
                    serial = e.serial() > 0 ? Math.max(serial, e.serial()) : serial + 1;
                    replayed++;
                }
            }
            return new State(entries, replayed, serial);
        } catch (IOException e) {
            throw new StateStorageException("read state in", dir, e);
        }
    }

    /** Appends one entry and forces it to disk before returning. */
    public void record(JournalEntry entry) {
        try {
            Files.createDirectories(dir);
            byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(journalFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(false);
            }
        } catch (IOException e) {
            throw new StateStorageException("record state in", dir, e);
        }
    }

    /** Writes {@code state} as the new snapshot, atomically, then empties the journal. */
    public void checkpoint(State state) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("state.json.tmp");
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(Map.of("version", 1, "serial", state.serial(), "entries", new TreeMap<>(state.entries())));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, snapshotFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, snapshotFile(), StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory();
            // Only now is the journal redundant; a crash before this line replays it onto the new
            // snapshot, which is harmless because replaying an entry twice gives the same state.
            Files.deleteIfExists(journalFile());
            forceDirectory();
        } catch (IOException e) {
            throw new StateStorageException("write state in", dir, e);
        }
    }

    private void forceDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open a directory; the rename is still atomic there.
        }
    }
}
