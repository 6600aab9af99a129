package dev.dbstack.model;

/**
 * A cluster group's {@code diskBackup}: off (Palette's default), or a Velero {@code Schedule} per app deployment
 * of the group ({@code dev.dbstack.render.DiskBackups}).
 *
 * @param enabled         whether the group's apps are backed up
 * @param schedule        when, as Velero's cron (robfig/cron: five fields, a descriptor, {@code @every}), checked
 * @param ttl             how long each Backup is kept, as Go's {@code Duration.String()} writes it ({@code 720h0m0s}):
 *                        the form Velero stores, so the live Schedule never differs from the render
 * @param storageLocation the name of the Velero BackupStorageLocation the Backups go to
 * @param mode            volume snapshots, or file-system backup of the pods' data volumes
 * @param veleroNamespace where Velero runs: its Schedules must live there
 * @param key             the config key ({@code config.dbstack:clusterGroups[g].diskBackup}), for messages
 * @param source          where it is written, or the group's line when left out
 */
public record DiskBackup(boolean enabled, String schedule, String ttl, String storageLocation, Mode mode,
                         String veleroNamespace, String key, SourceRef source) {
    /** Daily at 03:00 in the Velero server's time zone (UTC unless it is set otherwise): a quiet hour for most. */
    public static final String DEFAULT_SCHEDULE = "0 3 * * *";
    /** Velero's own default TTL, 30 days. */
    public static final String DEFAULT_RETENTION = "720h";
    public static final String DEFAULT_STORAGE_LOCATION = "default";
    public static final String DEFAULT_VELERO_NAMESPACE = "velero";

    public enum Mode {
        /** Volume snapshots by the storage provider (CSI or a Velero plugin): atomic per volume. */
        SNAPSHOT("snapshot"),
        /** File-system backup by Velero's node agent: the data volumes' files copied to the storage location. */
        FILESYSTEM("filesystem");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public static DiskBackup off(String key, SourceRef source) {
        return new DiskBackup(false, null, null, null, null, null, key, source);
    }
}
