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
        return atomically(() -> journalled(method, serve(request, method, !user)));
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
        if ("DELETE".equals(method) && "Orphan".equals(propagationPolicy(request.getUtf8Body()))) {
            // Done inside the DELETE, under the write lock, rather than with Kubernetes' orphan finalizer: the
            // dependents are released (each write journalled) before their owner goes, so no state, in memory or
            // on disk, has the owner gone and dependents still naming it, and there is no terminating owner for
            // the controllers to leave alone. The owner is gone on the answer; clients that wait for that work alike.
            release(request.getPath());
        }
        // Background and Foreground: the owner goes now and collectGarbage() takes the dependents.
        // (Foreground's wait for the dependents is not modelled: nothing in dbstack reads it.)
        return super.dispatch(request);
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
        if (restoring) return atomically(() -> restored(request));
        MockResponse response = super.handleCreate(withFoldedSecret(request));
        if (response.code() == 409) {
            // The mock says reason "Invalid"; the API server says AlreadyExists, and clients branch on it.
            try {
                JsonNode body = JSON.readTree(response.getBody().readUtf8());
                return status(409, "AlreadyExists", body.path("message").asText());
            } catch (java.io.IOException e) {
                return response;
            }
        }
        return response;
    }

    /** A restore's create: the mock gives every new object a fresh uid, so the one kept on disk is put back. */
    private MockResponse restored(RecordedRequest request) {
        String body = request.getUtf8Body();
        MockResponse response = super.handleCreate(new RecordedRequest(request.getHttpVersion(), request.method(),
                request.getPath(), request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(body.getBytes(StandardCharsets.UTF_8))));
        String uid = read(body).path("metadata").path("uid").asText("");
        if (response.code() >= 300 || uid.isEmpty()) return response;
        ObjectNode created = (ObjectNode) read(response.getBody().readUtf8());
        ((ObjectNode) created.get("metadata")).put("uid", uid);
        AttributeSet key = findResource(getKey(request.getPath()).add(new io.fabric8.mockwebserver.crud.Attribute(
                KubernetesAttributesExtractor.NAME, created.path("metadata").path("name").asText()))).getKey();
        getMap().put(key, created.toString());
        return new MockResponse().setResponseCode(response.code()).setBody(created.toString());
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return guarded(request.getPath(), () -> {
            return super.handleUpdate(withFoldedSecret(request));
        });
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type != null && type.contains("merge-patch+json")) return guarded(request.getPath(), () -> mergePatch(request));
        return guarded(request.getPath(), () -> super.handlePatch(request));
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

    static String resourceOf(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String[] parts = p.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("namespaces") && i + 2 < parts.length) return parts[i + 2];
        }
        return parts.length >= 2 ? parts[parts.length - 2] : "";
    }

    private static MockResponse status(int code, String reason, String message) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
                .put("reason", reason).put("code", code);
        return new MockResponse().setResponseCode(code).setBody(s.toString());
    }
}
