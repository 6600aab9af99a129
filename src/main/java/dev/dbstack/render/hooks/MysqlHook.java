package dev.dbstack.render.hooks;

import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * MySQL and Percona Server with replicas: pod 0 is the source and takes the writes; every other pod copies pod 0's
 * data with the clone plugin (MySQL 8.0.17+), then replicates from it by GTID auto-positioning, read-only. This is
 * what MySQL's own operator does: replaying pod 0's binary log from the start would miss whatever it wrote before
 * GTIDs were on, or has purged since. A layer of one server is left exactly as the catalog renders it.
 *
 * <p>Per pod, by its ordinal ({@code ${HOSTNAME##*-}}, all pods share one template): a wrapper around the image's
 * entrypoint gives the server its id, GTIDs and the exit that lets a clone restart it; a sidecar ({@value #SIDECAR})
 * with the mysql client sets replication up once the local server answers; the readiness probe of a replica
 * requires both replication threads running and the server read-only, so the StatefulSet (OrderedReady) starts the
 * next replica and the read Service sends reads to it only then. The root password reaches the scripts only through
 * the variable the server has from the credentials Secret, and the SQL that carries it goes to the client on
 * standard input, never in arguments.
 *
 * <p>MariaDB stays one server (its engine sets {@code maxReplicas: 1} in {@code components/mysql.yaml}).
 */
public final class MysqlHook implements TypeHook {
    static final String SIDECAR = "replication";
    static final String PASSWORD_VAR = "MYSQL_ROOT_PASSWORD";
    static final String PASSWORD_KEY = "ROOT_PASSWORD";
    static final int MAX_SOURCE_PASSWORD = 32;

    @Override
    public String type() {
        return "mysql";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        if (ctx.layer().replicas() <= 1 || "mariadb".equals(ctx.component().engine())) return;
        // The replicas connect to pod 0 as root, and CHANGE REPLICATION SOURCE refuses a password of more than 32
        // characters (ER_CHANGE_MASTER_PASSWORD_LENGTH); the generated one has 32.
        var supplied = ctx.layer().credentials().get("password");
        if (supplied != null && supplied.reveal().length() > MAX_SOURCE_PASSWORD) {
            throw ctx.refuse("password", "replicas connect to pod 0 with this password, and MySQL's replication takes at most "
                    + MAX_SOURCE_PASSWORD + " characters; use a shorter one or replicas: 1");
        }
        Container server = pod.getContainers().get(0);
        int port = ctx.component().port().number();
        String source = ctx.podHost(0);

        // The images' entrypoints (docker-library mysql: docker-entrypoint.sh on PATH; percona/percona-server:
        // /docker-entrypoint.sh) end with exec "$@", and this wrapper execs them: mysqld keeps this shell's
        // parent. mysqld's RESTART, which ends a clone, exits with code 16 only when MYSQLD_PARENT_PID names
        // mysqld's parent (else "not managed by supervisor process"); the container then exits and the kubelet
        // starts it again on the cloned data. Binary logging is on by default since 8.0; GTIDs are not.
        String entrypoint = "percona".equals(ctx.component().engine()) ? "/docker-entrypoint.sh" : "docker-entrypoint.sh";
        server.setCommand(List.of("sh", "-c", """
                ordinal=${HOSTNAME##*-}
                export MYSQLD_PARENT_PID=$PPID
                exec %s "$0" --server-id=$((ordinal + 1)) --gtid-mode=ON --enforce-gtid-consistency=ON "$@"
                """.formatted(entrypoint), "mysqld"));

        Probe probe = server.getReadinessProbe();
        server.setReadinessProbe(new ProbeBuilder(probe).withNewExec().withCommand("sh", "-c", """
                export MYSQL_PWD="$%s"
                if [ "${HOSTNAME##*-}" = 0 ]; then mysql -h 127.0.0.1 -uroot -e 'SELECT 1' >/dev/null; exit; fi
                s=$(mysql -h 127.0.0.1 -uroot -e 'SHOW REPLICA STATUS\\G') || exit 1
                echo "$s" | grep -q 'Replica_IO_Running: Yes' && echo "$s" | grep -q 'Replica_SQL_Running: Yes' \\
                  && [ "$(mysql -h 127.0.0.1 -uroot -N -B -e 'SELECT @@global.super_read_only')" = 1 ]
                """.formatted(PASSWORD_VAR)).endExec().build());

        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName(PASSWORD_VAR).withNewValueFrom().withNewSecretKeyRef()
                .withName(ctx.credentialsSecret()).withKey(PASSWORD_KEY).endSecretKeyRef().endValueFrom().build());
        pod.getContainers().add(new ContainerBuilder()
                .withName(SIDECAR)
                .withImage(server.getImage())
                .withImagePullPolicy(server.getImagePullPolicy())
                .withCommand("sh", "-c", sidecarScript(source, port))
                .withEnv(env)
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("10m"))
                        .addToRequests("memory", new Quantity("32Mi"))
                        .addToLimits("memory", new Quantity("64Mi"))
                        .build())
                .withSecurityContext(server.getSecurityContext())
                .build());
    }

    /**
     * The sidecar's loop, idempotent, every 10 seconds. Every pod: the clone plugin installed (the donor needs it as
     * much as the recipient); INSTALL PLUGIN registers it in mysql.plugin so it loads at each start, where
     * plugin-load-add would make the first start of an upgrade fail. Replicas: one that replicates only gets
     * super_read_only again and START REPLICA (a no-op when running). super_read_only is set here rather than as a
     * server option because a server started read-only can fail the data dictionary upgrade of a new version
     * (MySQL bug 87436); until then the replica is unready, so outside the read Service; one whose last
     * clone completed (performance_schema.clone_status survives the restart) is pointed at pod 0; one with no table
     * outside the system schemas (a fresh claim, which the entrypoint initialised) clones pod 0, which replaces its
     * data and restarts it; anything else has data of its own and is never cloned over: it stays unready and says so.
     */
    static String sidecarScript(String source, int port) {
        return """
                export MYSQL_PWD="$%1$s"
                pw=$(printf '%%s' "$%1$s" | sed "s/[\\\\']/&&/g")
                source=%2$s
                say() { echo "replication: $*"; }
                here() { mysql -h 127.0.0.1 -P %3$d -uroot -N -B "$@"; }
                while sleep 10; do
                  here -e 'SELECT 1' >/dev/null 2>&1 || continue
                  if [ "$(here -e "SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'")" = 0 ]; then
                    here -e "INSTALL PLUGIN clone SONAME 'mysql_clone.so'" || say "could not install the clone plugin"
                  fi
                  [ "${HOSTNAME##*-}" = 0 ] && continue
                  if [ -n "$(here -e 'SHOW REPLICA STATUS')" ]; then
                    here -e 'SET GLOBAL super_read_only = ON; START REPLICA' >/dev/null
                    continue
                  fi
                  cloned=$(here -e 'SELECT STATE FROM performance_schema.clone_status' 2>/dev/null)
                  tables=$(here -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')")
                  if [ "$cloned" = Completed ]; then
                    say "replicating from $source"
                    here <<SQL
                CHANGE REPLICATION SOURCE TO SOURCE_HOST = '$source', SOURCE_PORT = %3$d, SOURCE_USER = 'root', SOURCE_PASSWORD = '$pw', SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1;
                START REPLICA;
                SET GLOBAL super_read_only = ON;
                SQL
                  elif [ "$tables" = 0 ]; then
                    say "cloning $source"
                    here <<SQL
                SET GLOBAL clone_valid_donor_list = '$source:%3$d';
                CLONE INSTANCE FROM 'root'@'$source':%3$d IDENTIFIED BY '$pw';
                SQL
                  else
                    here -e 'SET GLOBAL super_read_only = ON'
                    say "this server has tables of its own and replicates from nothing: not cloning over them; delete its claim to make it a replica of $source"
                  fi
                done
                """.formatted(PASSWORD_VAR, source, port);
    }
}
