package dev.dbstack.connect;

import static dev.dbstack.catalog.CatalogTemplate.urlencode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.servers.SqliteVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite (the coming development-only sqlite type: a file on a claim that consuming containers mount, a path and a URL
 * as outputs) with xerial's sqlite-jdbc. Until {@code components/sqlite.yaml} is here, path and URL are written in the
 * forms such a type would render; when it lands, the rendered test reads them with {@code RenderedDatabase.output} and
 * hands them to {@link SqliteVolume} as below.
 */
class SqliteConnectTest {
    private static final String MOUNT = "/var/lib/sqlite";

    @Test
    void twoConsumersShareTheFileThroughAJdbcUrl(@TempDir Path dir) throws Exception {
        SqliteVolume volume = new SqliteVolume(MOUNT, dir);
        String path = MOUNT + "/app.db";
        String url = "jdbc:sqlite:" + path;

        assertThat(Clients.sqlite(volume.jdbcUrl(url)).value()).isEqualTo("ok");
        assertThat(volume.hostPath(path)).isRegularFile();
        try (var second = java.sql.DriverManager.getConnection(volume.jdbcUrl(url)); var s = second.createStatement()) {
            var r = s.executeQuery("SELECT count(*) FROM connect_check");
            r.next();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void aFileUriWithReservedCharactersInTheFileName(@TempDir Path dir) throws Exception {
        SqliteVolume volume = new SqliteVolume(MOUNT, dir);
        String name = "app data #1 (é).db";
        String url = "jdbc:sqlite:file:" + MOUNT + "/" + urlencode(name) + "?mode=rwc";

        assertThat(url).endsWith("/app%20data%20%231%20%28%C3%A9%29.db?mode=rwc");
        assertThat(Clients.sqlite(volume.jdbcUrl(url)).value()).isEqualTo("ok");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly(name);
    }
}
