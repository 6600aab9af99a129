package dev.dbstack.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Identity of a Kubernetes object: kind, namespace (empty when cluster-scoped) and name. */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) implements Comparable<ObjectRef> {

    public static ObjectRef of(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return new ObjectRef(o.getApiVersion(), o.getKind(), ns == null ? "" : ns, o.getMetadata().getName());
    }

    @Override
    public String toString() {
        return kind + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }

    @Override
    public int compareTo(ObjectRef o) {
        return toString().compareTo(o.toString());
    }
}
