package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.state.StateStorageException;
import dev.dbstack.yaml.MergePatch;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The sandbox's API server: the REST semantics of Kubernetes over {@link SandboxObjects}, with the
 * rules dbstack depends on, in the API server's own words so that the engine reacts to the sandbox
 * as to a cluster:
 * <ul>
 *   <li>create of an existing object is 409 AlreadyExists; update, patch and delete of a missing one 404;
 *   <li>optimistic concurrency: an update or patch whose {@code metadata.resourceVersion} is not the
 *       stored one is 409 Conflict, as are DeleteOptions preconditions (uid, resourceVersion) that do not hold;
 *   <li>resourceVersions are issued from one counter and survive a restart (etcd's do), generation
 *       advances when anything but metadata and status changes, a write that changes nothing changes
 *       nothing (no new version, no event, nothing journalled);
 *   <li>the status subresource: a write to the object keeps its status, a write to {@code /status} changes only it;
 *   <li>patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902); a strategic merge patch is applied as a merge patch;
 *   <li>immutable StatefulSet fields; PersistentVolumeClaims that only grow, and only on an expandable StorageClass;
 *   <li>a Secret's {@code stringData} folded into {@code data};
 *   <li>deletes honour the propagation policy: Orphan releases the dependents, Background and Foreground
 *       take them (the garbage collector, run at once and under the same lock, so no state — in memory or
 *       journalled — has an owner gone and its dependents still naming it).
 * </ul>
 * Everything runs under the store's lock, so a check and the write it guards are one step.
 */
final class SandboxApi {
    static final String STS_FORBIDDEN = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas',"
            + " 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'"
            + " and 'minReadySeconds' are forbidden";
    private static final List<String> STS_IMMUTABLE = List.of("selector", "serviceName", "volumeClaimTemplates",
            "podManagementPolicy");
    /** Types whose status is a subresource: writes to the object leave it alone. */
    private static final Set<String> STATUS_SUBRESOURCE = Set.of("/pods", "/persistentvolumeclaims", "/services",
            "/namespaces", "/nodes", "/persistentvolumes", "/replicationcontrollers", "apps/statefulsets", "apps/deployments",
            "apps/replicasets", "apps/daemonsets", "batch/jobs", "batch/cronjobs");
    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: the HTTP code and the object, list or Status. */
    record Response(int code, JsonNode body) {
        boolean ok() {
            return code < 300;
        }
    }

    private final SandboxObjects objects;
    private final SandboxCrds crds;
    /** {@code apiVersion/kind} → type, learnt from every write: a restore and the garbage collector need it. */
    private final Map<String, String> kinds = new ConcurrentHashMap<>();

    SandboxApi(SandboxObjects objects) {
        this.objects = objects;
        this.crds = new SandboxCrds(objects);
    }

    SandboxCrds crds() {
        return crds;
    }

    /**
     * Whether the API serves what {@code p} names, as a 404 when it does not: a custom resource needs
     * its CRD (group, plural, a served version, its scope, the status subresource only if declared);
     * outside Kubernetes' own groups nothing is served without one. Null when served.
     */
    Response unserved(ApiPath p, boolean write) {
        return objects.locked(() -> {
            if (p.type().equals(SandboxCrds.TYPE)) {
                boolean ok = p.namespace() == null && p.version().equals("v1")
                        && (p.subresource() == null || p.subresource().equals("status"));
                return ok ? null : pageNotFound();
            }
            SandboxCrds.Definition d = crds.byResource(p.group(), p.resource());
            if (d == null) return SandboxCrds.builtIn(p.group()) ? null : pageNotFound();
            if (!d.serves(p.version())) return pageNotFound();
            if (d.namespaced() && p.namespace() == null && (write || p.name() != null)) return pageNotFound();
            if (!d.namespaced() && p.namespace() != null) return pageNotFound();
            if (p.subresource() != null && !(p.subresource().equals("status") && d.hasStatus(p.version()))) return pageNotFound();
            return null;
        });
    }

