package dev.dbstack.cluster;

import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DiskBackup;
import dev.dbstack.model.Problem;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Before a plan applies anything to a cluster whose apps are backed up ({@code diskBackup}): Velero must be
 * installed there (its CRD {@value #SCHEDULES_CRD}) and the storage location the cluster group names must exist
 * in Velero's namespace and be {@code Available}. Otherwise the Schedule would be created and never make a
 * Backup, or not be created at all halfway through an {@code up}: refused first, at the group's {@code diskBackup}.
 *
 * <p>Exact reads: one GET of the CRD per cluster with a backed-up app and one GET per storage location named
 * there (two for the usual single location); nothing for a stack that backs nothing up. No API discovery: the
 * storage location is read with its kind's coordinates given.
 */
public final class VeleroCheck {
    public static final String SCHEDULES_CRD = "schedules.velero.io";
    private static final ResourceDefinitionContext LOCATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("velero.io").withVersion("v1").withKind("BackupStorageLocation").withPlural("backupstoragelocations")
            .withNamespaced(true).build();

    private VeleroCheck() {}

    /**
     * Refuses (a {@link UserInputException}) when a backed-up app of {@code model} cannot be backed up on the cluster
     * {@code client} reaches; reads nothing when no app is.
     */
    public static void refuseUnready(KubernetesClient client, StackModel model) {
        refuseUnready(client, model, null);
    }

    /**
     * The same for the apps on one cluster of a stack that spans several: those whose cluster group names
     * {@code cluster} ({@link ClusterGroup#cluster()}), read through that cluster's {@code client}; null for all apps.
     */
    public static void refuseUnready(KubernetesClient client, StackModel model, String cluster) {
        // The backed-up groups, and per Velero namespace and location the first group naming it (for the message).
        Map<String, DiskBackup> locations = new LinkedHashMap<>();
        Set<ClusterGroup> groups = new LinkedHashSet<>();
        for (AppDeployment app : model.apps()) {
            ClusterGroup g = model.clusterGroupOf(app);
            if (!g.diskBackup().enabled() || cluster != null && !cluster.equals(g.cluster())) continue;
            groups.add(g);
            locations.putIfAbsent(g.diskBackup().veleroNamespace() + "/" + g.diskBackup().storageLocation(), g.diskBackup());
        }
        if (groups.isEmpty()) return;
        String shown = groups.iterator().next().cluster();
        List<Problem> problems = new ArrayList<>();
        if (client.apiextensions().v1().customResourceDefinitions().withName(SCHEDULES_CRD).get() == null) {
            for (ClusterGroup g : groups) {
                problems.add(new Problem(g.diskBackup().source(), g.diskBackup().key(), "Velero is not installed on cluster '"
                        + g.cluster() + "' (no CustomResourceDefinition " + SCHEDULES_CRD + "): install Velero (velero"
                        + " install, or its Helm chart), or set diskBackup: false"));
            }
            throw new UserInputException(problems);
        }
        for (DiskBackup b : locations.values()) {
            GenericKubernetesResource bsl = client.genericKubernetesResources(LOCATIONS).inNamespace(b.veleroNamespace())
                    .withName(b.storageLocation()).get();
            if (bsl == null) {
                problems.add(new Problem(b.source(), b.key(), "Velero on cluster '" + shown + "' has no BackupStorageLocation '"
                        + b.storageLocation() + "' in namespace '" + b.veleroNamespace() + "': create it (velero backup-location"
                        + " create " + b.storageLocation() + " --provider ... --bucket ...), or name an existing one in"
                        + " diskBackup.storageLocation" + (b.veleroNamespace().equals(DiskBackup.DEFAULT_VELERO_NAMESPACE) ? ""
                        : " (and check diskBackup.veleroNamespace)")));
                continue;
            }
            Object status = bsl.getAdditionalProperties().get("status");
            Object phase = status instanceof Map<?, ?> m ? m.get("phase") : null;
            if (!"Available".equals(phase)) {
                problems.add(new Problem(b.source(), b.key(), "Velero's BackupStorageLocation '" + b.storageLocation()
                        + "' (namespace '" + b.veleroNamespace() + "', cluster '" + shown + "') is "
                        + (phase == null ? "not validated yet" : phase) + ", not Available: Backups to it would fail;"
                        + " see `velero backup-location get` and fix its bucket or credentials, or name another location in"
                        + " diskBackup.storageLocation"));
            }
        }
        if (!problems.isEmpty()) throw new UserInputException(problems);
    }
}
