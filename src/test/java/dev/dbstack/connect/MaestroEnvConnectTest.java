package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.TestProject;
import dev.dbstack.testing.servers.ContainerSpec;
import dev.dbstack.testing.servers.MariaDbServer;
import dev.dbstack.testing.servers.PostgresServer;
import dev.dbstack.testing.servers.RedisServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * An application configured only from the Maestro-style variables dbstack injects connects to a real server: a
 * database layer and a container above it are rendered in one stack; the server starts from the database's rendered
 * StatefulSet; the container's variables are resolved as the kubelet would (plain values, {@code secretKeyRef}s read
 * from the rendered Secret), then pointed at the loopback server as a port forward would (ADDRESS → 127.0.0.1, PORT →
 * the server's port, the URL's authority likewise). The client gets nothing else.
 */
class MaestroEnvConnectTest {
    private static final String PASSPHRASE = "maestro-env-passphrase";
    private static final String NAMESPACE = "connect-ns";
    private static final String DOMAIN = "cluster.test";

    /** What the app container sees after a port forward of the database to 127.0.0.1:{@code port}. */
    record Rendered(ContainerSpec server, Map<String, String> appEnv) {
        Map<String, String> forwardedTo(String prefix, int port) {
            String service = appEnv.get(prefix + "_ADDRESS");
            Map<String, String> out = new LinkedHashMap<>();
            appEnv.forEach((k, v) -> {
                if (!k.startsWith(prefix + "_")) return;
                if (k.equals(prefix + "_ADDRESS")) v = "127.0.0.1";
                else if (k.equals(prefix + "_PORT")) v = Integer.toString(port);
                else if (k.equals(prefix + "_URL")) v = v.replaceFirst("@db\\." + NAMESPACE + "\\.svc\\." + DOMAIN.replace(".", "\\.")
                        + ":[0-9]+", "@127.0.0.1:" + port);
                out.put(k, v);
            });
            assertThat(service).isEqualTo(prefix.toLowerCase().replace('_', '-') + "." + NAMESPACE + ".svc." + DOMAIN);
            return out;
        }
    }

