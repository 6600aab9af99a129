package dev.dbstack.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A stack's state in Secrets of one Kubernetes namespace, labelled by project and stack:
 * <ul>
 *   <li>the snapshot, gzip-compressed and split into chunks of at most {@link #CHUNK_BYTES}
 *       ({@code <base>-g<generation>-<i>}), well under the API's 1 MiB object limit;</li>
 *   <li>a small head Secret ({@code <base>}) naming the current generation, its chunk count, size and
 *       SHA-256: a checkpoint writes a new generation's chunks, then switches the head, then deletes
 *       the old generation, so a reader never sees a half-written snapshot;</li>
 *   <li>the journal: one small Secret per recorded change ({@code <base>-j<serial>}), so a change
 *       costs one API write whose size does not grow with the state; load replays those above the
 *       snapshot's serial, and a checkpoint deletes them.</li>
 * </ul>
 * The lock is a {@link LeaseLock}. State that was edited by hand, truncated or written by a newer
 * dbstack is refused with one message naming the Secret, before anything is written.
 */
public final class KubernetesBackend implements StateBackend {
    /** Raw bytes per snapshot chunk: 512 KiB, about 683 KiB once base64 in the Secret. */
    public static final int CHUNK_BYTES = 512 * 1024;
    public static final int FORMAT = 1;
    public static final String PROJECT_LABEL = "state.dbstack.dev/project";
    public static final String STACK_LABEL = "state.dbstack.dev/stack";
    public static final String PART_LABEL = "state.dbstack.dev/part";
    public static final String GENERATION_LABEL = "state.dbstack.dev/generation";
    public static final String SERIAL_LABEL = "state.dbstack.dev/serial";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final KubernetesClient client;
    private final BackendUrl url;
    private final String namespace;
    private final String project;
    private final String stack;
    private final String base;
    private final LeaseLock lease;
    /** The head as last read or written: what the next checkpoint replaces. */
    private Head head;
    /** Whether anything was recorded since the last load or checkpoint (else a checkpoint writes nothing). */
    private boolean dirty;

    /** The head: which generation of chunks is the snapshot, and how to check it. */
    record Head(int format, long generation, int chunks, long size, String sha256, long serial) {}

    public KubernetesBackend(KubernetesClient client, BackendUrl url, String project, String stack) {
        this.client = client;
        this.url = url;
        this.namespace = url.namespace();
        this.project = project;
        this.stack = stack;
        this.base = baseName(project, stack);
        this.lease = new LeaseLock(client, namespace, base, stack, labels("lease"), this::describe);
    }

    /** {@code dbstack-<project>-<stack>-<hash>}: a valid Secret name whatever the two names hold. */
    public static String baseName(String project, String stack) {
        String hash = HexFormat.of().formatHex(sha256((project + "\0" + stack).getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        String p = clean(project);
        String s = clean(stack);
        String name = "dbstack-" + (p.length() > 80 ? p.substring(0, 80) : p) + "-" + (s.length() > 80 ? s.substring(0, 80) : s);
        return name.replaceAll("-+", "-") + "-" + hash;
    }

    private static String clean(String name) {
        String c = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return c.isEmpty() ? "x" : c;
    }

    private static String labelValue(String name) {
        String c = name.replaceAll("[^A-Za-z0-9_.-]+", "-");
        if (c.length() > 63) c = c.substring(0, 63);
        c = c.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
        return c.isEmpty() ? "x" : c;
    }

    private Map<String, String> labels(String part) {
        Map<String, String> l = new TreeMap<>();
        l.put(PROJECT_LABEL, labelValue(project));
        l.put(STACK_LABEL, labelValue(stack));
        l.put(PART_LABEL, part);
        l.put("app.kubernetes.io/managed-by", "dbstack");
        return l;
    }

    public String headName() {
        return base;
    }

    public String chunkName(long generation, int i) {
        return base + "-g" + generation + "-" + i;
    }

    public String journalName(long serial) {
        return base + "-j" + serial;
    }

    public LeaseLock lease() {
        return lease;
    }

    @Override
    public String describe() {
        return url + " (Secrets " + base + "*)";
    }

    /** Creates the backend's namespace if it does not exist yet (the first run against it). */
    public void ensureNamespace() {
        call("create the namespace of", () -> {
            if (client.namespaces().withName(namespace).get() == null) {
                client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace)
                        .endMetadata().build()).createOr(existing -> existing.update());
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- load

    @Override
    public StateStore.State load() {
        return call("read state from", () -> {
            TreeMap<String, JsonNode> entries = new TreeMap<>();
            long serial = 0;
            Secret headSecret = secrets().withName(headName()).get();
            head = null;
            if (headSecret != null) {
                head = readHead(headSecret);
                byte[] gz = readChunks(head);
                JsonNode root;
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                    root = JSON.readTree(in);
                } catch (IOException e) {
                    throw refused(headName(), "its snapshot does not decompress (" + e.getMessage() + ")");
                }
                if (root.path("version").asInt(0) > FORMAT) {
                    throw refused(chunkName(head.generation(), 0), "it was written in state format " + root.path("version").asInt()
                            + " by a newer dbstack; this one reads format " + FORMAT + " (upgrade dbstack)");
                }
                root.path("entries").fields().forEachRemaining(e -> entries.put(e.getKey(), e.getValue()));
                serial = root.path("serial").asLong(0);
            }
            int replayed = 0;
            List<Secret> records = new ArrayList<>(secrets().withLabels(labels("journal")).list().getItems());
            TreeMap<Long, Secret> bySerial = new TreeMap<>();
            for (Secret r : records) {
                String s = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(SERIAL_LABEL);
                long n;
                try {
                    n = Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw refused(r.getMetadata().getName(), "its label " + SERIAL_LABEL + " is not a serial");
                }
                if (n > serial) bySerial.put(n, r);
            }
            long expected = serial + 1;
            for (Map.Entry<Long, Secret> e : bySerial.entrySet()) {
                if (e.getKey() != expected) {
                    throw refused(journalName(expected), "the journal record with serial " + expected + " is missing (the next"
                            + " is " + e.getKey() + "): the state is truncated");
                }
                StateStore.JournalEntry entry = readRecord(e.getValue());
                if (entry.value() == null || entry.value().isNull()) entries.remove(entry.key());
                else entries.put(entry.key(), entry.value());
                serial = e.getKey();
                expected++;
                replayed++;
            }
            dirty = replayed > 0;
            return new StateStore.State(entries, replayed, serial);
        });
    }

    private Head readHead(Secret s) {
        String name = s.getMetadata().getName();
        byte[] bytes = data(s, "head");
        JsonNode h;
        try {
            h = JSON.readTree(bytes);
        } catch (IOException e) {
            throw refused(name, "its head is not JSON");
        }
        if (h == null || !h.isObject()) throw refused(name, "it has no head");
        int format = h.path("format").asInt(0);
        if (format > FORMAT) {
            throw refused(name, "it was written in state format " + format + " by a newer dbstack; this one reads format "
                    + FORMAT + " (upgrade dbstack)");
        }
        if (format < 1 || !h.path("generation").canConvertToLong() || h.path("chunks").asInt(0) < 1
                || !h.path("sha256").isTextual()) {
            throw refused(name, "its head is not a dbstack state head");
        }
        return new Head(format, h.path("generation").asLong(), h.path("chunks").asInt(), h.path("size").asLong(),
                h.path("sha256").asText(), h.path("serial").asLong());
    }

    private byte[] readChunks(Head h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < h.chunks(); i++) {
            String name = chunkName(h.generation(), i);
            Secret c = secrets().withName(name).get();
            if (c == null) {
                throw refused(name, "it is missing: the head " + headName() + " names " + h.chunks() + " chunks of generation "
                        + h.generation() + " and this one is gone (the state is truncated)");
            }
            out.writeBytes(data(c, "chunk"));
        }
        byte[] all = out.toByteArray();
        if (all.length != h.size() || !HexFormat.of().formatHex(sha256(all)).equals(h.sha256())) {
            throw refused(headName(), "the snapshot's chunks " + chunkName(h.generation(), 0) + ".." + (h.chunks() - 1)
                    + " do not match the checksum the head records (edited by hand?)");
        }
        return all;
    }

    private StateStore.JournalEntry readRecord(Secret s) {
        String name = s.getMetadata().getName();
        byte[] record = data(s, "record");
        String sum = new String(data(s, "sha256"), StandardCharsets.UTF_8);
        if (!HexFormat.of().formatHex(sha256(record)).equals(sum)) {
            throw refused(name, "the journal record does not match its checksum (edited by hand?)");
        }
        JsonNode r;
        try {
            r = JSON.readTree(record);
        } catch (IOException e) {
            throw refused(name, "the journal record is not JSON");
        }
        if (r.path("format").asInt(1) > FORMAT) {
            throw refused(name, "it was written in state format " + r.path("format").asInt() + " by a newer dbstack; this one"
                    + " reads format " + FORMAT + " (upgrade dbstack)");
        }
        return new StateStore.JournalEntry(r.path("key").asText(), r.get("value"), r.path("serial").asLong());
    }

    private byte[] data(Secret s, String key) {
        String v = s.getData() == null ? null : s.getData().get(key);
        if (v == null) throw refused(s.getMetadata().getName(), "it has no data." + key);
        try {
            return Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw refused(s.getMetadata().getName(), "its data." + key + " is not base64");
        }
    }

    private UserInputException refused(String secret, String why) {
        return UserInputException.of(new SourceRef(url.toString(), 0), "", "state Secret " + namespace + "/" + secret
                + " of stack '" + stack + "' cannot be read: " + why + ". Nothing was written. Restore it from a backup, or"
                + " delete the stack's state Secrets (labels " + PROJECT_LABEL + "=" + labelValue(project) + "," + STACK_LABEL
                + "=" + labelValue(stack) + ") to start over");
    }

    // ---------------------------------------------------------------- write

    @Override
    public void record(StateStore.JournalEntry entry) {
        // A run whose Lease was cancelled or taken over no longer owns the state: its next record stops it.
        LeaseLock.Held current = held;
        if (current != null && current.lost()) {
            throw new StateStorageException("record state in", describe(), "this run's lock was removed or taken over by"
                    + " another run while it held it, so it stops here; the steps before this one are recorded."
                    + " See who holds it with `dbstack cancel` (it asks before removing anything)");
        }
        call("record state in", () -> {
            ObjectNode r = JSON.createObjectNode();
            r.put("format", FORMAT).put("key", entry.key()).put("serial", entry.serial());
            r.set("value", entry.value());
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(r);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Map<String, String> l = labels("journal");
            l.put(SERIAL_LABEL, Long.toString(entry.serial()));
            Secret s = new SecretBuilder().withNewMetadata().withName(journalName(entry.serial())).withNamespace(namespace)
                    .withLabels(l).endMetadata().withType("Opaque")
                    .addToData("record", Base64.getEncoder().encodeToString(bytes))
                    .addToData("sha256", Base64.getEncoder().encodeToString(
                            HexFormat.of().formatHex(sha256(bytes)).getBytes(StandardCharsets.UTF_8)))
                    .build();
            try {
                client.resource(s).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e;
                // Left over from a run that died before its checkpoint removed it: ours now (we hold the lock).
                client.resource(s).update();
            }
            dirty = true;
            return null;
        });
    }

    @Override
    public void checkpoint(StateStore.State state) {
        if (!dirty && head != null && head.serial() == state.serial()) return; // nothing new to fold
        call("write state to", () -> {
            byte[] json;
            try {
                json = JSON.writeValueAsBytes(Map.of("version", FORMAT, "serial", state.serial(),
                        "entries", new TreeMap<>(state.entries())));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(json);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            byte[] all = gz.toByteArray();
            long generation = head == null ? 1 : head.generation() + 1;
            int chunks = Math.max(1, (all.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
            for (int i = 0; i < chunks; i++) {
                byte[] part = Arrays.copyOfRange(all, i * CHUNK_BYTES, Math.min(all.length, (i + 1) * CHUNK_BYTES));
                Map<String, String> l = labels("chunk");
                l.put(GENERATION_LABEL, Long.toString(generation));
                Secret c = new SecretBuilder().withNewMetadata().withName(chunkName(generation, i)).withNamespace(namespace)
                        .withLabels(l).endMetadata().withType("Opaque")
                        .addToData("chunk", Base64.getEncoder().encodeToString(part)).build();
                client.resource(c).createOr(existing -> existing.update()); // a dead run's half-written generation
            }
            Head next = new Head(FORMAT, generation, chunks, all.length, HexFormat.of().formatHex(sha256(all)), state.serial());
            ObjectNode h = JSON.createObjectNode();
            h.put("format", FORMAT).put("generation", generation).put("chunks", chunks).put("size", (long) all.length)
                    .put("sha256", next.sha256()).put("serial", state.serial());
            Secret headSecret;
            try {
                headSecret = new SecretBuilder().withNewMetadata().withName(headName()).withNamespace(namespace)
                        .withLabels(labels("head")).endMetadata().withType("Opaque")
                        .addToData("head", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(h))).build();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // The switch: one write of a small object. Before it, readers see the old generation; after, the new.
            client.resource(headSecret).createOr(existing -> existing.update());
            head = next;
            // Only now are the old generation and the folded journal redundant.
            for (Secret old : secrets().withLabels(labels("chunk")).list().getItems()) {
                String g = old.getMetadata().getLabels().get(GENERATION_LABEL);
                if (!Long.toString(generation).equals(g)) client.resource(old).delete();
            }
            for (Secret r : secrets().withLabels(labels("journal")).list().getItems()) {
                long n;
                try {
                    n = Long.parseLong(r.getMetadata().getLabels().get(SERIAL_LABEL));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (n <= state.serial()) client.resource(r).delete();
            }
            dirty = false;
            return null;
        });
    }

    // ---------------------------------------------------------------- lock

    @Override
    public LeaseLock.Held acquire(String command) {
        LeaseLock.Held taken = call("take the lock in", () -> lease.acquire(command));
        held = taken;
        return taken;
    }

    /** The Lease this backend's run holds, once {@link #acquire} took it. */
    private volatile LeaseLock.Held held;

    @Override
    public Optional<StackLock.Holder> holder() {
        return call("read the lock in", lease::holder);
    }

    @Override
    public boolean isLocked() {
        return call("read the lock in", lease::isHeld);
    }

    @Override
    public boolean breakLock() {
        return call("remove the lock in", lease::breakLock);
    }

    // ---------------------------------------------------------------- helpers

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Secret, io.fabric8.kubernetes.api.model.SecretList,
            io.fabric8.kubernetes.client.dsl.Resource<Secret>> secrets() {
        return client.secrets().inNamespace(namespace);
    }

    /** Runs {@code action}; an API server that does not answer is a fault of the machine (exit 1), said as such. */
    private <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (KubernetesClientException e) {
            throw new StateStorageException(action, describe(), e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
