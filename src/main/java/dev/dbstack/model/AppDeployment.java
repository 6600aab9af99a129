package dev.dbstack.model;

/**
 * An app created from {@code profile@version} into a virtual cluster (namespace) of a cluster group.
 *
 * @param limits what its virtual cluster may claim: its own {@code limits}, else its cluster group's
 */
public record AppDeployment(
        String name, String profile, String profileVersion, String clusterGroup, String namespace,
        VirtualClusterLimits limits, SourceRef source) {}