    private static Rendered render(Path dir, String type, String version, Map<String, String> layerKeys,
                                   Map<String, String> supplied) throws Exception {
        PassphraseCrypter crypter = PassphraseCrypter.create(PASSPHRASE);
        ObjectMapper json = new ObjectMapper();
        StringBuilder layer = new StringBuilder("        - name: db\n          type: " + json.writeValueAsString(type)
                + "\n          version: " + json.writeValueAsString(version) + "\n          storage: 1\n");
        for (var e : layerKeys.entrySet()) {
            layer.append("          ").append(e.getKey()).append(": ").append(json.writeValueAsString(e.getValue())).append('\n');
        }
        for (var e : supplied.entrySet()) {
            layer.append("          ").append(e.getKey()).append(": {secure: ")
                    .append(json.writeValueAsString(crypter.encrypt(e.getValue()))).append("}\n");
        }
        String stack = "encryptionsalt: " + crypter.encryptionSalt() + "\n"
                + "config:\n"
                + "  dbstack:clusterGroups: [{name: dev, cluster: sandbox, clusterDomain: " + DOMAIN + "}]\n"
                + "  dbstack:profiles:\n"
                + "    - name: p\n"
                + "      layers:\n"
                + layer
                + "        - {name: app, type: container, image: ghcr.io/acme/app:1}\n"
                + "  dbstack:apps: [{name: connect, profile: p, virtualCluster: " + NAMESPACE + "}]\n";
        Path projectDir = dir.resolve("project");
        Files.createDirectories(projectDir);
        TestProject project = TestProject.create(projectDir, stack);
        Catalog catalog = project.catalog();
        StackModel model = new StackLoader(catalog, PASSPHRASE).load(StackLoader.loadProject(projectDir), TestProject.STACK);
        RenderedStack rendered = new Renderer(catalog, new GeneratedCredentials(), (id, env) -> {
            throw new IllegalStateException("no secure env here");
        }).render(ServiceGraph.build(model, catalog));
        RenderedService db = rendered.service(new ServiceId("connect", "db"));
        Map<String, Secret> secrets = new LinkedHashMap<>();
        db.objects().stream().filter(Secret.class::isInstance).map(Secret.class::cast)
                .forEach(s -> secrets.put(s.getMetadata().getName(), s));
        StatefulSet sts = db.objects().stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                .findFirst().orElseThrow();
        var containers = sts.getSpec().getTemplate().getSpec().getContainers();
        var serverContainer = containers.stream().filter(c -> c.getName().equals(type)).findFirst().orElse(containers.get(0));
        ContainerSpec server = ContainerSpec.fromRendered(serverContainer, secrets,
                sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());

        Deployment app = rendered.service(new ServiceId("connect", "app")).objects().stream()
                .filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : app.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue());
                continue;
            }
            var ref = e.getValueFrom().getSecretKeyRef();
            String data = secrets.get(ref.getName()).getData().get(ref.getKey());
            env.put(e.getName(), new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        }
        return new Rendered(server, env);
    }

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void postgresqlFromPostgresqlVariablesOnly(Credentials credentials, @TempDir Path dir) throws Exception {
        Rendered r = render(dir, "postgresql", "17", Map.of("database", "orders", "user", "orders_owner"),
                credentials.supplied("password"));
        try (PostgresServer server = PostgresServer.start(r.server(), dir.resolve("server"))) {
            Map<String, String> env = r.forwardedTo("POSTGRESQL", server.port());
            credentials.check(env.get("POSTGRESQL_PASSWORD"));
            // The discrete variables, as a driver takes them.
            PgConnectOptions options = new PgConnectOptions().setHost(env.get("POSTGRESQL_ADDRESS"))
                    .setPort(Integer.parseInt(env.get("POSTGRESQL_PORT"))).setUser(env.get("POSTGRESQL_USERNAME"))
                    .setPassword(env.get("POSTGRESQL_PASSWORD")).setDatabase(env.get("POSTGRESQL_DATABASE"));
            assertThat(Clients.postgres(toUri(options)))
                    .isEqualTo(new Clients.Session("orders_owner", "orders", "ok"));
            // And the URL alone (a second table name is not needed: a fresh server per test).
            PgConnectOptions fromUrl = PgConnectOptions.fromUri(env.get("POSTGRESQL_URL"));
            assertThat(fromUrl.getPassword()).isEqualTo(env.get("POSTGRESQL_PASSWORD"));
            assertThat(fromUrl.getPort()).isEqualTo(server.port());
        }
    }

    /** libpq's URI of discrete settings, each percent-encoded as Clients.postgres reads URIs. */
    private static String toUri(PgConnectOptions o) {
        return "postgresql://" + enc(o.getUser()) + ":" + enc(o.getPassword()) + "@" + o.getHost() + ":" + o.getPort()
                + "/" + enc(o.getDatabase());
    }

    private static String enc(String s) {
        return dev.dbstack.catalog.CatalogTemplate.urlencode(s);
    }

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void mariadbFromMysqlVariablesOnly(Credentials credentials, @TempDir Path dir) throws Exception {
        Rendered r = render(dir, "mysql", "11.4", Map.of("engine", "mariadb", "database", "shop"),
                credentials.supplied("password"));
        try (MariaDbServer server = MariaDbServer.start(r.server(), dir.resolve("server"))) {
            Map<String, String> env = r.forwardedTo("MYSQL", server.port());
            credentials.check(env.get("MYSQL_PASSWORD"));
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", env.get("MYSQL_USERNAME"));
            props.setProperty("password", env.get("MYSQL_PASSWORD"));
            String jdbc = "jdbc:mysql://" + env.get("MYSQL_ADDRESS") + ":" + env.get("MYSQL_PORT") + "/" + env.get("MYSQL_DATABASE");
            try (var c = java.sql.DriverManager.getConnection(jdbc, props); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT CURRENT_USER(), DATABASE()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("root@%");
                assertThat(rs.getString(2)).isEqualTo("shop");
            }
            assertThat(Clients.mysql(env.get("MYSQL_URL"))).isEqualTo(new Clients.Session("root@%", "shop", "ok"));
        }
    }

    @ParameterizedTest(name = "{0} password")
    @EnumSource(Credentials.class)
    void redisFromRedisVariablesOnly(Credentials credentials, @TempDir Path dir) throws Exception {
        Rendered r = render(dir, "redis", "8.2", Map.of(), credentials.supplied("password"));
        try (RedisServer server = RedisServer.start(r.server(), dir.resolve("server"))) {
            Map<String, String> env = r.forwardedTo("REDIS", server.port());
            credentials.check(env.get("REDIS_PASSWORD"));
            try (Jedis jedis = new Jedis(new HostAndPort(env.get("REDIS_ADDRESS"), Integer.parseInt(env.get("REDIS_PORT"))),
                    DefaultJedisClientConfig.builder().user(env.get("REDIS_USERNAME")).password(env.get("REDIS_PASSWORD"))
                            .database(Integer.parseInt(env.get("REDIS_DATABASE"))).build())) {
                jedis.set("from-env", "ok");
                assertThat(jedis.aclWhoAmI()).isEqualTo("default");
                assertThat(jedis.get("from-env")).isEqualTo("ok");
            }
            assertThat(URI.create(env.get("REDIS_URL")).getPort()).isEqualTo(server.port());
            assertThat(Clients.redis(env.get("REDIS_URL"))).isEqualTo(new Clients.Session("default", "0", "ok"));
        }
    }
}