    /** Whether writes to {@code p}'s objects keep their status (it is a subresource). */
    private boolean statusIsSubresource(ApiPath p) {
        if (STATUS_SUBRESOURCE.contains(p.type()) || p.type().equals(SandboxCrds.TYPE)) return true;
        SandboxCrds.Definition d = crds.byResource(p.group(), p.resource());
        return d != null && d.hasStatus(p.version());
    }

    SandboxObjects objects() {
        return objects;
    }

    /** The store type of an object read from disk: learnt, or the resource name the API derives from the kind. */
    String typeOf(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String known = kinds.get(apiVersion + "/" + kind);
        if (known != null) return known;
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        SandboxCrds.Definition custom = SandboxCrds.builtIn(group) ? null : crds.byKind(group, kind);
        if (custom != null) return custom.type();
        return group + "/" + io.fabric8.kubernetes.api.Pluralize.toPlural(kind.toLowerCase(java.util.Locale.ROOT));
    }

    // ---- reads ----

    Response get(ApiPath p) {
        ObjectNode o = objects.locked(() -> objects.get(p.type(), p.namespace(), p.name()));
        if (o == null) return notFound(p);
        if (p.subresource() != null && !p.subresource().equals("status")) return notFound(p);
        return new Response(200, inVersion(p, o));
    }

