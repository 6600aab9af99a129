package dev.dbstack.render;

import static dev.dbstack.model.Suggest.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.model.ManifestLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Template;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A manifest layer → its objects, in the order written: template variables resolved, put into the app's namespace,
 * labelled like every object dbstack renders, and checked against the Kubernetes schema.
 *
 * <p>Only built-in, namespaced kinds: a cluster-scoped object would outlive the app and could clash with another
 * app's, and a custom kind (CRD) has no schema here to check it against before anything runs.
 *
 * <p>A secret output (a password) may be used only in a Secret's {@code stringData}: a Secret's values are sealed in
 * saved plans and never recorded in state or shown by {@code render}, while any other field would carry the secret
 * into all three. Secrets are rendered with {@code data} (base64), as the API server stores them, so a plan compares
 * like with like.
 */
final class ManifestRenderer {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ManifestRenderer() {}

    /**
     * @param key      the config key problems are reported at ({@code ...layers[ui].manifest} or {@code .file})
     * @param reserved kind and name ({@code ResourceQuota dbstack-virtual-cluster}) of the app's own objects
     */
    static RenderedService render(String stack, ServiceId id, String namespace, ManifestLayer layer, String key,
                                  Function<ServiceId, RenderedService> providers, Set<String> reserved) {
        KubernetesSchema schema = KubernetesSchema.load();
        Set<Problem> problems = new LinkedHashSet<>();
        List<HasMetadata> objects = new ArrayList<>();
        Map<String, SourceRef> seen = new LinkedHashMap<>();
        for (ManifestLayer.Document d : layer.documents()) {
            String apiVersion = (String) d.tree().get("apiVersion");
            String kind = (String) d.tree().get("kind");
            String name = (String) ((Map<?, ?>) d.tree().get("metadata")).get("name");
            String what = kind + " " + quote(name);
            if (!schema.isBuiltIn(apiVersion, kind)) {
                List<String> versions = schema.apiVersionsOf(kind);
                problems.add(new Problem(d.source(), key, what + ": " + apiVersion + " " + kind + " is not a kind built"
                        + " into Kubernetes (1.22 API)" + (versions.isEmpty()
                        ? "; custom resources (CRDs) are not supported in manifest layers, as dbstack cannot check them"
                        + " before anything runs" : "; write apiVersion: " + String.join(" or ", versions))));
                continue;
            }
            if (!schema.isNamespaced(apiVersion, kind)) {
                problems.add(new Problem(d.source(), key, what + ": " + kind + " is cluster-scoped; a manifest layer"
                        + " holds objects of its app's namespace only"));
                continue;
            }
            SourceRef first = seen.putIfAbsent(kind + " " + name, d.source());
            if (first != null || reserved.contains(kind + " " + name)) {
                problems.add(new Problem(d.source(), key, what + (first != null ? " is written twice in this layer"
                        + (first.line() > 0 ? " (first at line " + first.line() + ")" : "")
                        : " is an object dbstack makes for app '" + id.app() + "' itself") + "; rename it"));
                continue;
            }
            List<String> unsupported = d.tree().keySet().stream().filter(f -> !Manifests.TOP_LEVEL_FIELDS.contains(f)).toList();
            if (!unsupported.isEmpty()) {
                problems.add(new Problem(d.source(), key, what + ": " + String.join(", ", unsupported) + (unsupported.size() == 1
                        ? " is not a field" : " are not fields") + " dbstack applies (status is the cluster's to write;"
                        + " kinds such as Event or Binding are not for a manifest layer)"));
                continue;
            }
            boolean secret = "v1".equals(apiVersion) && "Secret".equals(kind);
            ObjectNode json = (ObjectNode) resolve(d.tree(), "", secret, id, key, providers, problems);
            ObjectNode metadata = (ObjectNode) json.get("metadata");
            JsonNode ns = metadata.get("namespace");
            if (ns != null && !ns.isNull() && !ns.asText().equals(namespace)) {
                problems.add(new Problem(d.source(), key, what + " names namespace " + quote(ns.asText()) + ", but a"
                        + " manifest layer's objects live in their app's namespace (" + namespace + "); leave"
                        + " metadata.namespace out"));
                continue;
            }
            metadata.put("namespace", namespace);
            label(metadata, stack, id, what, d.source(), key, problems);
            podTemplateLabels(json, id);
            if (secret) dataFromStringData(json);
            for (String error : schema.validate(json)) {
                problems.add(new Problem(d.source(), key, what + " does not match the Kubernetes schema: " + error));
            }
            objects.add(SERIALIZATION.unmarshal(json.toString()));
        }
        if (!problems.isEmpty()) throw new UserInputException(List.copyOf(problems));
        return new RenderedService(id, layer, namespace, List.copyOf(objects), new LinkedHashMap<>(), null);
    }

