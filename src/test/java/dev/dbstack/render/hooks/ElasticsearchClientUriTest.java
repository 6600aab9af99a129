package dev.dbstack.render.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.sun.net.httpserver.HttpServer;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ELASTICSEARCH_URI and ELASTICSEARCH_URL as Elastic's own Java client uses them. The client takes a host URI
 * and the credentials apart ({@code host(url).usernameAndPassword(user, password)}), not from a URI's user-info:
 * the URI's user-info, decoded, must give exactly the user and password the client then sends, checked on a
 * stand-in for the server on loopback that records the client's Authorization header.
 */
class ElasticsearchClientUriTest {
    static final String RESERVED = RabbitmqClientUriTest.RESERVED;
    private static final String PASSPHRASE = "client-uri-test";

    private HttpServer server;
    private final List<String> authorizations = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            synchronized (authorizations) {
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String stack(String salt, String extra) {
        return (salt == null ? "" : "encryptionsalt: " + salt + "\n") + """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: search, type: elasticsearch, storage: 1%s}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(extra);
    }

    /** One part of a URI's raw user-info, percent-decoded ({@code +} is a plus sign there, not a space). */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The password the client sent to the stand-in, from {@code Authorization: Basic ...}. */
    private String sentCredentials() {
        synchronized (authorizations) {
            assertThat(authorizations).isNotEmpty();
            String header = authorizations.get(authorizations.size() - 1);
            assertThat(header).startsWith("Basic ");
            return new String(Base64.getDecoder().decode(header.substring("Basic ".length())), StandardCharsets.UTF_8);
        }
    }

    /** Reads the URI as a client would and sends a ping with what it read, to the stand-in instead of the cluster. */
    private void pingWith(LayerRender es) throws Exception {
        URI uri = new URI(es.secret("ELASTICSEARCH_URI"));
        URI url = new URI(es.service().outputs().get("ELASTICSEARCH_URL").value());
        assertThat(new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null))
                .as("the URI is the URL with credentials").isEqualTo(url);
        assertThat(url.getScheme()).isEqualTo("http");
        assertThat(url.getPort()).isEqualTo(9200);

        String raw = uri.getRawUserInfo();
        int colon = raw.indexOf(':');
        String user = decode(raw.substring(0, colon));
        String password = decode(raw.substring(colon + 1));
        assertThat(user).isEqualTo(es.service().outputs().get("USERNAME").value()).isEqualTo("elastic");
        assertThat(password).isEqualTo(es.secret("PASSWORD"));

        URI standIn = new URI(url.getScheme(), null, "127.0.0.1", server.getAddress().getPort(), url.getPath(), null, null);
        ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(standIn.toString()).usernameAndPassword(user, password));
        try {
            assertThat(client.ping().value()).isTrue();
        } finally {
            client.close();
        }
        assertThat(sentCredentials()).isEqualTo("elastic:" + es.secret("PASSWORD"));
    }

    @Test
    void aGeneratedPassword(@TempDir Path dir) throws Exception {
        pingWith(LayerRender.of(TestProject.create(dir, stack(null, "")), new GeneratedCredentials(), "a", "search"));
    }

    @Test
    void aSuppliedPasswordWithEveryReservedCharacter(@TempDir Path dir) throws Exception {
        PassphraseCrypter crypter = PassphraseCrypter.create(PASSPHRASE);
        String password = "p" + RESERVED + "w";
        TestProject project = TestProject.create(dir, stack(crypter.encryptionSalt(),
                ", password: {secure: \"" + crypter.encrypt(password) + "\"}"));
        LayerRender es = LayerRender.withPassphrase(project, PASSPHRASE, "a", "search");
        assertThat(es.secret("PASSWORD")).isEqualTo(password);
        assertThat(es.secret("ELASTICSEARCH_URI")).startsWith("http://elastic:p%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29*%2B%2C%3B%3D%25%20w@");
        pingWith(es);
    }
}
