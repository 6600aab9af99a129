package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.servers.MariaDbServer;
import dev.dbstack.testing.servers.PostgresServer;
import dev.dbstack.testing.servers.RedisServer;
import dev.dbstack.testing.servers.RenderedDatabase;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A layer's {@code parameters:} as rendered are accepted by the real servers, which then report the values: PostgreSQL
 * started with the rendered {@code -c name=value} arguments ({@code SHOW}), MariaDB reading the rendered option file
 * from the ConfigMap ({@code @@variables}), redis-server started with the rendered command line ({@code CONFIG GET}).
 */
class ParametersConnectTest {
    private static final long TIMEOUT_S = 30;

    @Test
    void postgresqlRunsWithTheRenderedArguments(@TempDir Path dir) throws Exception {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "postgresql", "17", Map.of(), Map.of(),
                Map.of("max_connections", "57", "work_mem", "8MB", "log_min_duration_statement", "250ms",
                        "synchronous_commit", "\"off\"", "random_page_cost", "1.1", "statement_timeout", "2min"));
        try (PostgresServer server = PostgresServer.start(db.container(), dir.resolve("server"))) {
            Map<String, String> shown = new LinkedHashMap<>();
            PgConnectOptions options = PgConnectOptions.fromUri(db.uriAt("POSTGRES_URI", server.port()));
            Vertx vertx = Vertx.vertx();
            try {
                PgConnection conn = PgConnection.connect(vertx, options).await(TIMEOUT_S, TimeUnit.SECONDS);
                try {
                    for (String name : List.of("max_connections", "work_mem", "log_min_duration_statement",
                            "synchronous_commit", "random_page_cost", "statement_timeout")) {
                        Row row = conn.query("SHOW " + name).execute().await(TIMEOUT_S, TimeUnit.SECONDS).iterator().next();
                        shown.put(name, row.getString(0));
                    }
                } finally {
                    conn.close().await(TIMEOUT_S, TimeUnit.SECONDS);
                }
            } finally {
                vertx.close().await(TIMEOUT_S, TimeUnit.SECONDS);
            }
            assertThat(shown).isEqualTo(Map.of(
                    "max_connections", "57", "work_mem", "8MB", "log_min_duration_statement", "250ms",
                    "synchronous_commit", "off", "random_page_cost", "1.1", "statement_timeout", "2min"));
        }
    }

    @Test
    void mariadbReadsTheRenderedOptionFile(@TempDir Path dir) throws Exception {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "mysql", "11.4",
                Map.of("engine", "mariadb", "database", "shop"), Map.of(),
                Map.of("max_connections", "77", "max_allowed_packet", "32M", "slow_query_log", "true",
                        "long_query_time", "2.5", "thread_handling", "one-thread-per-connection", "wait_timeout", "600"));
        String file = db.object(ConfigMap.class).orElseThrow().getData().get("dbstack.cnf");
        try (MariaDbServer server = MariaDbServer.start(db.container(), dir.resolve("server"), file)) {
            String uri = db.uriAt("MYSQL_URI", server.port());
            try (java.sql.Connection c = DriverManager.getConnection("jdbc:" + uri); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT @@max_connections, @@max_allowed_packet, @@slow_query_log,"
                         + " @@long_query_time, @@thread_handling, @@wait_timeout")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(77);
                assertThat(r.getLong(2)).isEqualTo(32L * 1024 * 1024);
                assertThat(r.getInt(3)).isEqualTo(1);
                assertThat(r.getDouble(4)).isEqualTo(2.5);
                assertThat(r.getString(5)).isEqualTo("one-thread-per-connection");
                assertThat(r.getLong(6)).isEqualTo(600);
            }
        }
    }

    @Test
    void redisRunsWithTheRenderedArgumentsAfterTheCatalogs(@TempDir Path dir) {
        RenderedDatabase db = RenderedDatabase.render(dir.resolve("project"), "redis", "8.2", Map.of(), Map.of(),
                Map.of("maxmemory", "64mb", "maxmemory-policy", "allkeys-lru", "appendonly", "false",
                        "appendfsync", "\"no\"", "timeout", "300"));
        try (RedisServer server = RedisServer.start(db.container(), dir.resolve("server"));
             Jedis jedis = new Jedis(URI.create(db.uriAt("REDIS_URI", server.port())))) {
            assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", Long.toString(64L * 1024 * 1024));
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
            // The catalog's --appendonly yes comes first; the layer's later argument wins.
            assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
            assertThat(jedis.configGet("appendfsync")).containsEntry("appendfsync", "no");
            assertThat(jedis.configGet("timeout")).containsEntry("timeout", "300");
        }
    }
}
