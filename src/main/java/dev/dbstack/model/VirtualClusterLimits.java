package dev.dbstack.model;

/**
 * What one app deployment's virtual cluster (its namespace) may claim: CPU and memory requests of its
 * pods and storage of its claims, as Kubernetes quantities. Rendered as the namespace's ResourceQuota
 * and checked by the plan before anything is applied.
 *
 * @param key    the config key the limits come from (an app's {@code limits}, or its cluster group's
 *               {@code virtualClusters}), for messages
 * @param source where that key is written, or the group's line when the defaults apply
 */
public record VirtualClusterLimits(String cpu, String memory, String storage, String key, SourceRef source) {
    /** Palette's defaults for a cluster group's virtual clusters. */
    public static final String DEFAULT_CPU = "6";
    public static final String DEFAULT_MEMORY = "8Gi";
    public static final String DEFAULT_STORAGE = "10Gi";
}
