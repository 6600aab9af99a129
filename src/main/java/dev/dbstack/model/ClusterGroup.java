package dev.dbstack.model;

/**
 * A set of host clusters with shared settings.
 *
 * @param cluster       a kubeconfig context name, or {@code sandbox} for the embedded API server
 * @param clusterDomain the DNS suffix of in-cluster service names, used in output variables
 * @param diskBackup    whether and how the group's apps are backed up with Velero; Palette's default is off, and we
 *                      warn about it
 * @param production    a production group refuses what is for development only (SQLite)
 * @param privileged    whether its clusters admit privileged pods; a type that needs one is refused where not
 * @param networkPolicy whether its apps' databases get NetworkPolicies admitting only the layers that consume them
 * @param virtualClusters the most each app deployment's virtual cluster may claim (Palette: 6 CPU, 8Gi, 10Gi)
 */
public record ClusterGroup(String name, String cluster, String clusterDomain, DiskBackup diskBackup, boolean production,
                           boolean privileged, boolean networkPolicy, VirtualClusterLimits virtualClusters, SourceRef source) {
    public static final String SANDBOX = "sandbox";

    public boolean isSandbox() {
        return SANDBOX.equals(cluster);
    }
}
