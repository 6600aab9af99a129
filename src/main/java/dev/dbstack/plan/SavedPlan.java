package dev.dbstack.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A plan as a file ({@code dbstack preview --out plan.json}), read back and applied exactly
 * ({@code dbstack up plan.json}). JSON, versioned by {@code "format"}, self-contained: project and
 * stack, what the plan was made against (state's serial, the configuration's digest, each step's live
 * resourceVersion), the data-safety options it was made with, every step with all it sends (objects,
 * merge patches, claims, propagation), the warnings, and the credentials the preview generated. A
 * {@code "checksum"} (SHA-256 over the canonical JSON of everything else) is the plan's id and refuses
 * a file that is corrupt, truncated or edited by hand.
 *
 * <p>No secret value is in plain text: a Secret's {@code data} and {@code stringData} values are
 * written {@code {"secure": "v1:…"}}, sealed with the stack's secrets key (as state's credentials are),
 * and the credentials are stored as state stores them, already sealed. This class never sees the key:
 * the caller passes {@link Secrets}.
 *
 * <p>Deciding whether a plan is still fresh is not this class's business (the engine has state, the
 * configuration and the cluster); it only writes, checks and reads the file.
 */
public final class SavedPlan {
    /** The format this dbstack writes and reads; a file of a higher one was written by a newer dbstack. */
    public static final int FORMAT = 2;
    /** The format of a plan that is the whole stack's: a targeted plan is format 2, which an older dbstack refuses. */
    private static final int FORMAT_WHOLE = 1;
    private static final String KIND = "dbstack-plan";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SavedPlan() {}

    /** Seals and opens secret values with the stack's secrets key. */
    public interface Secrets {
        String seal(String plaintext);

        /** @throws IllegalArgumentException when the value does not open with this key */
        String open(String sealed);
    }

    /** The file is not a plan this dbstack can apply; the message says what is wrong with it. */
    public static final class Unreadable extends RuntimeException {
        private final boolean newer;

        Unreadable(String message, boolean newer) {
            super(message);
            this.newer = newer;
        }

        /** Written by a newer dbstack (a format this one does not know), rather than damaged. */
        public boolean newer() {
            return newer;
        }
    }

    /** A file that is whole and unchanged since it was written: its id and header, not yet opened. */
    public record Checked(String id, String project, String stack, String createdAt, JsonNode document) {}

    /** What a saved plan holds, secrets opened. */
    public record Contents(String id, String createdAt, Plan plan, Map<String, String> sealedCredentials) {}

    // ---- writing -----------------------------------------------------------------------------

    /**
     * The file's text.
     *
     * @param sealedCredentials credentials this preview generated, by state's key, sealed as state keeps them
     */
    public static String write(Plan plan, Map<String, String> sealedCredentials, String createdAt, Secrets secrets) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("format", plan.targets().isAll() ? FORMAT_WHOLE : FORMAT).put("kind", KIND).put("project", plan.project()).put("stack", plan.stack())
                .put("createdAt", createdAt);
        ObjectNode basis = doc.putObject("basis");
        basis.put("stateSerial", plan.basis().stateSerial()).put("configDigest", plan.basis().configDigest());
        ObjectNode files = basis.putObject("configFiles");
        new TreeMap<>(plan.basis().configFiles()).forEach(files::put);
        Planner.Options o = plan.basis().options();
        ObjectNode options = basis.putObject("options");
        sorted(options.putArray("deleteData"), o.deleteData());
        sorted(options.putArray("allowMajorUpgrade"), o.allowMajorUpgrade());
        sorted(options.putArray("allowDowngrade"), o.allowDowngrade());
        sorted(options.putArray("startEmpty"), o.startEmpty());
        ObjectNode credentials = doc.putObject("credentials");
        new TreeMap<>(sealedCredentials).forEach(credentials::put);
        ArrayNode steps = doc.putArray("steps");
        for (Step s : plan.steps()) steps.add(step(s, secrets));
        strings(doc.putArray("warnings"), plan.warnings());
        if (!plan.targets().isAll()) {
            // What `up` of this file applies is its steps; the selection goes with them so that it records no more.
            Targets t = plan.targets();
            ObjectNode targets = doc.putObject("targets");
            strings(targets.putArray("named"), t.named());
            sorted(targets.putArray("apps"), t.apps());
            sorted(targets.putArray("services"), new java.util.TreeSet<>(t.services().stream().map(ServiceId::toString).toList()));
            sorted(targets.putArray("wholeApps"), t.wholeApps());
            ArrayNode deferred = doc.putArray("deferred");
            for (Step s : plan.deferred()) deferred.add(step(s, secrets));
        }
        doc.put("checksum", CanonicalJson.sha256(doc));
        try {
            return JSON.writeValueAsString(doc) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode step(Step s, Secrets secrets) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("action", s.action().name()).put("app", s.app()).put("service", s.service() == null ? null : s.service().toString());
        n.putObject("object").put("apiVersion", s.object().apiVersion()).put("kind", s.object().kind())
                .put("namespace", s.object().namespace()).put("name", s.object().name());
        n.put("reason", s.reason());
        strings(n.putArray("fields"), s.fields());
        n.set("plannedAgainst", version(s.write().against()));
        boolean secret = "Secret".equals(s.object().kind());
        n.set("desired", s.desired() == null ? null : sealed(SERIALIZATION.convertValue(s.desired(), ObjectNode.class), secret, secrets));
        n.set("patch", s.write().patch() == null ? null : sealed(s.write().patch().deepCopy(), secret, secrets));
        ArrayNode claims = n.putArray("claims");
        for (Step.Claim c : s.write().claims()) {
            ObjectNode claim = claims.addObject().put("name", c.name()).put("size", c.size());
            claim.set("plannedAgainst", version(c.against()));
        }
        n.put("propagation", s.write().propagation() == null ? null : s.write().propagation().toString());
        if (s.retention() == null) {
            n.putNull("retention");
        } else {
            ObjectNode r = n.putObject("retention").put("kind", s.retention().kind().name());
            Retained d = s.retention().data();
            ObjectNode data = r.putObject("data").put("data", d.data().toString()).put("namespace", d.namespace())
                    .put("service", d.service() == null ? null : d.service().toString()).put("type", d.type()).put("engine", d.engine())
                    .put("version", d.version());
            strings(data.putArray("secrets"), d.secrets());
            strings(data.putArray("claims"), d.claims());
        }
        return n;
    }

