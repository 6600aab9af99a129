package dev.dbstack.connect;

import static dev.dbstack.catalog.CatalogTemplate.urlencode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.testing.servers.ContainerSpec;
import dev.dbstack.testing.servers.MariaDbServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB (the coming {@code engine: mariadb} of the mysql type) against a real MariaDB 11.4 set up from the mariadb
 * image's own {@code MARIADB_*} variables, with MySQL Connector/J through {@code mysql://} URIs in the form the mysql
 * type renders, each part encoded by the catalog's {@code urlencode}. One server carries both kinds of password: root's
 * generated, the application user's holding every URI-reserved character. (MariaDB Connector/J is not used: its URL
 * parser takes no user-info, only {@code ?user=&password=}.) When the engine lands, the rendered test is
 * {@link MysqlConnectTest}'s with the engine setting and {@link MariaDbServer} as it is.
 */
class MariadbConnectTest {

    @Test
    void rootAndApplicationUserConnect(@TempDir Path dir) throws Exception {
        String rootPassword = Credentials.GENERATED.password();
        String userPassword = Credentials.RESERVED;
        ContainerSpec container = ContainerSpec.of(Map.of("MARIADB_ROOT_PASSWORD", rootPassword, "MARIADB_DATABASE", "shop",
                "MARIADB_USER", "shop_app", "MARIADB_PASSWORD", userPassword), "/var/lib/mysql");
        try (MariaDbServer server = MariaDbServer.start(container, dir)) {
            String root = "mysql://root:" + urlencode(rootPassword) + "@127.0.0.1:" + server.port() + "/shop";
            String app = "mysql://shop_app:" + urlencode(userPassword) + "@127.0.0.1:" + server.port() + "/shop";

            assertThat(Clients.mysql(root)).isEqualTo(new Clients.Session("root@%", "shop", "ok"));
            try (var c = java.sql.DriverManager.getConnection("jdbc:" + app); var s = c.createStatement()) {
                var r = s.executeQuery("SELECT CURRENT_USER(), DATABASE(), (SELECT v FROM connect_check WHERE id = 1)");
                r.next();
                assertThat(r.getString(1)).isEqualTo("shop_app@%");
                assertThat(r.getString(2)).isEqualTo("shop");
                assertThat(r.getString(3)).isEqualTo("ok");
            }
            assertThatThrownBy(() -> Clients.mysql(Clients.withPassword(app, urlencode(userPassword + "x"))))
                    .hasMessageContaining("Access denied for user 'shop_app'");
        }
    }
}