    /** The labels dbstack finds its objects by; the user's own stay, one of dbstack's written otherwise is refused. */
    private static void label(ObjectNode metadata, String stack, ServiceId id, String what, SourceRef at, String key,
                              Set<Problem> problems) {
        Map<String, String> ours = new TreeMap<>(Labels.selector(id));
        ours.put(Labels.MANAGED_BY, Labels.MANAGER);
        ours.put(Labels.STACK, stack);
        ours.put(Labels.TYPE, ManifestLayer.TYPE);
        JsonNode written = metadata.get("labels");
        ObjectNode labels = written instanceof ObjectNode o ? o : metadata.putObject("labels");
        for (Map.Entry<String, String> e : ours.entrySet()) {
            JsonNode mine = labels.get(e.getKey());
            if (mine != null && !mine.asText().equals(e.getValue())) {
                problems.add(new Problem(at, key, what + ": label " + e.getKey() + " is dbstack's (it is "
                        + quote(e.getValue()) + " here); leave it out"));
            }
            labels.put(e.getKey(), e.getValue());
        }
    }

    /**
     * The layer's selector labels on the pod template of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob,
     * ...): a database's NetworkPolicy admits the pods of the layers that consume it by these. Extra template labels
     * leave the workload's own selector matching.
     */
    private static void podTemplateLabels(ObjectNode object, ServiceId id) {
        for (String pointer : List.of("/spec/template", "/spec/jobTemplate/spec/template")) {
            if (!(object.at(pointer) instanceof ObjectNode template)) continue;
            JsonNode meta = template.get("metadata");
            ObjectNode metadata = meta instanceof ObjectNode o ? o : template.putObject("metadata");
            JsonNode existing = metadata.get("labels");
            ObjectNode labels = existing instanceof ObjectNode o ? o : metadata.putObject("labels");
            Labels.selector(id).forEach(labels::put);
        }
    }

    /** A Secret's {@code stringData} merged into {@code data}, base64-encoded, as the API server stores it. */
    private static void dataFromStringData(ObjectNode secret) {
        JsonNode strings = secret.remove("stringData");
        if (!(strings instanceof ObjectNode s) || s.isEmpty()) return;
        JsonNode existing = secret.get("data");
        ObjectNode data = existing instanceof ObjectNode o ? o : secret.putObject("data");
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The plain tree as JSON, each {@link ManifestLayer.Value} with its outputs in place. */
    private static JsonNode resolve(Object node, String path, boolean secret, ServiceId id, String key,
                                    Function<ServiceId, RenderedService> providers, Set<Problem> problems) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof Map<?, ?> m) {
            ObjectNode out = f.objectNode();
            m.forEach((k, v) -> out.set((String) k, resolve(v, path.isEmpty() ? (String) k : path + "." + k, secret, id,
                    key, providers, problems)));
            return out;
        }
        if (node instanceof List<?> l) {
            var out = f.arrayNode();
            for (int i = 0; i < l.size(); i++) out.add(resolve(l.get(i), path + "[" + i + "]", secret, id, key, providers, problems));
            return out;
        }
        if (node instanceof ManifestLayer.Value v) return f.textNode(substitute(v, secret, id, key, providers, problems));
        if (node == null) return f.nullNode();
        if (node instanceof String s) return f.textNode(s);
        if (node instanceof Boolean b) return f.booleanNode(b);
        if (node instanceof BigInteger i) return f.numberNode(i);
        if (node instanceof BigDecimal d) return f.numberNode(d);
        if (node instanceof Number n) return f.numberNode(n.doubleValue());
        return f.textNode(node.toString());
    }

    private static String substitute(ManifestLayer.Value v, boolean secret, ServiceId id, String key,
                                     Function<ServiceId, RenderedService> providers, Set<Problem> problems) {
        boolean inStringData = secret && v.path().startsWith("stringData.");
        StringBuilder out = new StringBuilder();
        for (Template.Part part : v.template().parts()) {
            if (part instanceof Template.Literal l) {
                out.append(l.text());
                continue;
            }
            Template.Reference r = (Template.Reference) part;
            RenderedService provider = providers.apply(new ServiceId(id.app(), r.layer()));
            OutputValue value = provider == null ? null : provider.outputs().get(r.variable());
            if (value == null) throw new IllegalStateException(id + " references unrendered output " + r); // the graph checked it
            if (!value.isSecret()) {
                out.append(value.value());
            } else if (inStringData) {
                out.append(secretValue(provider, value));
            } else {
                problems.add(new Problem(v.source(), key, v.path() + ": " + r.layer() + "." + r.variable() + " is a secret"
                        + " output: use it only in a Secret's stringData (and give it to a pod with secretKeyRef), so it"
                        + " never appears in a plan, in state or in render's output"));
            }
        }
        return out.toString();
    }

    /** The plaintext of a secret output, from the provider's rendered credentials Secret. */
    private static String secretValue(RenderedService provider, OutputValue value) {
        for (HasMetadata o : provider.objects()) {
            if (o instanceof Secret s && s.getMetadata().getName().equals(value.secretName()) && s.getData() != null
                    && s.getData().containsKey(value.secretKey())) {
                return new String(Base64.getDecoder().decode(s.getData().get(value.secretKey())), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalStateException(provider.id() + " renders no Secret " + value.secretName() + " with key " + value.secretKey());
    }
}
