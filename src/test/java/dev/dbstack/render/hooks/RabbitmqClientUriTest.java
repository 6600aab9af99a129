package dev.dbstack.render.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RABBITMQ_URI as RabbitMQ's own Java client reads it: {@code ConnectionFactory.setUri}. */
class RabbitmqClientUriTest {
    /** Every character a URI reserves, the percent sign and a space. */
    static final String RESERVED = ":/?#[]@!$&'()*+,;=% ";
    private static final String PASSPHRASE = "client-uri-test";

    private static String stack(String salt, String extra) {
        return (salt == null ? "" : "encryptionsalt: " + salt + "\n") + """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: mq, type: rabbitmq, storage: 1%s}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(extra);
    }

    /** A YAML single-quoted scalar: only the quote itself is doubled. */
    private static String single(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static ConnectionFactory parse(String uri) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        return factory;
    }

    @Test
    void aGeneratedPasswordAndTheDefaultVhost(@TempDir Path dir) throws Exception {
        LayerRender mq = LayerRender.of(TestProject.create(dir, stack(null, "")), new GeneratedCredentials(), "a", "mq");
        ConnectionFactory f = parse(mq.secret("RABBITMQ_URI"));
        assertThat(f.getHost()).isEqualTo("mq.a.svc.cluster.local");
        assertThat(f.getPort()).isEqualTo(5672);
        assertThat(f.getUsername()).isEqualTo("app");
        assertThat(f.getPassword()).isEqualTo(mq.secret("PASSWORD")).hasSize(32);
        assertThat(f.getVirtualHost()).isEqualTo("/");
        assertThat(f.isSSL()).isFalse();
    }

    @Test
    void aSuppliedPasswordWithEveryReservedCharacter(@TempDir Path dir) throws Exception {
        PassphraseCrypter crypter = PassphraseCrypter.create(PASSPHRASE);
        String password = "p" + RESERVED + "w";
        TestProject project = TestProject.create(dir, stack(crypter.encryptionSalt(),
                ", password: {secure: \"" + crypter.encrypt(password) + "\"}"));
        LayerRender mq = LayerRender.withPassphrase(project, PASSPHRASE, "a", "mq");
        assertThat(mq.secret("PASSWORD")).isEqualTo(password);
        ConnectionFactory f = parse(mq.secret("RABBITMQ_URI"));
        assertThat(f.getUsername()).isEqualTo("app");
        assertThat(f.getPassword()).isEqualTo(password);
        assertThat(f.getVirtualHost()).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "orders", "orders/eu west", "v:?#[]@!&'()*+,;=/~x"})
    void aVhostOfItsOwn(String vhost, @TempDir Path dir) throws Exception {
        LayerRender mq = LayerRender.of(TestProject.create(dir, stack(null, ", user: orders.svc, vhost: " + single(vhost))),
                new GeneratedCredentials(), "a", "mq");
        ConnectionFactory f = parse(mq.secret("RABBITMQ_URI"));
        assertThat(f.getVirtualHost()).isEqualTo(vhost);
        assertThat(f.getUsername()).isEqualTo("orders.svc");
        assertThat(mq.env()).containsEntry("RABBITMQ_DEFAULT_VHOST", vhost);
    }
}
