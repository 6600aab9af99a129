package dev.dbstack.model;

/** An app created from {@code profile@version} into a virtual cluster (namespace) of a cluster group. */
public record AppDeployment(
        String name, String profile, String profileVersion, String clusterGroup, String namespace, SourceRef source) {}
