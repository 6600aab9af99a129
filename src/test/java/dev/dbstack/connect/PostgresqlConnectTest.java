package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.testing.servers.PostgresServer;
import dev.dbstack.testing.servers.RenderedDatabase;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The postgresql type against a real PostgreSQL 17 (the catalog's default major): the server is initialised from the
 * rendered StatefulSet's environment as the image would be, and Vert.x's PostgreSQL client connects through the
 * rendered {@code POSTGRES_URI}, parsed by its own libpq-URI parser ({@code PgConnectOptions.fromUri}).
 */
class PostgresqlConnectTest {

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void connectsThroughTheRenderedUri(Credentials credentials, @TempDir Path dir) throws Exception {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "postgresql", "17",
                Map.of("database", "orders", "user", "orders_owner"), credentials.supplied("password"));
        String password = db.output("PASSWORD");
        credentials.check(password);

        try (PostgresServer server = PostgresServer.start(db.container(), dir.resolve("server"))) {
            String uri = db.uriAt("POSTGRES_URI", server.port());
            PgConnectOptions parsed = PgConnectOptions.fromUri(uri);
            assertThat(parsed.getUser()).isEqualTo(db.output("USERNAME"));
            assertThat(parsed.getPassword()).isEqualTo(password);
            assertThat(parsed.getDatabase()).isEqualTo("orders");

            assertThat(Clients.postgres(uri)).isEqualTo(new Clients.Session("orders_owner", "orders", "ok"));
            // The server checks what the URI carries: the same URI with another password is refused.
            assertThatThrownBy(() -> Clients.postgres(Clients.withPassword(uri, "not-" + password.length())))
                    .hasMessageContaining("password authentication failed for user \"orders_owner\"");
        }
    }
}
