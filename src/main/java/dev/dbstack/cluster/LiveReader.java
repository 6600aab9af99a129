package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Planner;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads what a plan is made against from the live cluster. */
public final class LiveReader {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private LiveReader() {}

    /**
     * The live objects of a stack, one LIST per kind and namespace, filtered by the stack's label; and
     * every PersistentVolumeClaim in its namespaces, because the claims a StatefulSet makes carry only
     * its template's labels, and the data on them is what the plan must never lose sight of.
     *
     * @param desired the objects the stack renders to (their kinds and namespaces are read); may be empty
     */
    public static Planner.Live read(KubernetesClient client, String stack, Collection<HasMetadata> desired, Planner.Known known) {
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> namespaces = new LinkedHashSet<>();
        for (HasMetadata o : desired) {
            kinds.add(o.getApiVersion() + "|" + o.getKind());
            if (o.getMetadata().getNamespace() != null) namespaces.add(o.getMetadata().getNamespace());
        }
        for (ObjectRef r : known.objects().keySet()) {
            kinds.add(r.apiVersion() + "|" + r.kind());
            if (!r.namespace().isEmpty()) namespaces.add(r.namespace());
        }
        known.retained().values().forEach(r -> namespaces.add(r.namespace()));
        kinds.remove("v1|PersistentVolumeClaim");
        Map<ObjectRef, JsonNode> live = new HashMap<>();
        for (String k : kinds) {
            String apiVersion = k.substring(0, k.indexOf('|'));
            String kind = k.substring(k.indexOf('|') + 1);
            if (kind.equals("Namespace")) {
                add(live, client.genericKubernetesResources(apiVersion, kind).withLabel(Labels.STACK, stack).list().getItems());
                continue;
            }
            for (String ns : namespaces) {
                add(live, client.genericKubernetesResources(apiVersion, kind).inNamespace(ns)
                        .withLabel(Labels.STACK, stack).list().getItems());
            }
        }
        for (String ns : namespaces) {
            add(live, client.genericKubernetesResources("v1", "PersistentVolumeClaim").inNamespace(ns).list().getItems());
        }
        Set<String> expandable = new HashSet<>();
        String defaultClass = null;
        for (var sc : client.storage().v1().storageClasses().list().getItems()) {
            if (Boolean.TRUE.equals(sc.getAllowVolumeExpansion())) expandable.add(sc.getMetadata().getName());
            if (sc.getMetadata().getAnnotations() != null
                    && "true".equals(sc.getMetadata().getAnnotations().get("storageclass.kubernetes.io/is-default-class"))) {
                defaultClass = sc.getMetadata().getName();
            }
        }
        return new Planner.Live(live, expandable, defaultClass);
    }

    private static void add(Map<ObjectRef, JsonNode> live, List<GenericKubernetesResource> items) {
        for (GenericKubernetesResource r : items) live.put(ObjectRef.of(r), SERIALIZATION.convertValue(r, JsonNode.class));
    }
}
