package dev.dbstack.model;

import java.util.List;
import java.util.Map;

/**
 * The nodes a cluster group keeps for databases: database pods get the node selector and tolerations.
 *
 * @param nodeSelector node labels a database pod's node must carry
 * @param tolerations  taints of those nodes the database pods tolerate
 */
public record NodePool(Map<String, String> nodeSelector, List<Toleration> tolerations) {
    public static final NodePool NONE = new NodePool(Map.of(), List.of());

    /** A Kubernetes toleration; null fields are left out. */
    public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {}

    public boolean isEmpty() {
        return nodeSelector.isEmpty() && tolerations.isEmpty();
    }
}
