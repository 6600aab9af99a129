package dev.dbstack.render;

import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.DiskBackup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster group's {@code diskBackup} as Velero objects: one {@code velero.io/v1} Schedule per app deployment.
 *
 * <p>Per app, not per cluster group: each app is its own namespace, and Backups are listed and restored per app
 * (a Backup's {@code velero.io/schedule-name} label names its app); a schedule change of one app, or turning
 * one app's group off, then touches that app's Schedule only. The Schedule lives in Velero's namespace (Velero
 * reads its objects only there) and is named after the app's namespace, unique per cluster and at most 63
 * characters, so the Backups' names ({@code <schedule>-yyyyMMddHHmmss}) and their schedule label stay valid.
 */
public final class DiskBackups {
    public static final String API_VERSION = "velero.io/v1";
    public static final String KIND = "Schedule";

    private DiskBackups() {}

    public static GenericKubernetesResource schedule(String stack, AppDeployment app, DiskBackup backup) {
        Map<String, String> labels = Labels.app(stack, app.name());
        GenericKubernetesResource s = new GenericKubernetesResource();
        s.setApiVersion(API_VERSION);
        s.setKind(KIND);
        s.setMetadata(new ObjectMetaBuilder().withName(app.namespace()).withNamespace(backup.veleroNamespace())
                .withLabels(labels).build());
        boolean snapshot = backup.mode() == DiskBackup.Mode.SNAPSHOT;
        Map<String, Object> template = new LinkedHashMap<>();
        // The Backups carry the app's labels, so they are found by app and stack as every other object is.
        template.put("metadata", Map.of("labels", labels));
        template.put("includedNamespaces", List.of(app.namespace()));
        template.put("storageLocation", backup.storageLocation());
        // As Velero stores a TTL (Go's Duration.String(), 720h0m0s): the live Schedule never differs from this.
        template.put("ttl", backup.ttl());
        // Snapshot mode: the storage's volume snapshots, no file copies. Filesystem mode: the node agent copies
        // every volume of the pods but those each database's pod template excludes (its emptyDirs, see the
        // backup-volumes-excludes annotation), so exactly the data volumes; no snapshots besides.
        template.put("snapshotVolumes", snapshot);
        template.put("defaultVolumesToFsBackup", !snapshot);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("schedule", backup.schedule());
        // Velero's controller writes false into a Schedule that has none: rendered, so no plan ever shows it.
        spec.put("skipImmediately", false);
        // True would make each Backup owned by the Schedule, so deleting the Schedule (backup turned off) would
        // delete every Backup with it.
        spec.put("useOwnerReferencesInBackup", false);
        spec.put("template", template);
        s.setAdditionalProperty("spec", spec);
        return s;
    }
}