    private static JsonNode version(LiveVersion v) {
        if (v == null) return JsonNodeFactory.instance.textNode("absent");
        return JsonNodeFactory.instance.objectNode().put("resourceVersion", v.resourceVersion()).put("digest", v.digest());
    }

    /** A Secret's values, each replaced by {@code {"secure": <sealed>}}; other objects as they are. */
    private static ObjectNode sealed(ObjectNode object, boolean secret, Secrets secrets) {
        if (!secret) return object;
        for (String field : List.of("data", "stringData")) {
            if (!(object.get(field) instanceof ObjectNode values)) continue;
            for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) continue; // a removal in a patch: no value
                e.setValue(JsonNodeFactory.instance.objectNode().put("secure", secrets.seal(e.getValue().asText())));
            }
        }
        return object;
    }

    private static void sorted(ArrayNode into, Set<String> values) {
        values.stream().sorted().forEach(into::add);
    }

    private static void strings(ArrayNode into, List<String> values) {
        values.forEach(into::add);
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * Parses the file and checks it is whole and unchanged: JSON, a plan, a format this dbstack reads, the
     * checksum matching. Opens no secret.
     *
     * @throws Unreadable saying what is wrong
     */
    public static Checked check(byte[] bytes) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            doc = null;
        }
        if (doc == null || doc.isMissingNode()) {
            throw new Unreadable("is not a whole plan file (it is not complete JSON: truncated, or not a plan at all)", false);
        }
        if (!doc.isObject() || !KIND.equals(doc.path("kind").asText())) {
            throw new Unreadable("is not a dbstack plan file", false);
        }
        JsonNode format = doc.get("format");
        if (format == null || !format.canConvertToExactIntegral() || format.asInt() < 1) {
            throw new Unreadable("is not a dbstack plan file (no format version it could have been written in)", false);
        }
        if (format.asInt() > FORMAT) {
            throw new Unreadable("was written by a newer dbstack (plan format " + format.asText() + "; this dbstack reads format "
                    + FORMAT + ")", true);
        }
        String checksum = doc.path("checksum").asText("");
        ObjectNode content = ((ObjectNode) doc).deepCopy();
        content.remove("checksum");
        if (checksum.isEmpty() || !checksum.equals(CanonicalJson.sha256(content))) {
            throw new Unreadable("does not match its checksum: it was changed or damaged after `dbstack preview --out` wrote it", false);
        }
        return new Checked(checksum, doc.path("project").asText(), doc.path("stack").asText(), doc.path("createdAt").asText(), doc);
    }

    /**
     * The plan in a checked file, secrets opened.
     *
     * @throws Unreadable when a secret does not open with this key, or the file holds something this dbstack
     *                    does not write (which its checksum would let through only if written so)
     */
    public static Contents open(Checked checked, Secrets secrets) {
        JsonNode doc = checked.document();
        try {
            JsonNode b = doc.path("basis");
            JsonNode o = b.path("options");
            Planner.Options options = new Planner.Options(set(o.path("deleteData")), set(o.path("allowMajorUpgrade")),
                    set(o.path("allowDowngrade")), set(o.path("startEmpty")));
            Map<String, String> files = new TreeMap<>();
            b.path("configFiles").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
            Plan.Basis basis = new Plan.Basis(b.path("stateSerial").asLong(-1), b.path("configDigest").asText(null), files, options);
            List<Step> steps = new ArrayList<>();
            for (JsonNode s : doc.path("steps")) steps.add(step(s, secrets));
            Map<String, String> credentials = new TreeMap<>();
            doc.path("credentials").fields().forEachRemaining(e -> credentials.put(e.getKey(), e.getValue().asText()));
            Targets targets = Targets.ALL;
            List<Step> deferred = new ArrayList<>();
            JsonNode t = doc.get("targets");
            if (t != null) {
                targets = new Targets(list(t.path("named")), set(t.path("apps")),
                        list(t.path("services")).stream().map(SavedPlan::serviceId).collect(java.util.stream.Collectors.toSet()),
                        set(t.path("wholeApps")));
                if (targets.isAll()) throw new IllegalArgumentException("targets that name none");
                for (JsonNode s : doc.path("deferred")) deferred.add(step(s, secrets));
            }
            Plan plan = new Plan(checked.project(), checked.stack(), List.copyOf(steps), list(doc.path("warnings")), basis,
                    targets, deferred);
            return new Contents(checked.id(), checked.createdAt(), plan, credentials);
        } catch (SecretUnopened e) {
            throw new Unreadable("holds secrets this stack's key does not open: it was made for another stack, or with"
                    + " another passphrase", false);
        } catch (RuntimeException e) {
            throw new Unreadable("holds a step this dbstack cannot read (" + e.getMessage() + ")", false);
        }
    }

    private static Step step(JsonNode n, Secrets secrets) {
        Action action = Action.valueOf(n.path("action").asText());
        JsonNode o = n.path("object");
        ObjectRef ref = new ObjectRef(text(o, "apiVersion"), text(o, "kind"), o.path("namespace").asText(""), text(o, "name"));
        boolean secret = "Secret".equals(ref.kind());
        JsonNode desiredNode = n.get("desired");
        HasMetadata desired = desiredNode == null || desiredNode.isNull() ? null
                : SERIALIZATION.unmarshal(opened(desiredNode.deepCopy(), secret, secrets).toString());
        JsonNode patchNode = n.get("patch");
        ObjectNode patch = patchNode == null || patchNode.isNull() ? null : opened((ObjectNode) patchNode.deepCopy(), secret, secrets);
        List<Step.Claim> claims = new ArrayList<>();
        for (JsonNode c : n.path("claims")) claims.add(new Step.Claim(text(c, "name"), text(c, "size"), version(c.get("plannedAgainst"))));
        String propagation = n.path("propagation").asText(null);
        DeletionPropagation policy = propagation == null ? null : java.util.Arrays.stream(DeletionPropagation.values())
                .filter(p -> p.toString().equals(propagation)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("propagation " + propagation));
        JsonNode r = n.get("retention");
        Step.Retention retention = null;
        if (r != null && !r.isNull()) {
            JsonNode d = r.path("data");
            retention = new Step.Retention(Step.Retention.Kind.valueOf(r.path("kind").asText()), new Retained(
                    serviceId(text(d, "data")), text(d, "namespace"), serviceId(d.path("service").asText(null)), text(d, "type"),
                    d.path("engine").asText(null), d.path("version").asText(null), list(d.path("secrets")), list(d.path("claims"))));
        }
        return new Step(action, text(n, "app"), serviceId(n.path("service").asText(null)), ref, n.path("reason").asText(""),
                list(n.path("fields")), desired, retention, new Step.Write(version(n.get("plannedAgainst")), patch, claims, policy));
    }

    private static LiveVersion version(JsonNode n) {
        if (n == null || "absent".equals(n.asText())) return null;
        return new LiveVersion(text(n, "resourceVersion"), text(n, "digest"));
    }

    private static ObjectNode opened(JsonNode object, boolean secret, Secrets secrets) {
        ObjectNode copy = (ObjectNode) object;
        if (!secret) return copy;
        for (String field : List.of("data", "stringData")) {
            if (!(copy.get(field) instanceof ObjectNode values)) continue;
            for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) continue;
                String sealed = e.getValue().path("secure").asText("");
                if (sealed.isEmpty()) throw new IllegalArgumentException("a Secret value that is not sealed");
                try {
                    e.setValue(JsonNodeFactory.instance.textNode(secrets.open(sealed)));
                } catch (IllegalArgumentException wrongKey) {
                    throw new SecretUnopened();
                }
            }
        }
        return copy;
    }

    private static final class SecretUnopened extends RuntimeException {
        SecretUnopened() {
            super(null, null, false, false);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException("no " + field);
        return v.asText();
    }

    private static ServiceId serviceId(String text) {
        if (text == null || text.isEmpty()) return null;
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("service " + text);
        return new ServiceId(text.substring(0, slash), text.substring(slash + 1));
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    private static Set<String> set(JsonNode array) {
        return Set.copyOf(new LinkedHashSet<>(list(array)));
    }
}
