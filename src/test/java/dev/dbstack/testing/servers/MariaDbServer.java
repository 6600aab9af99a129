package dev.dbstack.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real MariaDB server on 127.0.0.1 (the MySQL protocol), set up from the container's environment the way the
 * official {@code mysql} and {@code mariadb} images' entrypoints do it, reading {@code MARIADB_*} and {@code MYSQL_*}
 * alike as the mariadb image does:
 * <ul>
 * <li>{@code root}'s password from {@code MYSQL_ROOT_PASSWORD}, for {@code root@localhost} and
 * {@code root@'$MYSQL_ROOT_HOST'} (default {@code %}) with all privileges;</li>
 * <li>{@code CREATE DATABASE IF NOT EXISTS} {@code $MYSQL_DATABASE};</li>
 * <li>{@code $MYSQL_USER} identified by {@code $MYSQL_PASSWORD} with all privileges on that database.</li>
 * </ul>
 * The entrypoints run these statements through the client against a temporary server; here the same statements go in
 * the server's {@code --init-file} (with {@code SET NAMES utf8mb4}, as the client sends them), escaped as the
 * entrypoints escape them. The data directory is the volume's mount path ({@code /var/lib/mysql}) mapped to a
 * temporary directory. As root the server runs with {@code --user=root}, which mariadbd requires for that. Like the
 * mariadb image, the setup drops the root accounts other than {@code root@localhost} that {@code mariadb-install-db}
 * creates ({@code root@127.0.0.1}, {@code root@::1}, {@code root@<hostname>}), which would otherwise match a loopback
 * client before {@code root@'%'}.
 */
public final class MariaDbServer implements AutoCloseable {
    private final ServerProcess process;
    private final int port;

    private MariaDbServer(ServerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MariaDbServer start(ContainerSpec container, Path workDir) {
        return start(container, workDir, null);
    }

    /**
     * As {@link #start(ContainerSpec, Path)}, the server reading {@code optionFile} (the text of an option file the
     * image would include from {@code /etc/mysql/conf.d/}, such as a layer's parameters) through {@code --defaults-file}
     * instead of reading none; the harness's own options on the command line still win over it.
     */
    public static MariaDbServer start(ContainerSpec container, Path workDir, String optionFile) {
        String rootPassword = container.firstEnv("MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD")
                .orElseThrow(() -> new IllegalStateException("the container sets no MYSQL_ROOT_PASSWORD: " + container.env().keySet()));
        String rootHost = container.firstEnv("MARIADB_ROOT_HOST", "MYSQL_ROOT_HOST").orElse("%");
        Optional<String> database = container.firstEnv("MARIADB_DATABASE", "MYSQL_DATABASE");
        Optional<String> user = container.firstEnv("MARIADB_USER", "MYSQL_USER");
        Optional<String> password = container.firstEnv("MARIADB_PASSWORD", "MYSQL_PASSWORD");
        if (user.isPresent() != password.isPresent()) throw new IllegalStateException("MYSQL_USER and MYSQL_PASSWORD go together");

        StringBuilder sql = new StringBuilder("SET NAMES utf8mb4;\n");
        // As the mariadb image's docker_setup_db: escapes below need backslashes to be escapes, and the root accounts
        // that mariadb-install-db makes besides root@localhost go (mysqld --initialize makes only that one).
        sql.append("SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');\n");
        sql.append("DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';\n");
        sql.append("EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');\n");
        sql.append("ALTER USER 'root'@'localhost' IDENTIFIED BY ").append(literal(rootPassword)).append(";\n");
        if (!rootHost.equals("localhost")) {
            sql.append("CREATE USER 'root'@").append(literal(rootHost)).append(" IDENTIFIED BY ").append(literal(rootPassword)).append(";\n");
            sql.append("GRANT ALL ON *.* TO 'root'@").append(literal(rootHost)).append(" WITH GRANT OPTION;\n");
        }
        database.ifPresent(db -> sql.append("CREATE DATABASE IF NOT EXISTS ").append(identifier(db)).append(";\n"));
        if (user.isPresent()) {
            sql.append("CREATE USER ").append(literal(user.get())).append("@'%' IDENTIFIED BY ").append(literal(password.get())).append(";\n");
            database.ifPresent(db -> sql.append("GRANT ALL ON ").append(identifier(db)).append(".* TO ")
                    .append(literal(user.get())).append("@'%';\n"));
        }
        sql.append("FLUSH PRIVILEGES;\n");

        try {
            Path base = BundledBinaries.mariadb();
            Path volume = Files.createDirectories(workDir.resolve("volume"));
            Path datadir = container.hostPath("/var/lib/mysql", volume);
            Path run = Files.createDirectories(workDir.resolve("run"));
            List<String> asUser = Host.isRoot() ? List.of("--user=root") : List.of();

            List<String> install = new ArrayList<>(List.of(base.resolve("scripts/mariadb-install-db").toString(), "--no-defaults",
                    "--basedir=" + base, "--datadir=" + datadir, "--auth-root-authentication-method=normal",
                    "--skip-test-db", "--skip-name-resolve"));
            install.addAll(asUser);
            ServerProcess.run("mariadb-install-db", install, run, workDir.resolve("install-db.log"), null, Duration.ofSeconds(120));

            Path init = run.resolve("init.sql");
            Files.writeString(init, sql);
            int port = Host.freeLoopbackPort();
            String defaults = "--no-defaults";
            if (optionFile != null) {
                Path cnf = run.resolve("dbstack.cnf");
                Files.writeString(cnf, optionFile);
                defaults = "--defaults-file=" + cnf;
            }
            List<String> command = new ArrayList<>(List.of(base.resolve("bin/mariadbd").toString(), defaults,
                    "--basedir=" + base, "--datadir=" + datadir, "--lc-messages-dir=" + base.resolve("share"),
                    "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + run.resolve("mysqld.sock"),
                    "--pid-file=" + run.resolve("mysqld.pid"), "--init-file=" + init, "--skip-name-resolve",
                    "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=0",
                    // MariaDB 11.4 otherwise generates a TLS certificate at every start, which takes seconds here;
                    // the credentials and the URI are the same with or without TLS.
                    "--skip-ssl"));
            command.addAll(asUser);
            ServerProcess server = ServerProcess.start("mariadbd", command, run, workDir.resolve("mariadbd.log"), Map.of());
            try {
                server.awaitLog("ready for connections", Duration.ofSeconds(90));
                String log = Files.readString(workDir.resolve("mariadbd.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (log.contains("[ERROR]")) throw new IllegalStateException("mariadbd reported errors:\n" + ServerProcess.tail(server.log()));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            Files.delete(init);
            return new MariaDbServer(server, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A single-quoted string literal, escaped as the images' entrypoints escape passwords ({@code \} and {@code '}). */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A backquoted identifier. */
    static String identifier(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
    }
}
