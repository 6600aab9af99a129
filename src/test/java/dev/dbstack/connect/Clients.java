package dev.dbstack.connect;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * One real round trip per client library, each handed the connection URI as a consumer gets it and parsing it with
 * its own parser: a table created, a row written and read back (a key set and read, a message published and
 * consumed), and who the server says we are.
 */
final class Clients {
    private static final long TIMEOUT_S = 30;

    /** What the server said: the user it authenticated, the database (vhost, db index) in use, the value read back. */
    record Session(String user, String database, String value) {}

    private Clients() {}

    /** Vert.x's reactive PostgreSQL client: {@link PgConnectOptions#fromUri} parses libpq's {@code postgresql://} URI. */
    static Session postgres(String uri) throws Exception {
        PgConnectOptions options = PgConnectOptions.fromUri(uri);
        Vertx vertx = Vertx.vertx();
        try {
            PgConnection conn = PgConnection.connect(vertx, options).await(TIMEOUT_S, TimeUnit.SECONDS);
            try {
                conn.query("CREATE TABLE connect_check (id int PRIMARY KEY, v text)").execute().await(TIMEOUT_S, TimeUnit.SECONDS);
                conn.preparedQuery("INSERT INTO connect_check VALUES ($1, $2)").execute(Tuple.of(1, "ok"))
                        .await(TIMEOUT_S, TimeUnit.SECONDS);
                Row row = conn.query("SELECT current_user, current_database(), (SELECT v FROM connect_check WHERE id = 1)")
                        .execute().await(TIMEOUT_S, TimeUnit.SECONDS).iterator().next();
                return new Session(row.getString(0), row.getString(1), row.getString(2));
            } finally {
                conn.close().await(TIMEOUT_S, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().await(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /**
     * MySQL Connector/J through {@link DriverManager}: the JDBC URL is {@code jdbc:} followed by the {@code mysql://}
     * URI unchanged, which Connector/J's own parser reads, user-info included.
     */
    static Session mysql(String uri) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection("jdbc:" + uri); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE connect_check (id int PRIMARY KEY, v varchar(10))");
            s.execute("INSERT INTO connect_check VALUES (1, 'ok')");
            try (ResultSet r = s.executeQuery("SELECT CURRENT_USER(), DATABASE(), (SELECT v FROM connect_check WHERE id = 1)")) {
                r.next();
                return new Session(r.getString(1), r.getString(2), r.getString(3));
            }
        }
    }

    /** Jedis with the {@code redis://} URI (parsed by Jedis's {@code JedisURIHelper} over {@link URI}). */
    static Session redis(String uri) {
        try (Jedis jedis = new Jedis(URI.create(uri))) {
            jedis.set("connect-check", "ok");
            return new Session(jedis.aclWhoAmI(), Integer.toString(jedis.getDB()), jedis.get("connect-check"));
        }
    }

    /** The RabbitMQ Java client: {@link ConnectionFactory#setUri(String)} parses the {@code amqp://} URI. */
    static Session amqp(String uri) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        return amqp(factory);
    }

    /**
     * The RabbitMQ Java client with the URI split by {@link URI} and each part percent-decoded as UTF-8, instead of by
     * {@code setUri}, which decodes percent-escapes as US-ASCII and so turns each byte of a non-ASCII character into
     * U+FFFD: what a consumer whose credentials may hold such characters has to do.
     */
    static Session amqpDecodedAsUtf8(String uri) throws Exception {
        URI u = new URI(uri);
        if (!u.getScheme().equals("amqp")) throw new IllegalArgumentException("not an amqp:// URI");
        String[] userInfo = u.getRawUserInfo().split(":", 2);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(u.getHost());
        factory.setPort(u.getPort());
        factory.setUsername(decode(userInfo[0]));
        factory.setPassword(decode(userInfo[1]));
        factory.setVirtualHost(decode(u.getRawPath().substring(1)));
        return amqp(factory);
    }

    /** Percent-decoding of one URI component as UTF-8 ({@code +} is not a space outside form data). */
    static String decode(String raw) {
        return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Session amqp(ConnectionFactory factory) throws Exception {
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(10_000);
        try (Connection connection = factory.newConnection("dbstack-connect-test"); Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare("connect-check", false, false, false, null).getQueue();
            channel.basicPublish("", queue, null, "ok".getBytes(StandardCharsets.UTF_8));
            GetResponse got = null;
            for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); got == null && System.nanoTime() < until; ) {
                got = channel.basicGet(queue, true);
                if (got == null) Thread.sleep(20);
            }
            return new Session(factory.getUsername(), factory.getVirtualHost(),
                    got == null ? null : new String(got.getBody(), StandardCharsets.UTF_8));
        }
    }

    /** xerial's sqlite-jdbc with a {@code jdbc:sqlite:} URL; the table is created once, the row replaced. */
    static Session sqlite(String jdbcUrl) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS connect_check (id int PRIMARY KEY, v text)");
            s.execute("INSERT OR REPLACE INTO connect_check VALUES (1, 'ok')");
            try (ResultSet r = s.executeQuery("SELECT v FROM connect_check WHERE id = 1")) {
                r.next();
                return new Session(null, c.getMetaData().getURL(), r.getString(1));
            }
        }
    }

    /** {@code uri} (pointed at 127.0.0.1) with its user-info password replaced by {@code encodedPassword}. */
    static String withPassword(String uri, String encodedPassword) {
        int userStart = uri.indexOf("://") + 3;
        int at = uri.lastIndexOf("@127.0.0.1:");
        int colon = uri.indexOf(':', userStart);
        if (at < 0 || colon < 0 || colon > at) throw new IllegalArgumentException("no user:password@127.0.0.1 in the URI");
        return uri.substring(0, colon + 1) + encodedPassword + uri.substring(at);
    }
}
