package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.state.StateStorageException;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * fabric8's CRUD mock plus the API-server rules dbstack depends on: immutable StatefulSet fields,
 * PersistentVolumeClaims that may only grow and only on an expandable StorageClass, and Secret
 * {@code stringData} folded into {@code data} (the mock itself advances resourceVersion and generation). Messages are the real API server's, so the engine reacts to the sandbox as to a cluster.
 * Deletes honour the propagation policy: Orphan releases the dependents inside the DELETE; otherwise
 * {@link #collectGarbage} takes them.
 *
 * <p>Optimistic concurrency as the API server does it: an update or merge patch that carries
 * {@code metadata.resourceVersion} is refused with 409 Conflict when the object has another one (the
 * mock checks; the answer is put in the API server's words), a create of an object that exists is 409
 * AlreadyExists, and a DELETE whose {@code DeleteOptions.preconditions} (resourceVersion, uid) do not
 * match is 409 Conflict and deletes nothing. resourceVersions survive a restart, as etcd's do, so a
 * version read by one run means the same object state to the next.
 */
final class SandboxDispatcher extends KubernetesCrudDispatcher {
    static final String STS_FORBIDDEN = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas',"
            + " 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'"
            + " and 'minReadySeconds' are forbidden";
    private static final List<String> STS_IMMUTABLE = List.of("selector", "serviceName", "volumeClaimTemplates",
            "podManagementPolicy");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Requests from the sandbox's own controllers carry this user agent and are not counted. */
    static final String CONTROLLER_AGENT = "dbstack-sandbox-controller";

    private final AtomicLong writes = new AtomicLong();
    /** Fault injection for tests: the next N user requests fail with this HTTP code. */
    private final java.util.concurrent.atomic.AtomicInteger faultsLeft = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int faultCode = 503;
    /** Fault injection for tests: the next N user writes are carried out, then their answer is lost (504). */
    private final java.util.concurrent.atomic.AtomicInteger lostAnswersLeft = new java.util.concurrent.atomic.AtomicInteger();
    /** The highest resourceVersion a restore brought back: new versions are issued above it. */
    private final AtomicLong restoredVersion = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    /** The mock's write lock, learnt from {@link #locked}; guarded writes hold it from check to undo. */
    private volatile Lock writeLock;
    /** While true, a create keeps the uid it is given: a restore brings back the same objects, not look-alikes. */
    private volatile boolean restoring;
    /** Stored changes so far, and how many there were at the last garbage collection that found nothing (write lock). */
    private long changes;
    private long collectedAt = -1;

    /** Write requests (POST, PUT, PATCH, DELETE) served so far: idempotency tests count them. */
    long writes() {
        return writes.get();
    }

    long reads() {
        return reads.get();
    }

    /**
     * Called with the method and the response body after every successful write, holding the
     * write lock, so what is recorded is in the order it happened.
     */
    private volatile java.util.function.BiConsumer<String, String> afterWrite = (method, body) -> { };

    void afterWrite(java.util.function.BiConsumer<String, String> hook) {
        this.afterWrite = hook;
    }

    /** Every stored object as the JSON the API server would return, taken under the write lock. */
    java.util.List<String> storedObjects() {
        return withWriteLock(() -> List.copyOf(getMap().values()));
    }

    void restoring(boolean on) {
        this.restoring = on;
    }

    @Override
    protected void locked(Lock lock) {
        if (lock instanceof ReentrantReadWriteLock.WriteLock) writeLock = lock;
    }

    void injectFaults(int count, int code) {
        faultCode = code;
        faultsLeft.set(count);
    }

    void loseAnswers(int count) {
        lostAnswersLeft.set(count);
    }

    /** Above every version a restore brought back, so that a version is never issued twice. */
    @Override
    public long requestResourceVersion() {
        long v;
        do {
            v = super.requestResourceVersion();
        } while (v <= restoredVersion.get());
        return v;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String agent = request.getHeader("User-Agent");
        boolean user = agent == null || !agent.startsWith(CONTROLLER_AGENT);
        if (user && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return status(faultCode, faultCode == 429 ? "TooManyRequests" : "ServiceUnavailable", "sandbox: injected fault");
        }
        if (user) {
            if ("GET".equals(method)) reads.incrementAndGet();
            else writes.incrementAndGet();
        }
        if ("GET".equals(method)) return super.dispatch(request);
        // The write and its journal line under one hold of the write lock: the journal is in the order the writes happened.
        MockResponse response = atomically(() -> journalled(method, serve(request, method, !user)));
        if (user && response.code() < 300 && lostAnswersLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return status(504, "Timeout", "sandbox: injected fault: the write was carried out and its answer lost");
        }
        return response;
    }

    private MockResponse serve(RecordedRequest request, String method, boolean controller) {
        if (controller && !restoring && !"DELETE".equals(method)) {
            // The controllers never make something name an owner that is gone (an orphaning delete may have just
            // released it): checked here, atomically with that delete, as the garbage collector would take it.
            String body = request.getUtf8Body();
            request = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                    new io.fabric8.mockwebserver.http.Buffer(body.getBytes(StandardCharsets.UTF_8)));
            JsonNode refs = read(body).path("metadata").path("ownerReferences");
            if (!refs.isEmpty()) {
                java.util.Set<String> uids = storedUids();
                for (JsonNode r : refs) {
                    if (!uids.contains(r.path("uid").asText())) return status(409, "Conflict", "sandbox: owner "
                            + r.path("kind").asText() + " " + r.path("name").asText() + " is gone");
                }
            }
        }
        if ("DELETE".equals(method)) {
            // Reading a body consumes it: DeleteOptions are read once (the mock's delete reads only the path).
            String deleteOptions = request.getUtf8Body();
            MockResponse refused = checkPreconditions(request.getPath(), deleteOptions);
            if (refused != null) return refused;
            if ("Orphan".equals(propagationPolicy(deleteOptions))) {
                // Done inside the DELETE, under the write lock, rather than with Kubernetes' orphan finalizer: the
                // dependents are released (each write journalled) before their owner goes, so no state, in memory or
                // on disk, has the owner gone and dependents still naming it, and there is no terminating owner for
                // the controllers to leave alone. The owner is gone on the answer; clients that wait for that work alike.
                release(request.getPath());
            }
        }
        // Background and Foreground: the owner goes now and collectGarbage() takes the dependents.
        // (Foreground's wait for the dependents is not modelled: nothing in dbstack reads it.)
        return super.dispatch(request);
    }

    /**
     * DeleteOptions' preconditions, checked as the API server does before it deletes anything: null when
     * they hold (or there are none, or nothing is there to delete: that is a 404), else the 409.
     */
    private MockResponse checkPreconditions(String path, String deleteOptions) {
        JsonNode preconditions;
        try {
            preconditions = deleteOptions == null || deleteOptions.isBlank() ? null
                    : JSON.readTree(deleteOptions).path("preconditions");
        } catch (java.io.IOException e) {
            return null;
        }
        if (preconditions == null || preconditions.isMissingNode() || preconditions.isNull()) return null;
        Map.Entry<AttributeSet, String> current = findResource(getKey(path));
        if (current == null) return null;
        JsonNode meta = read(current.getValue()).path("metadata");
        for (String field : List.of("uid", "resourceVersion")) {
            String wanted = preconditions.path(field).asText("");
            String actual = meta.path(field).asText("");
            if (!wanted.isEmpty() && !wanted.equals(actual)) {
                String label = field.equals("uid") ? "UID" : "ResourceVersion";
                return conflict(path, "Precondition failed: " + label + " in precondition: " + wanted + ", " + label
                        + " in object meta: " + actual);
            }
        }
        return null;
    }

    /** The API server's 409 Conflict: {@code Operation cannot be fulfilled on statefulsets.apps "x": <why>}. */
    private static MockResponse conflict(String path, String why) {
        return status(409, "Conflict", "Operation cannot be fulfilled on " + qualifiedResource(path) + " \"" + nameOf(path)
                + "\": " + why, path);
    }

    /** The mock's 409s (reason Invalid, kind instead of resource) in the API server's words. */
    private static MockResponse asApiServer(String path, MockResponse response) {
        if (response.code() != 409) return response;
        String message;
        try {
            message = JSON.readTree(response.getBody().readUtf8()).path("message").asText("");
        } catch (java.io.IOException e) {
            message = "";
        }
        if (message.contains("already exists")) {
            return status(409, "AlreadyExists", qualifiedResource(path) + " \"" + nameOf(path) + "\" already exists", path);
        }
        return conflict(path, "the object has been modified; please apply your changes to the latest version and try again");
    }

    /** DeleteOptions' propagationPolicy; the API server's default, Background, when none is sent. */
    private static String propagationPolicy(String deleteOptions) {
        try {
            JsonNode options = deleteOptions == null || deleteOptions.isBlank() ? null : JSON.readTree(deleteOptions);
            return options == null ? "Background" : options.path("propagationPolicy").asText("Background");
        } catch (java.io.IOException e) {
            return "Background";
        }
    }

    /** Orphan propagation: every reference to the objects at {@code path} is dropped from their dependents. */
    private void release(String path) {
        java.util.Set<String> owners = new java.util.HashSet<>();
        AttributeSet query = getKey(path);
        getMap().forEach((key, json) -> {
            if (key.matches(query)) owners.add(read(json).path("metadata").path("uid").asText());
        });
        for (Map.Entry<AttributeSet, String> e : new java.util.HashMap<>(getMap()).entrySet()) {
            ObjectNode object = (ObjectNode) read(e.getValue());
            ObjectNode meta = (ObjectNode) object.path("metadata");
            JsonNode refs = meta.path("ownerReferences");
            com.fasterxml.jackson.databind.node.ArrayNode kept = JSON.createArrayNode();
            refs.forEach(r -> {
                if (!owners.contains(r.path("uid").asText())) kept.add(r);
            });
            if (kept.size() == refs.size()) continue;
            if (kept.isEmpty()) meta.remove("ownerReferences");
            else meta.set("ownerReferences", kept);
            MockResponse updated = super.handleUpdate(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
                    pathOf(e.getKey()), io.fabric8.mockwebserver.http.Headers.builder().build(),
                    new io.fabric8.mockwebserver.http.Buffer(object.toString().getBytes(StandardCharsets.UTF_8))));
            if (updated.code() >= 300) throw new IllegalStateException("cannot orphan " + pathOf(e.getKey()) + ": " + updated.code());
            journalled("PUT", updated);
        }
    }

    /**
     * Kubernetes' garbage collector as a function of what is stored: an object with ownerReferences
     * none of whose uids any stored object has is deleted, and journalled like any write. Nothing is
     * remembered between calls, so a cascade that a close or a kill interrupted is finished by the next
     * call (after a restore, before any other request). Under the write lock, nothing appears between
     * the decision and the delete. Returns how many objects it deleted; their own dependents go next call.
     */
    int collectGarbage() {
        return withWriteLock(() -> {
            if (changes == collectedAt) return 0; // nothing changed since a pass that found nothing: none would now
            Map<AttributeSet, JsonNode> objects = new java.util.HashMap<>();
            getMap().forEach((key, json) -> objects.put(key, read(json)));
            java.util.Set<String> uids = storedUids(objects.values());
            int deleted = 0;
            for (Map.Entry<AttributeSet, JsonNode> e : objects.entrySet()) {
                JsonNode meta = e.getValue().path("metadata");
                if (meta.path("ownerReferences").isEmpty() || meta.has("deletionTimestamp")) continue;
                boolean ownerLeft = false;
                for (JsonNode r : meta.path("ownerReferences")) ownerLeft |= uids.contains(r.path("uid").asText());
                if (!ownerLeft && journalled("DELETE", handleDelete(pathOf(e.getKey()))).code() < 300) deleted++;
            }
            if (deleted == 0) collectedAt = changes;
            return deleted;
        });
    }

    /** Every create, update and delete of the mock passes here, under the write lock. */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             io.fabric8.kubernetes.api.model.GenericKubernetesResource resource, String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        changes++;
    }

    private java.util.Set<String> storedUids() {
        return storedUids(getMap().values().stream().map(SandboxDispatcher::read).toList());
    }

    private static java.util.Set<String> storedUids(java.util.Collection<JsonNode> objects) {
        java.util.Set<String> uids = new java.util.HashSet<>();
        objects.forEach(o -> uids.add(o.path("metadata").path("uid").asText()));
        return uids;
    }

    /** Hands a successful write to the {@link #afterWrite} hook (the caller holds the write lock). */
    private MockResponse journalled(String method, MockResponse response) {
        if (response.code() < 300) {
            afterWrite.accept(method, response.getBody() == null ? "" : new String(response.getBody().getBytes(),
                    StandardCharsets.UTF_8));
        }
        return response;
    }

    /** The API path of a stored object, from the attributes the mock keys it by. */
    private static String pathOf(AttributeSet key) {
        String group = value(key, KubernetesAttributesExtractor.API);
        String ns = value(key, KubernetesAttributesExtractor.NAMESPACE);
        return (group == null ? "/api/" : "/apis/" + group + "/") + value(key, KubernetesAttributesExtractor.VERSION)
                + (ns == null ? "" : "/namespaces/" + ns) + "/" + value(key, KubernetesAttributesExtractor.PLURAL)
                + "/" + value(key, KubernetesAttributesExtractor.NAME);
    }

    private static String value(AttributeSet key, String name) {
        var attribute = key.getAttribute(name);
        return attribute == null || attribute.getValues().isEmpty() ? null : attribute.getValues().get(0).toString();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        if (restoring) return atomically(() -> restored(request, true));
        String body = request.getUtf8Body();
        String folded = foldStringData(body);
        // A create names no object in its path: the API server's message names the one in the body.
        String name = read(body).path("metadata").path("name").asText("");
        return asApiServer(pathWithName(request.getPath(), name), super.handleCreate(new RecordedRequest(request.getHttpVersion(),
                request.method(), request.getPath(), request.getHeaders(),
                new io.fabric8.mockwebserver.http.Buffer((folded != null ? folded : body).getBytes(StandardCharsets.UTF_8)))));
    }

    /**
     * A restore's create (or update of what the fresh server already has): the mock gives every new object
     * a fresh uid and resourceVersion, so the ones kept on disk are put back — ownerReferences name the uids,
     * and a resourceVersion read before the restart must still name the same object state after it.
     */
    private MockResponse restored(RecordedRequest request, boolean create) {
        ObjectNode body = (ObjectNode) read(request.getUtf8Body());
        ObjectNode meta = (ObjectNode) body.path("metadata");
        String uid = meta.path("uid").asText("");
        String version = meta.path("resourceVersion").asText("");
        meta.remove("resourceVersion"); // the restored version is put back below; the mock must not check it
        RecordedRequest stripped = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
        MockResponse response = create ? super.handleCreate(stripped) : super.handleUpdate(stripped);
        if (response.code() >= 300) return response;
        ObjectNode created = (ObjectNode) read(response.getBody().readUtf8());
        if (create && !uid.isEmpty()) ((ObjectNode) created.get("metadata")).put("uid", uid);
        if (version.matches("\\d+")) {
            ((ObjectNode) created.get("metadata")).put("resourceVersion", version);
            restoredVersion.accumulateAndGet(Long.parseLong(version), Math::max);
        }
        String path = create ? pathWithName(request.getPath(), created.path("metadata").path("name").asText()) : request.getPath();
        AttributeSet key = findResource(getKey(path)).getKey();
        getMap().put(key, created.toString());
        return new MockResponse().setResponseCode(response.code()).setBody(created.toString());
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        if (restoring) return atomically(() -> restored(request, false));
        return asApiServer(request.getPath(), guarded(request.getPath(), () -> super.handleUpdate(withFoldedSecret(request))));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type != null && type.contains("merge-patch+json")) {
            return asApiServer(request.getPath(), guarded(request.getPath(), () -> mergePatch(request)));
        }
        return asApiServer(request.getPath(), guarded(request.getPath(), () -> super.handlePatch(request)));
    }

    /**
     * RFC 7386 JSON merge patch, as the API server applies it: objects merge, {@code null} removes,
     * anything else (lists included) replaces. The mock's own merge appends to lists instead, which
     * would double every container and volume template a patch mentions.
     */
    private MockResponse mergePatch(RecordedRequest request) {
        Map.Entry<AttributeSet, String> current = findResource(getKey(request.getPath()));
        if (current == null) return super.handlePatch(request);
        try {
            JsonNode merged = merge(JSON.readTree(current.getValue()), JSON.readTree(request.getUtf8Body()));
            byte[] body = JSON.writeValueAsBytes(merged);
            return super.handleUpdate(new RecordedRequest(request.getHttpVersion(), io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
                    request.getPath(), request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(body)));
        } catch (java.io.IOException e) {
            return status(400, "BadRequest", "invalid merge patch: " + e.getMessage());
        }
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch;
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) result.remove(f.getKey());
            else result.set(f.getKey(), merge(result.get(f.getKey()), f.getValue()));
        }
        return result;
    }

    /**
     * Lets the mock compute the write, then checks old against new; a forbidden change is undone
     * (the stored document put back as it was) and answered with the API server's error.
     */
    private MockResponse guarded(String path, java.util.function.Supplier<MockResponse> write) {
        return atomically(() -> check(path, write));
    }

    /** Runs a write under the write lock; a sandbox bug surfaces as an error, not as a request that never answers. */
    private MockResponse atomically(java.util.function.Supplier<MockResponse> write) {
        return withWriteLock(() -> {
            try {
                return write.get();
            } catch (StateStorageException e) {
                // The machine's fault, told as a real API server would: what failed, without our class names.
                return status(500, "InternalError", "sandbox: " + e.getMessage());
            } catch (RuntimeException e) {
                return status(500, "InternalError", "sandbox: " + e);
            }
        });
    }

    private <T> T withWriteLock(java.util.function.Supplier<T> task) {
        Lock lock = writeLock;
        if (lock != null) lock.lock(); // reentrant: the mock takes it again inside; no write slips in between
        try {
            return task.get();
        } finally {
            if (lock != null) lock.unlock();
        }
    }

    private MockResponse check(String path, java.util.function.Supplier<MockResponse> write) {
        String resource = resourceOf(path);
        if (!resource.equals("statefulsets") && !resource.equals("persistentvolumeclaims")) return write.get();
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> before = findResource(key);
        MockResponse response = write.get();
        if (before == null || response.code() >= 300) return response;
        Map.Entry<AttributeSet, String> after = findResource(key);
        try {
            JsonNode old = JSON.readTree(before.getValue());
            JsonNode now = JSON.readTree(after.getValue());
            MockResponse refused = resource.equals("statefulsets") ? checkStatefulSet(old, now) : checkClaim(old, now);
            if (refused != null) {
                getMap().remove(after.getKey());
                getMap().put(before.getKey(), before.getValue());
                return refused;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return response;
    }

    private MockResponse checkStatefulSet(JsonNode old, JsonNode now) {
        for (String field : STS_IMMUTABLE) {
            if (!old.path("spec").path(field).equals(now.path("spec").path(field))) {
                return status(422, "Invalid", "StatefulSet.apps \"" + now.path("metadata").path("name").asText()
                        + "\" is invalid: " + STS_FORBIDDEN);
            }
        }
        return null;
    }

    private MockResponse checkClaim(JsonNode old, JsonNode now) {
        String name = now.path("metadata").path("name").asText();
        Quantity was = quantity(old);
        Quantity is = quantity(now);
        if (was == null || is == null) return null;
        int c = Quantity.getAmountInBytes(is).compareTo(Quantity.getAmountInBytes(was));
        if (c < 0) {
            return status(422, "Invalid", "PersistentVolumeClaim \"" + name + "\" is invalid: spec.resources.requests.storage:"
                    + " Forbidden: field can not be less than status.capacity");
        }
        if (c > 0 && !expandable(now.path("spec").path("storageClassName").asText(null))) {
            return status(403, "Forbidden", "persistentvolumeclaims \"" + name + "\" is forbidden: only dynamically"
                    + " provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
        }
        return null;
    }

    private boolean expandable(String storageClass) {
        String name = storageClass != null ? storageClass : defaultStorageClass();
        if (name == null) return false;
        MockResponse sc = handleGet("/apis/storage.k8s.io/v1/storageclasses/" + name);
        if (sc.code() != 200) return false;
        try {
            return JSON.readTree(sc.getBody().readUtf8()).path("allowVolumeExpansion").asBoolean(false);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private String defaultStorageClass() {
        for (Map.Entry<AttributeSet, String> e : getMap().entrySet()) {
            try {
                JsonNode n = JSON.readTree(e.getValue());
                if ("StorageClass".equals(n.path("kind").asText()) && "true".equals(n.path("metadata").path("annotations")
                        .path("storageclass.kubernetes.io/is-default-class").asText())) {
                    return n.path("metadata").path("name").asText();
                }
            } catch (java.io.IOException ignored) {
                // not JSON: not a StorageClass either
            }
        }
        return null;
    }


    private static Quantity quantity(JsonNode claim) {
        JsonNode q = claim.path("spec").path("resources").path("requests").path("storage");
        return q.isMissingNode() || q.isNull() ? null : new Quantity(q.asText());
    }

    /** The request with a Secret's stringData folded into data; reading the body consumes it, so always rebuild. */
    private static RecordedRequest withFoldedSecret(RecordedRequest request) {
        String body = request.getUtf8Body();
        String folded = foldStringData(body);
        byte[] bytes = (folded != null ? folded : body).getBytes(StandardCharsets.UTF_8);
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                new io.fabric8.mockwebserver.http.Buffer(bytes));
    }

    /** A Secret's {@code stringData} as base64 {@code data}, as the API server stores it; null if not a Secret. */
    private static String foldStringData(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (!"Secret".equals(n.path("kind").asText()) || !n.has("stringData")) return null;
            ObjectNode copy = n.deepCopy();
            ObjectNode data = copy.has("data") ? (ObjectNode) copy.get("data") : copy.putObject("data");
            for (Iterator<Map.Entry<String, JsonNode>> it = n.get("stringData").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
            copy.remove("stringData");
            return JSON.writeValueAsString(copy);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** {@code statefulsets.apps}, {@code configmaps}: how the API server names a resource in its messages. */
    static String qualifiedResource(String path) {
        List<String> p = objectPath(path);
        return p.get(0) == null ? p.get(1) : p.get(1) + "." + p.get(0);
    }

    /** The object's name in a path to it ({@code .../statefulsets/<name>[/status]}); empty for a collection. */
    static String nameOf(String path) {
        return objectPath(path).get(2);
    }

    /** Group (null for the core API), resource and name of an API path. */
    private static List<String> objectPath(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        List<String> segments = java.util.Arrays.stream(p.split("/")).filter(x -> !x.isEmpty()).toList();
        boolean core = !segments.isEmpty() && segments.get(0).equals("api");
        List<String> rest = segments.subList(Math.min(segments.size(), core ? 2 : 3), segments.size());
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) rest = rest.subList(2, rest.size());
        String group = core || segments.size() < 2 ? null : segments.get(1);
        return java.util.Arrays.asList(group, rest.isEmpty() ? "" : rest.get(0), rest.size() > 1 ? rest.get(1) : "");
    }

    /** The path of the object named {@code name} in the collection a create is posted to. */
    private static String pathWithName(String collection, String name) {
        String p = collection.contains("?") ? collection.substring(0, collection.indexOf('?')) : collection;
        return p.endsWith("/") ? p + name : p + "/" + name;
    }

    static String resourceOf(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String[] parts = p.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("namespaces") && i + 2 < parts.length) return parts[i + 2];
        }
        return parts.length >= 2 ? parts[parts.length - 2] : "";
    }

    private static MockResponse status(int code, String reason, String message) {
        return status(code, reason, message, null);
    }

    /** A Status as the API server writes it; with {@code path}, its details name the object and resource. */
    private static MockResponse status(int code, String reason, String message, String path) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
                .put("reason", reason);
        if (path != null) {
            String resource = qualifiedResource(path);
            ObjectNode details = s.putObject("details").put("name", nameOf(path));
            if (resource.contains(".")) details.put("group", resource.substring(resource.indexOf('.') + 1));
            details.put("kind", resource.contains(".") ? resource.substring(0, resource.indexOf('.')) : resource);
        }
        s.put("code", code);
        return new MockResponse().setResponseCode(code).setBody(s.toString());
    }
}
