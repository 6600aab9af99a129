package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Planner;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads what a plan is made against from the live cluster: one LIST per kind for the whole stack, whatever
 * the number of apps and namespaces. One client, one cluster: for a stack on several clusters the engine reads
 * each with its own client, over that cluster's apps' objects, and merges the results.
 */
public final class LiveReader {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String CLAIM = "v1|PersistentVolumeClaim";

    private LiveReader() {}

    public static Planner.Live read(KubernetesClient client, String stack, Collection<HasMetadata> desired, Planner.Known known) {
        return read(client, stack, desired, known, note -> { });
    }

    /**
     * The live objects of a stack: for each kind it renders or state recorded, one cluster-wide LIST by the
     * stack's label, kept to the stack's namespaces (another project's stack of the same name may live
     * elsewhere); every PersistentVolumeClaim in those namespaces that any dbstack workload made, from one
     * cluster-wide LIST of claims labelled {@link Labels#APP} (the claims a StatefulSet makes carry only its
     * selector's and template's labels, not the stack's, and the data on them is what the plan must never
     * lose sight of); and the StorageClasses, for expand-volume.
     *
     * <p>Where RBAC forbids a cluster-wide LIST of a kind (HTTP 403), that kind is listed in each of the
     * stack's namespaces instead (claims then without a selector, as they can be), and {@code notes} is told.
     *
     * @param desired the objects the stack renders to (their kinds and namespaces are read); may be empty
     * @param notes   told what the reads had to do differently, for {@code -v}
     */
    public static Planner.Live read(KubernetesClient client, String stack, Collection<HasMetadata> desired, Planner.Known known,
                                    Consumer<String> notes) {
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> clusterScoped = new HashSet<>();
        Set<String> namespaces = new TreeSet<>();
        for (HasMetadata o : desired) {
            String k = o.getApiVersion() + "|" + o.getKind();
            kinds.add(k);
            if (o.getMetadata().getNamespace() != null) namespaces.add(o.getMetadata().getNamespace());
            else clusterScoped.add(k);
        }
        for (ObjectRef r : known.objects().keySet()) {
            String k = r.apiVersion() + "|" + r.kind();
            kinds.add(k);
            if (!r.namespace().isEmpty()) namespaces.add(r.namespace());
            else clusterScoped.add(k);
        }
        known.retained().values().forEach(r -> namespaces.add(r.namespace()));
        kinds.remove(CLAIM);
        Map<ObjectRef, JsonNode> live = new HashMap<>();
        for (String k : kinds) {
            String apiVersion = k.substring(0, k.indexOf('|'));
            String kind = k.substring(k.indexOf('|') + 1);
            boolean scoped = clusterScoped.contains(k) || kind.equals("Namespace");
            if (!scoped && namespaces.isEmpty()) continue; // nothing of this kind could be the stack's
            var resources = served(client, apiVersion, kind);
            if (resources == null) continue; // a custom kind whose CRD is not installed (Velero removed): none exist
            try {
                add(live, resources.inAnyNamespace().withLabel(Labels.STACK, stack).list().getItems(), namespaces);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404 && isCustom(apiVersion)) continue; // its CRD went since discovery
                if (e.getCode() != 403 || scoped) throw e;
                fellBack(notes, kind, "with label " + Labels.STACK + "=" + stack, namespaces, e);
                for (String ns : namespaces) {
                    add(live, resources.inNamespace(ns).withLabel(Labels.STACK, stack).list().getItems(), namespaces);
                }
            }
        }
        if (!namespaces.isEmpty()) {
            var claims = client.genericKubernetesResources("v1", "PersistentVolumeClaim");
            try {
                add(live, claims.inAnyNamespace().withLabel(Labels.APP).list().getItems(), namespaces);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403) throw e;
                fellBack(notes, "PersistentVolumeClaim", "with label " + Labels.APP, namespaces, e);
                for (String ns : namespaces) add(live, claims.inNamespace(ns).list().getItems(), namespaces);
            }
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

    /**
     * The client for a kind, or null when the cluster does not serve it: fabric8 finds a custom kind by API
     * discovery, and throws when its CustomResourceDefinition is not installed. Without the CRD no object of the
     * kind can exist, so a stack that recorded one (a Velero Schedule, Velero since uninstalled) reads none.
     */
    private static io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> served(KubernetesClient client,
                                                                                         String apiVersion, String kind) {
        if (!isCustom(apiVersion)) return client.genericKubernetesResources(apiVersion, kind);
        try {
            return client.genericKubernetesResources(apiVersion, kind);
        } catch (KubernetesClientException e) {
            if (e.getCode() > 0 && e.getCode() != 404) throw e; // the server failed: not an answer
            return null;
        }
    }

    /** A kind of an API group that is not built into Kubernetes ({@code velero.io/v1}). */
    private static boolean isCustom(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        if (slash < 0) return false;
        String group = apiVersion.substring(0, slash);
        return group.contains(".") && !group.endsWith(".k8s.io") && !group.equals("k8s.io");
    }

    private static void fellBack(Consumer<String> notes, String kind, String selector, Set<String> namespaces,
                                 KubernetesClientException e) {
        notes.accept("note: listing " + kind + " in all namespaces " + selector + " is forbidden (HTTP 403"
                + (e.getStatus() != null && e.getStatus().getMessage() != null ? ": " + e.getStatus().getMessage() : "")
                + "); listed it in each of the stack's " + namespaces.size() + " namespaces instead");
    }

    /** The objects that are cluster-scoped or in one of {@code namespaces}. */
    private static void add(Map<ObjectRef, JsonNode> live, List<GenericKubernetesResource> items, Set<String> namespaces) {
        for (GenericKubernetesResource r : items) {
            String ns = r.getMetadata().getNamespace();
            if (ns != null && !ns.isEmpty() && !namespaces.contains(ns)) continue;
            live.put(ObjectRef.of(r), SERIALIZATION.convertValue(r, JsonNode.class));
        }
    }
}
