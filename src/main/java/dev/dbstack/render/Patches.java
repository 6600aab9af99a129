package dev.dbstack.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.model.Patch;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.MergePatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A layer's {@code patches:} applied to its rendered objects: a JSON merge patch (RFC 7386, {@link MergePatch}) or
 * RFC 6902 operations (fabric8's zjsonpatch, which the Kubernetes client brings). Each patched object is checked
 * against the Kubernetes schema.
 *
 * <p>Fields dbstack relies on are guarded: a patch that changes one is refused, since the next plan would fight
 * it or the data would be lost. They are {@link #GUARDED}: apiVersion, kind, metadata.name and .namespace, the
 * labels and {@code dbstack.dev/} annotations dbstack sets (object and pod template), a StatefulSet's selector,
 * serviceName, volumeClaimTemplates and podManagementPolicy (immutable: changing them would need the data's
 * workload replaced), a Deployment's selector, the pod template labels a selector matches, a Service's selector
 * (its clients reach the pods through it) and a Secret's type and values (credentials stay generated, never
 * written in a stack file).
 */
final class Patches {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Pointers guarded in every object, then per kind. */
    static final Map<String, List<String>> GUARDED = Map.of(
            "*", List.of("/apiVersion", "/kind", "/metadata/name", "/metadata/namespace"),
            "StatefulSet", List.of("/spec/selector", "/spec/serviceName", "/spec/volumeClaimTemplates",
                    "/spec/podManagementPolicy"),
            "Deployment", List.of("/spec/selector"),
            "Service", List.of("/spec/selector"),
            "Secret", List.of("/type", "/data", "/stringData"));

    private Patches() {}

    /** {@code service} with its layer's patches applied, in order; the layer's other objects as they were. */
    static RenderedService apply(RenderedService service, String layerKey) {
        List<Patch> patches = service.layer().patches();
        if (patches.isEmpty()) return service;
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        for (HasMetadata o : service.objects()) {
            objects.put(o.getKind() + " " + o.getMetadata().getName(), SERIALIZATION.convertValue(o, JsonNode.class));
        }
        Set<Problem> problems = new LinkedHashSet<>();
        Set<String> patched = new LinkedHashSet<>();
        for (Patch p : patches) {
            JsonNode before = objects.get(p.target());
            if (before == null) {
                problems.add(new Problem(p.source(), p.key(), "targets nothing: layer '" + service.layer().name()
                        + "' renders no " + p.target() + "; it renders " + objects.keySet().stream()
                        .collect(Collectors.joining(", "))));
                continue;
            }
            JsonNode after = p.merge() != null ? MergePatch.apply(before, JSON.valueToTree(p.merge())) : before;
            Problem failed = null;
            // One operation at a time, so a failure names the operation (RFC 6902: the patch as a whole then fails).
            for (int i = 0; p.operations() != null && i < p.operations().size() && failed == null; i++) {
                JsonNode op = JSON.valueToTree(p.operations().get(i));
                try {
                    after = JsonPatch.apply(JSON.createArrayNode().add(op), after);
                } catch (RuntimeException e) { // zjsonpatch: a failed test, a path that is not there, a bad pointer
                    failed = new Problem(p.source(), p.key() + ".operations[" + i + "]", op.path("op").asText() + " "
                            + op.path("path").asText() + " on " + p.target() + " failed: " + message(e));
                }
            }
            if (failed != null) {
                problems.add(failed);
                continue;
            }
            List<String> touched = guardedChanges(before, after);
            if (!touched.isEmpty()) {
                problems.add(new Problem(p.source(), p.key(), "changes " + String.join(", ", touched) + " of " + p.target()
                        + ", which dbstack guards (it relies on them, or Kubernetes will not change them in place);"
                        + " patch other fields"));
                continue;
            }
            objects.put(p.target(), after);
            patched.add(p.target());
        }
        KubernetesSchema schema = patched.isEmpty() ? null : KubernetesSchema.load();
        for (String target : patched) {
            for (String error : schema.validate(objects.get(target))) {
                Patch last = patches.stream().filter(p -> p.target().equals(target)).reduce((a, b) -> b).orElseThrow();
                problems.add(new Problem(last.source(), last.key(), "the patched " + target
                        + " does not match the Kubernetes schema: " + error));
            }
        }
        if (!problems.isEmpty()) throw new UserInputException(List.copyOf(problems));
        List<HasMetadata> out = new ArrayList<>();
        for (HasMetadata o : service.objects()) {
            String target = o.getKind() + " " + o.getMetadata().getName();
            out.add(patched.contains(target) ? SERIALIZATION.unmarshal(objects.get(target).toString()) : o);
        }
        return new RenderedService(service.id(), service.layer(), service.namespace(), List.copyOf(out), service.outputs(),
                service.volume());
    }

    /** The guarded fields {@code after} changes, as dotted paths. */
    static List<String> guardedChanges(JsonNode before, JsonNode after) {
        List<String> pointers = new ArrayList<>(GUARDED.get("*"));
        pointers.addAll(GUARDED.getOrDefault(before.path("kind").asText(), List.of()));
        ownKeys(before, "/metadata", pointers);
        ownKeys(before, "/spec/template/metadata", pointers);
        JsonNode selector = before.at("/spec/selector/matchLabels");
        for (Iterator<String> it = selector.fieldNames(); it.hasNext(); ) {
            pointers.add("/spec/template/metadata/labels/" + escape(it.next()));
        }
        List<String> changed = new ArrayList<>();
        for (String pointer : new LinkedHashSet<>(pointers)) {
            if (!Objects.equals(before.at(pointer), after.at(pointer))) {
                changed.add(pointer.substring(1).replace('/', '.').replace("~1", "/").replace("~0", "~"));
            }
        }
        return changed;
    }

    /** Each label dbstack set at {@code metadata}, and each of its {@code dbstack.dev/} annotations. */
    private static void ownKeys(JsonNode object, String metadata, List<String> pointers) {
        for (Iterator<String> it = object.at(metadata + "/labels").fieldNames(); it.hasNext(); ) {
            pointers.add(metadata + "/labels/" + escape(it.next()));
        }
        for (Iterator<String> it = object.at(metadata + "/annotations").fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.startsWith("dbstack.dev/")) pointers.add(metadata + "/annotations/" + escape(key));
        }
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.strip().replaceAll("\\s+", " ");
    }
}
