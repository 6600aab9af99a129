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
 * @param databaseNodes the node pool of database pods (node selector and tolerations); {@link NodePool#NONE} when any node
 */
public record ClusterGroup(String name, String cluster, String clusterDomain, DiskBackup diskBackup, boolean production,
                           boolean privileged, boolean networkPolicy, VirtualClusterLimits virtualClusters,
                           NodePool databaseNodes, SourceRef source) {
    public static final String SANDBOX = "sandbox";

    /** The prefix of a further embedded sandbox: {@code sandbox:<name>}, kept in {@code .dbstack/sandbox-<name>}. */
    public static final String NAMED_SANDBOX = "sandbox:";

    /** The embedded sandbox ({@code sandbox}) or a further named one ({@code sandbox:<name>}): no kubeconfig. */
    public boolean isSandbox() {
        return isSandbox(cluster);
    }

    public static boolean isSandbox(String cluster) {
        return SANDBOX.equals(cluster) || cluster != null && cluster.startsWith(NAMED_SANDBOX);
    }

    /** The sandbox's directory under {@code .dbstack}: {@code sandbox}, or {@code sandbox-<name>}; null for a context. */
    public static String sandboxDirectory(String cluster) {
        if (SANDBOX.equals(cluster)) return SANDBOX;
        return isSandbox(cluster) ? SANDBOX + "-" + cluster.substring(NAMED_SANDBOX.length()) : null;
    }
}
