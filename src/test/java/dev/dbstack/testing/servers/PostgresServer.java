package dev.dbstack.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL server on 127.0.0.1, initialised the way the official image's {@code docker-entrypoint.sh} does
 * it from the container's environment:
 * <ul>
 * <li>{@code initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD")} into {@code $PGDATA}
 * (default {@code /var/lib/postgresql/data}), which lies in the data volume;</li>
 * <li>{@code host all all all scram-sha-256} appended to pg_hba.conf (the image's default for 14 and later);</li>
 * <li>{@code CREATE DATABASE :"db"} for {@code $POSTGRES_DB} (default: the user's name) unless it is {@code postgres}.</li>
 * </ul>
 * Two deliberate differences, neither touching credentials: the image leaves initdb's default {@code trust} for
 * connections from 127.0.0.1 inside the pod, where the tests' client is not; here initdb gets
 * {@code --auth-host=scram-sha-256}, so the loopback client authenticates like another pod would. And the database is
 * created in single-user mode ({@code postgres --single}) instead of through psql on a Unix socket, as the bundled
 * binaries have no psql. The container's arguments (the layer's {@code parameters:} as {@code -c name=value}) follow
 * the harness's own settings on postgres's command line, as the image's entrypoint passes them. The volume gets a {@code lost+found} like a fresh ext4 file system, so a PGDATA that is the
 * volume's root fails as it would in a cluster.
 */
public final class PostgresServer implements AutoCloseable {
    private final ServerProcess process;
    private final int port;

    private PostgresServer(ServerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Unpacks the bundled binaries into {@code workDir}, initialises from {@code container} and starts the server. */
    public static PostgresServer start(ContainerSpec container, Path workDir) {
        String user = container.env("POSTGRES_USER").filter(s -> !s.isEmpty()).orElse("postgres");
        String password = container.requireEnv("POSTGRES_PASSWORD");
        String database = container.env("POSTGRES_DB").filter(s -> !s.isEmpty()).orElse(user);
        String pgdataInContainer = container.env("PGDATA").orElse("/var/lib/postgresql/data");
        try {
            Path bin = BundledBinaries.postgres(workDir.resolve("postgresql")).resolve("bin");
            Host.makeTraversable(bin);
            Path volume = Host.handToNonRoot(workDir.resolve("volume"));
            Files.createDirectory(volume.resolve("lost+found"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Path pgdata = container.hostPath(pgdataInContainer, volume);
            Path run = Host.handToNonRoot(workDir.resolve("run"));

            Path pwfile = run.resolve("pwfile");
            Files.writeString(pwfile, password + "\n", StandardOpenOption.CREATE_NEW);
            Host.handToNonRoot(pwfile);
            ServerProcess.run("initdb", Host.asNonRoot(List.of(bin.resolve("initdb").toString(), "-D", pgdata.toString(),
                    "--username=" + user, "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")),
                    run, workDir.resolve("initdb.log"), null, Duration.ofSeconds(60));
            Files.delete(pwfile);
            Files.writeString(pgdata.resolve("pg_hba.conf"), "\nhost all all all scram-sha-256\n", StandardOpenOption.APPEND);

            if (!database.equals("postgres")) {
                String out = ServerProcess.run("postgres --single", Host.asNonRoot(List.of(bin.resolve("postgres").toString(),
                        "--single", "-D", pgdata.toString(), "-c", "fsync=off", "postgres")),
                        run, workDir.resolve("createdb.log"), "CREATE DATABASE " + quoteIdentifier(database) + "\n",
                        Duration.ofSeconds(60));
                if (out.contains("ERROR:")) throw new IllegalStateException("CREATE DATABASE failed:\n" + out);
            }

            int port = Host.freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(bin.resolve("postgres").toString(), "-D", pgdata.toString(),
                    "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                    "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=20", "-c", "shared_buffers=16MB"));
            // The image's entrypoint runs postgres with the container's arguments (the layer's parameters as -c
            // name=value); after the harness's own, so that they win as they win over postgresql.conf in a pod.
            if (!container.command().isEmpty()) throw new IllegalStateException("postgres runs no other command: " + container.command());
            command.addAll(container.expandedCommandLine());
            ServerProcess server = ServerProcess.start("postgres", Host.asNonRoot(command), run, workDir.resolve("postgres.log"), Map.of());
            try {
                server.awaitLog("database system is ready to accept connections", Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return new PostgresServer(server, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** psql's {@code :"name"}: a double-quoted identifier. */
    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
    }
}
