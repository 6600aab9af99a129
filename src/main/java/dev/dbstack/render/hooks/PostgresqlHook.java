package dev.dbstack.render.hooks;

import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL with {@code replicas > 1}: pod 0 is the primary, every other pod a hot standby streaming from it. With
 * one replica the hook does nothing, so a single server renders exactly as before.
 *
 * <ul>
 * <li>Seeding: an init container of the server's image runs {@code pg_basebackup -R -X stream} from pod 0 into an
 *     empty data directory of a pod with ordinal above 0 ({@code -R} writes {@code standby.signal} and
 *     {@code primary_conninfo}). A data directory with {@code PG_VERSION} is never touched: a replica restarted or
 *     scaled up again onto its kept claim resumes streaming from where it stopped. The backup goes to a sibling
 *     directory first and is renamed into place only when complete, so an interrupted seed is never taken for data.
 *     {@code -R} writes the connection it used, password included, into the replica's {@code postgresql.auto.conf}:
 *     on the replica's own volume, never in a spec; it is how the standby reconnects after a restart.</li>
 * <li>Replication connections (docker-library/postgres's docker-entrypoint.sh): the image appends {@code host all all all scram-sha-256} to {@code pg_hba.conf} only
 *     when it initializes the database, and {@code all} does not match replication connections (they have a keyword of
 *     their own). Editing the data directory's file would change an existing database in place, so the server reads a
 *     rendered {@code pg_hba.conf} instead ({@code -c hba_file=}): the image's lines plus replication from anywhere,
 *     with a password. It holds for pods being initialized too: the entrypoint's temporary server gets the same
 *     arguments.</li>
 * <li>Readiness: besides {@code pg_isready}, a replica must be streaming ({@code pg_stat_wal_receiver}), so the read
 *     Service never sends clients to a standby that lost pod 0 or never caught on, and a scale-up stops at such one.</li>
 * </ul>
 */
public final class PostgresqlHook implements TypeHook {
    static final String HBA_VOLUME = "pg-hba";
    static final String HBA_DIR = "/etc/dbstack/postgresql";
    static final String HBA_FILE = "pg_hba.conf";
    /** The secret output (a key of the credentials Secret) with the superuser's password, which may replicate. */
    static final String PASSWORD_KEY = "PASSWORD";
    static final String SEED_CONTAINER = "seed-replica";

    /**
     * The image's {@code pg_hba.conf}: initdb's defaults (the entrypoint passes no {@code --auth}, so local and loopback
     * connections are trusted) and the line its entrypoint appends, the method being the default
     * {@code password_encryption} of every version the catalog offers (14 and later); then replication connections.
     */
    static final String HBA = """
            # Rendered by dbstack for a layer with replicas: the image's pg_hba.conf (initdb's defaults and the
            # entrypoint's "host all all all scram-sha-256"), and replication connections from the replicas.
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   all             all                                     trust
            host    all             all             127.0.0.1/32            trust
            host    all             all             ::1/128                 trust
            local   replication     all                                     trust
            host    replication     all             127.0.0.1/32            trust
            host    replication     all             ::1/128                 trust
            host    all             all             all                     scram-sha-256
            host    replication     all             all                     scram-sha-256
            """;

    @Override
    public String type() {
        return "postgresql";
    }

    static String hbaConfigMap(String dataName) {
        return dataName + "-pg-hba";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        if (ctx.layer().replicas() <= 1) return;
        Container server = pod.getContainers().get(0);
        int port = ctx.component().port().number();

        List<String> args = new ArrayList<>();
        args.add("-c");
        args.add("hba_file=" + HBA_DIR + "/" + HBA_FILE);
        args.addAll(server.getArgs()); // the layer's parameters after: the image passes arguments starting with - to postgres
        server.setArgs(args);
        server.getVolumeMounts().add(new VolumeMountBuilder().withName(HBA_VOLUME).withMountPath(HBA_DIR).withReadOnly(true)
                .build());
        pod.getVolumes().add(new VolumeBuilder().withName(HBA_VOLUME).withNewConfigMap().withName(hbaConfigMap(ctx.dataName()))
                .endConfigMap().build());

        // A standby answers pg_isready as soon as it is consistent; ready means streaming from pod 0 as well. Over the
        // loopback address, which pg_hba.conf trusts, so no password is needed.
        server.getReadinessProbe().getExec().setCommand(List.of("sh", "-c",
                "pg_isready -h 127.0.0.1 -p " + port + " -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" && { [ \"${HOSTNAME##*-}\" = 0 ]"
                        + " || psql -h 127.0.0.1 -p " + port + " -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -tAc"
                        + " 'SELECT status FROM pg_stat_wal_receiver' | grep -qx streaming; }"));

        pod.getInitContainers().add(seed(ctx, server, port));
    }

    /** The init container that gives an empty replica a copy of pod 0's data. */
    private static Container seed(Context ctx, Container server, int port) {
        List<EnvVar> env = new ArrayList<>();
        for (EnvVar e : server.getEnv()) {
            // Where the data directory is (the catalog's PGDATA up to 17; 18's image sets its own) and who replicates.
            if (e.getName().equals("PGDATA") || e.getName().equals("POSTGRES_USER")) env.add(e);
        }
        env.add(new EnvVarBuilder().withName("PGPASSWORD").withNewValueFrom().withNewSecretKeyRef()
                .withName(ctx.credentialsSecret()).withKey(PASSWORD_KEY).endSecretKeyRef().endValueFrom().build());
        // No $(...) in it: the kubelet would take that for a variable reference.
        String script = String.join("\n",
                "set -eu",
                "# Pod 0 is the primary: the image's entrypoint initializes it.",
                "[ \"${HOSTNAME##*-}\" != 0 ] || exit 0",
                "# Data already (a restart, or a kept claim scaled up again): it resumes streaming; never seed over it.",
                "[ ! -s \"$PGDATA/PG_VERSION\" ] || exit 0",
                "if [ -d \"$PGDATA\" ] && ls -A \"$PGDATA\" | grep -q .; then",
                "  echo \"$PGDATA holds files but no database (no PG_VERSION): not seeding over them\" >&2; exit 1",
                "fi",
                "# An earlier attempt that did not finish left only this directory, never renamed into place.",
                "rm -rf \"$PGDATA.seed\"",
                "mkdir -p \"${PGDATA%/*}\"",
                "pg_basebackup -h " + ctx.podHost(0) + " -p " + port + " -U \"$POSTGRES_USER\" -w -D \"$PGDATA.seed\""
                        + " -R -X stream --checkpoint=fast",
                "rmdir \"$PGDATA\" 2>/dev/null || true",
                "mv \"$PGDATA.seed\" \"$PGDATA\"");
        return new ContainerBuilder()
                .withName(SEED_CONTAINER)
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                .withCommand("sh", "-c", script)
                .withEnv(env)
                .withResources(server.getResources())
                .withVolumeMounts(server.getVolumeMounts().stream().filter(m -> !m.getName().equals(HBA_VOLUME)).toList())
                .withSecurityContext(server.getSecurityContext())
                .build();
    }

    @Override
    public List<HasMetadata> extraObjects(Context ctx) {
        if (ctx.layer().replicas() <= 1) return List.of();
        return List.of(new ConfigMapBuilder()
                .withNewMetadata().withName(hbaConfigMap(ctx.dataName())).withNamespace(ctx.namespace())
                .withLabels(ctx.labels()).endMetadata()
                .withData(Map.of(HBA_FILE, HBA))
                .build());
    }
}