    Response list(ApiPath p, String labelSelector, String fieldSelector) {
        Predicate<JsonNode> match;
        try {
            match = LabelSelector.labels(labelSelector).and(LabelSelector.fields(fieldSelector));
        } catch (LabelSelector.Invalid e) {
            return status(400, "BadRequest", e.getMessage(), null);
        }
        long[] version = new long[1];
        List<ObjectNode> all = objects.locked(() -> {
            version[0] = objects.version();
            return objects.list(p.type(), p.namespace());
        });
        ObjectNode list = JSON.createObjectNode();
        SandboxCrds.Definition custom = objects.locked(() -> crds.byResource(p.group(), p.resource()));
        list.put("kind", custom != null ? custom.listKind() : listKind(all)).put("apiVersion", p.apiVersion());
        list.putObject("metadata").put("resourceVersion", String.valueOf(version[0]));
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : all) if (match.test(o)) items.add(custom == null ? o : inVersion(p, o));
        return new Response(200, list);
    }

    /**
     * A custom resource as the version asked for sees it: its {@code apiVersion} that version (conversion
     * strategy None, the only one the sandbox knows). Other objects as stored.
     */
    private static ObjectNode inVersion(ApiPath p, ObjectNode o) {
        if (SandboxCrds.builtIn(p.group()) || o.path("apiVersion").asText().equals(p.apiVersion())) return o;
        ObjectNode copy = o.deepCopy();
        copy.put("apiVersion", p.apiVersion());
        return copy;
    }

    private static String listKind(List<ObjectNode> all) {
        return all.isEmpty() ? "List" : all.get(0).path("kind").asText() + "List";
    }

    // ---- writes ----

    Response create(ApiPath p, JsonNode body) {
        return write(() -> {
            if (p.name() != null) return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", null);
            if (!(body instanceof ObjectNode o) || !o.path("metadata").isObject()) return badRequest("the request body is not an object with metadata");
            ObjectNode object = o.deepCopy();
            ObjectNode meta = (ObjectNode) object.get("metadata");
            String name = meta.path("name").asText("");
            if (name.isEmpty() && meta.hasNonNull("generateName")) {
                name = meta.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5);
                meta.put("name", name);
            }
            if (name.isEmpty()) {
                return status(422, "Invalid", object.path("kind").asText() + " \"\" is invalid: metadata.name: Required value:"
                        + " name or generateName is required", null);
            }
            ApiPath at = p.named(name);
            Response refused = namespaceOf(at, meta);
            if (refused != null) return refused;
            if (objects.get(p.type(), p.namespace(), name) != null) {
                return status(409, "AlreadyExists", at.qualifiedResource() + " \"" + name + "\" already exists", at);
            }
            if (p.type().equals(SandboxCrds.TYPE)) {
                String invalid = SandboxCrds.invalid(object);
                if (invalid != null) return status(422, "Invalid", invalid, at);
                if (objects.get(SandboxCrds.TYPE, null, name) == null && crds.byResource(object.path("spec").path("group").asText(),
                        object.path("spec").path("names").path("plural").asText()) != null) {
                    return status(409, "AlreadyExists", at.qualifiedResource() + " \"" + name + "\" already exists", at);
                }
                object.set("status", SandboxCrds.status(object));
            } else {
                SandboxCrds.Definition custom = crds.byResource(p.group(), p.resource());
                if (custom != null && !object.path("kind").asText(custom.kind()).equals(custom.kind())) {
                    return badRequest("the kind in the data (" + object.path("kind").asText() + ") does not match the kind of"
                            + " the resource (" + custom.kind() + ")");
                }
                if (custom != null && !object.has("kind")) object.put("kind", custom.kind());
                if (custom != null && custom.hasStatus(p.version())) object.remove("status"); // set through /status only
                Response refusedBySchema = structural(at, object);
                if (refusedBySchema != null) return refusedBySchema;
            }
            foldStringData(object);
            meta.put("uid", UUID.randomUUID().toString());
            meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            meta.put("generation", 1);
            meta.remove("deletionTimestamp");
            store(at, object);
            return new Response(201, object);
        });
    }

    /** PUT: the object replaced, or with {@code /status} only its status. */
    Response update(ApiPath p, JsonNode body) {
        return write(() -> {
            if (!(body instanceof ObjectNode o) || !o.path("metadata").isObject()) return badRequest("the request body is not an object with metadata");
            String name = o.path("metadata").path("name").asText("");
            if (!name.isEmpty() && !name.equals(p.name())) {
                return badRequest("the name of the object (" + name + ") does not match the name on the URL (" + p.name() + ")");
            }
            return replace(p, o.deepCopy());
        });
    }

    Response patch(ApiPath p, String contentType, JsonNode patch) {
        return write(() -> {
            ObjectNode current = objects.get(p.type(), p.namespace(), p.name());
            if (current == null) return notFound(p);
            JsonNode patched;
            String type = contentType == null ? "" : contentType;
            if (type.contains("json-patch+json")) {
                try {
                    patched = io.fabric8.zjsonpatch.JsonPatch.apply(patch, current);
                } catch (RuntimeException e) {
                    return status(422, "Invalid", "the server rejected our request due to an error in our request: " + e.getMessage(), p);
                }
            } else if (type.contains("merge-patch+json")) {
                patched = MergePatch.apply(current, patch);
            } else {
                return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include:"
                        + " application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json", p);
            }
            if (!(patched instanceof ObjectNode o) || !o.path("metadata").isObject()) return badRequest("the patch leaves no object");
            return replace(p, o);
        });
    }

    Response delete(ApiPath p, JsonNode options) {
        return write(() -> {
            ObjectNode current = objects.get(p.type(), p.namespace(), p.name());
            if (current == null) return notFound(p);
            JsonNode preconditions = options == null ? null : options.path("preconditions");
            if (preconditions != null && preconditions.isObject()) {
                JsonNode meta = current.path("metadata");
                for (String field : List.of("uid", "resourceVersion")) {
                    String wanted = preconditions.path(field).asText("");
                    String actual = meta.path(field).asText("");
                    if (!wanted.isEmpty() && !wanted.equals(actual)) {
                        String label = field.equals("uid") ? "UID" : "ResourceVersion";
                        return conflict(p, "Precondition failed: " + label + " in precondition: " + wanted + ", " + label
                                + " in object meta: " + actual);
                    }
                }
            }
            String policy = options == null ? "Background" : options.path("propagationPolicy").asText("Background");
            String uid = current.path("metadata").path("uid").asText();
            if ("Orphan".equals(policy)) release(uid);
            ObjectNode gone = objects.remove(p.type(), p.namespace(), p.name());
            if (p.type().equals(SandboxCrds.TYPE)) {
                // Its custom resources go with a CRD, as the API server's finalizer deletes them.
                SandboxCrds.Definition d = SandboxCrds.definition(current);
                if (d != null && crds.byResource(d.group(), d.plural()) == null) {
                    for (ObjectNode o : objects.list(d.type(), null)) deleteCascading(d.type(), o);
                }
            }
            // Background and Foreground: the collector takes the dependents now (Foreground's wait is not modelled).
            if (!"Orphan".equals(policy)) collect(uid);
            return new Response(200, gone);
        });
    }

    /**
     * Kubernetes' garbage collector over the whole store: every object none of whose owners exists is
     * deleted, and its own dependents after it. For a restore, which may bring back a cascade a kill
     * interrupted. Returns how many objects it deleted.
     */
    int collectGarbage() {
        return objects.locked(() -> {
            int deleted = 0;
            for (Map.Entry<String, List<ObjectNode>> e : objects.all().entrySet()) {
                for (ObjectNode o : e.getValue()) {
                    JsonNode refs = o.path("metadata").path("ownerReferences");
                    if (refs.isEmpty() || objects.byUid(o.path("metadata").path("uid").asText()) == null) continue;
                    boolean ownerLeft = false;
                    for (JsonNode r : refs) ownerLeft |= objects.hasUid(r.path("uid").asText());
                    if (!ownerLeft) deleted += deleteCascading(e.getKey(), o);
                }
            }
            return deleted;
        });
    }

    /** After the object with {@code uid} went: each dependent with no owner left goes too, recursively. */
    private int collect(String uid) {
        int deleted = 0;
        for (String dependent : objects.dependentsOf(uid)) {
            ObjectNode d = objects.byUid(dependent);
            if (d == null) continue;
            boolean ownerLeft = false;
            for (JsonNode r : d.path("metadata").path("ownerReferences")) ownerLeft |= objects.hasUid(r.path("uid").asText());
            if (!ownerLeft) deleted += deleteCascading(objects.typeOfUid(dependent), d);
        }
        return deleted;
    }

    /** Deletes {@code o}, whose owners are gone, and what it owns in turn: the collector's work on one object. */
    int collect(String type, ObjectNode o) {
        return objects.locked(() -> deleteCascading(type, o));
    }

    private int deleteCascading(String type, ObjectNode o) {
        JsonNode meta = o.path("metadata");
        objects.remove(type, meta.path("namespace").asText(null), meta.path("name").asText());
        return 1 + collect(meta.path("uid").asText());
    }

    /** Orphan propagation: every reference to {@code uid} is dropped from its dependents, each a write of its own. */
    private void release(String uid) {
        for (String dependent : objects.dependentsOf(uid)) {
            ObjectNode d = objects.byUid(dependent);
            if (d == null) continue;
            String type = objects.typeOfUid(dependent);
            ObjectNode copy = d.deepCopy();
            ObjectNode meta = (ObjectNode) copy.get("metadata");
            ArrayNode kept = JSON.createArrayNode();
            meta.path("ownerReferences").forEach(r -> {
                if (!uid.equals(r.path("uid").asText())) kept.add(r);
            });
            if (kept.isEmpty()) meta.remove("ownerReferences");
            else meta.set("ownerReferences", kept);
            meta.put("resourceVersion", String.valueOf(objects.nextVersion()));
            objects.put(type, copy);
        }
    }

    /** Update and patch share this: the checks, status and generation rules, then the store. Under the lock. */
    private Response replace(ApiPath p, ObjectNode wanted) {
        ObjectNode current = objects.get(p.type(), p.namespace(), p.name());
        if (current == null) return notFound(p);
        ObjectNode meta = (ObjectNode) wanted.get("metadata");
        String version = meta.path("resourceVersion").asText("");
        String currentVersion = current.path("metadata").path("resourceVersion").asText();
        if (!version.isEmpty() && !version.equals(currentVersion)) {
            return conflict(p, "the object has been modified; please apply your changes to the latest version and try again");
        }
        ObjectNode next;
        if ("status".equals(p.subresource())) {
            next = current.deepCopy();
            if (wanted.has("status")) next.set("status", wanted.get("status"));
            else next.remove("status");
        } else {
            next = wanted;
            Response refused = namespaceOf(p, meta);
            if (refused != null) return refused;
            meta.put("name", p.name());
            if (statusIsSubresource(p)) {
                if (current.has("status")) next.set("status", current.get("status"));
                else next.remove("status");
            }
            if (p.type().equals(SandboxCrds.TYPE)) {
                if (!current.path("spec").path("group").equals(next.path("spec").path("group"))
                        || !current.path("spec").path("names").path("plural").equals(next.path("spec").path("names").path("plural"))) {
                    return status(422, "Invalid", "CustomResourceDefinition.apiextensions.k8s.io \"" + p.name() + "\" is invalid:"
                            + " spec.group, spec.names.plural: Invalid value: field is immutable", p);
                }
                ObjectNode crdStatus = next.path("status").isObject() ? (ObjectNode) next.get("status").deepCopy()
                        : SandboxCrds.status(next);
                crdStatus.set("acceptedNames", next.path("spec").path("names").deepCopy());
                next.set("status", crdStatus);
            }
            foldStringData(next);
            ObjectNode currentMeta = (ObjectNode) current.get("metadata");
            for (String kept : List.of("uid", "creationTimestamp", "generation")) {
                if (currentMeta.has(kept)) meta.set(kept, currentMeta.get(kept));
            }
            if (p.type().equals("apps/statefulsets")) {
                for (String field : STS_IMMUTABLE) {
                    if (!current.path("spec").path(field).equals(next.path("spec").path(field))) {
                        return status(422, "Invalid", "StatefulSet.apps \"" + p.name() + "\" is invalid: " + STS_FORBIDDEN, p);
                    }
                }
            }
            if (p.type().equals("/persistentvolumeclaims")) {
                Response refusedClaim = checkClaim(p.name(), current, next);
                if (refusedClaim != null) return refusedClaim;
            }
            Response refusedByCrd = structural(p, next);
            if (refusedByCrd != null) return refusedByCrd;
            if (!withoutMetaAndStatus(current).equals(withoutMetaAndStatus(next))) {
                meta.put("generation", current.path("metadata").path("generation").asLong(0) + 1);
            }
        }
        ((ObjectNode) next.get("metadata")).put("resourceVersion", currentVersion);
        if (next.equals(current)) return new Response(200, current); // nothing changed: nothing written
        ((ObjectNode) next.get("metadata")).put("resourceVersion", String.valueOf(objects.nextVersion()));
        store(p, next);
        return new Response(200, next);
    }

    /** A custom resource pruned to its CRD's schema, or the 422 for what the schema refuses. Null for other kinds. */
    private Response structural(ApiPath p, ObjectNode object) {
        if (SandboxCrds.builtIn(p.group())) return null;
        SandboxCrds.Definition d = crds.byResource(p.group(), p.resource());
        if (d == null) return null;
        List<String> errors = SandboxSchema.pruneAndCheck(object, crds.schema(p.group(), p.resource(), p.version()));
        if (errors.isEmpty()) return null;
        String listed = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
        return status(422, "Invalid", d.kind() + "." + d.group() + " \"" + p.name() + "\" is invalid: " + listed, p);
    }

    private static JsonNode withoutMetaAndStatus(ObjectNode o) {
        ObjectNode copy = o.deepCopy();
        copy.remove("metadata");
        copy.remove("status");
        return copy;
    }

    private void store(ApiPath p, ObjectNode object) {
        ObjectNode meta = (ObjectNode) object.get("metadata");
        if (!meta.has("resourceVersion") || meta.get("resourceVersion").asText().isEmpty()
                || objects.get(p.type(), p.namespace(), p.name()) == null) {
            meta.put("resourceVersion", String.valueOf(objects.nextVersion()));
        }
        if (!object.has("apiVersion")) object.put("apiVersion", p.apiVersion());
        kinds.putIfAbsent(object.path("apiVersion").asText() + "/" + object.path("kind").asText(), p.type());
        objects.put(p.type(), object);
    }

    /** The namespace of a namespaced write: set from the path, refused when the body names another. */
    private static Response namespaceOf(ApiPath p, ObjectNode meta) {
        if (p.namespace() == null) return null;
        String ns = meta.path("namespace").asText("");
        if (ns.isEmpty()) meta.put("namespace", p.namespace());
        else if (!ns.equals(p.namespace())) {
            return badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        return null;
    }

    private Response checkClaim(String name, ObjectNode old, ObjectNode now) {
        Quantity was = quantity(old);
        Quantity is = quantity(now);
        if (was == null || is == null) return null;
        int c = Quantity.getAmountInBytes(is).compareTo(Quantity.getAmountInBytes(was));
        if (c < 0) {
            return status(422, "Invalid", "PersistentVolumeClaim \"" + name + "\" is invalid: spec.resources.requests.storage:"
                    + " Forbidden: field can not be less than status.capacity", null);
        }
        if (c > 0 && !expandable(now.path("spec").path("storageClassName").asText(null))) {
            return status(403, "Forbidden", "persistentvolumeclaims \"" + name + "\" is forbidden: only dynamically"
                    + " provisioned pvc can be resized and the storageclass that provisions the pvc must support resize", null);
        }
        return null;
    }

    private boolean expandable(String storageClass) {
        ObjectNode sc = null;
        if (storageClass != null) {
            sc = objects.get("storage.k8s.io/storageclasses", null, storageClass);
        } else {
            for (ObjectNode c : objects.list("storage.k8s.io/storageclasses", null)) {
                if ("true".equals(c.path("metadata").path("annotations").path("storageclass.kubernetes.io/is-default-class").asText())) sc = c;
            }
        }
        return sc != null && sc.path("allowVolumeExpansion").asBoolean(false);
    }

    private static Quantity quantity(JsonNode claim) {
        JsonNode q = claim.path("spec").path("resources").path("requests").path("storage");
        return q.isMissingNode() || q.isNull() ? null : new Quantity(q.asText());
    }

    /** A Secret's {@code stringData} as base64 {@code data}, as the API server stores it. */
    private static void foldStringData(ObjectNode o) {
        if (!"Secret".equals(o.path("kind").asText()) || !o.has("stringData")) return;
        ObjectNode data = o.has("data") && o.get("data").isObject() ? (ObjectNode) o.get("data") : o.putObject("data");
        for (Iterator<Map.Entry<String, JsonNode>> it = o.get("stringData").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
        o.remove("stringData");
    }

    /** A write under the store's lock; a sandbox fault (a full disk under the journal) answers 500 rather than never. */
    private Response write(Supplier<Response> write) {
        return objects.locked(() -> {
            try {
                return write.get();
            } catch (StateStorageException e) {
                return status(500, "InternalError", "sandbox: " + e.getMessage(), null);
            } catch (RuntimeException e) {
                return status(500, "InternalError", "sandbox: " + e, null);
            }
        });
    }

    // ---- answers ----

    /** What the API server answers for a path it does not serve. */
    static Response pageNotFound() {
        return status(404, "NotFound", "the server could not find the requested resource", null);
    }

    static Response notFound(ApiPath p) {
        return status(404, "NotFound", p.qualifiedResource() + " \"" + p.name() + "\" not found", p);
    }

    private static Response badRequest(String message) {
        return status(400, "BadRequest", message, null);
    }

    /** The API server's 409 Conflict: {@code Operation cannot be fulfilled on statefulsets.apps "x": <why>}. */
    private static Response conflict(ApiPath p, String why) {
        return status(409, "Conflict", "Operation cannot be fulfilled on " + p.qualifiedResource() + " \"" + p.name() + "\": " + why, p);
    }

    /** A Status as the API server writes it; with {@code p}, its details name the object and resource. */
    static Response status(int code, String reason, String message, ApiPath p) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason);
        if (p != null) {
            ObjectNode details = s.putObject("details").put("name", p.name() == null ? "" : p.name());
            if (!p.group().isEmpty()) details.put("group", p.group());
            details.put("kind", p.resource());
        }
        s.put("code", code);
        return new Response(code, s);
    }
}
