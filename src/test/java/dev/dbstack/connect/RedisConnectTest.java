package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.testing.servers.RedisServer;
import dev.dbstack.testing.servers.RenderedDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The redis type against a real {@code redis-server} started with the rendered container's own command line (the
 * password reaching {@code --requirepass} through {@code $(REDIS_PASSWORD)} from the credentials Secret), and Jedis
 * connecting through the rendered {@code REDIS_URI}.
 */
class RedisConnectTest {

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void connectsThroughTheRenderedUri(Credentials credentials, @TempDir Path dir) {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "redis", "8.2", Map.of(),
                credentials.supplied("password"));
        String password = db.output("PASSWORD");
        credentials.check(password);

        try (RedisServer server = RedisServer.start(db.container(), dir.resolve("server"))) {
            assertThat(server.commandLine()).containsSequence("--requirepass", password);
            String uri = db.uriAt("REDIS_URI", server.port());
            URI parsed = URI.create(uri);
            assertThat(JedisURIHelper.getUser(parsed)).isEqualTo(db.output("USERNAME"));
            assertThat(JedisURIHelper.getPassword(parsed)).isEqualTo(password);
            assertThat(JedisURIHelper.getDBIndex(parsed)).isZero();

            assertThat(Clients.redis(uri)).isEqualTo(new Clients.Session("default", "0", "ok"));
            // The server checks what the URI carries: the same URI with another password is refused.
            assertThatThrownBy(() -> Clients.redis(Clients.withPassword(uri, "not-" + password.length())))
                    .hasMessageContaining("WRONGPASS");
        }
    }
}
