package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ConnectionString;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import dev.dbstack.render.CredentialSource;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MongoDB's rendered connection strings, read by the MongoDB Java driver's own parser: the user,
 * the password (whatever characters it holds), the host, the port and the auth database come out as
 * the server was initialised with. (No MongoDB server runs from a Maven artifact on this machine.)
 */
class MongodbUriTest {
    /** Every character a URI reserves, a space, a percent sign and a letter outside ASCII. */
    static final String RESERVED = ":/?#[]@!$&'()*+,;=% é";

    @ParameterizedTest
    @ValueSource(strings = {"generated0Abc9XyZ", RESERVED, "p%40ss%2F"})
    void theDriverReadsWhatTheServerWasInitialisedWith(String password, @TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox, clusterDomain: cluster.example}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: docs, type: mongodb, version: "8.0", storage: 1, user: app.owner}
                  dbstack:apps:
                    - {name: shop, profile: p}
                """);
        CredentialSource credentials = (service, name, spec, supplied) -> SecretValue.plain(password);
        RenderedService docs = new Renderer(project.catalog(), credentials, (id, env) -> "x").render(project.graph())
                .service(new ServiceId("shop", "docs"));
        Secret secret = (Secret) docs.objects().stream().filter(o -> o instanceof Secret).findFirst().orElseThrow();

        ConnectionString uri = new ConnectionString(decode(secret, "MONGO_URI"));
        assertThat(uri.getUsername()).isEqualTo("app.owner");
        assertThat(new String(uri.getPassword())).isEqualTo(password);
        assertThat(uri.getHosts()).containsExactly("docs.shop.svc.cluster.example:27017");
        assertThat(uri.getCredential().getSource()).isEqualTo("admin");
        // the image creates the root user from these, in the admin database
        var env = ((StatefulSet) docs.objects().stream().filter(o -> o instanceof StatefulSet).findFirst().orElseThrow())
                .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("MONGO_INITDB_ROOT_USERNAME=app.owner"));
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("MONGO_INITDB_ROOT_PASSWORD");
            assertThat(decode(secret, e.getValueFrom().getSecretKeyRef().getKey())).isEqualTo(password);
        });

        ConnectionString srv = new ConnectionString(decode(secret, "MONGO_URI_SRV"));
        assertThat(srv.isSrvProtocol()).isTrue();
        assertThat(srv.getHosts()).containsExactly("docs-headless.shop.svc.cluster.example");
        assertThat(new String(srv.getPassword())).isEqualTo(password);
        assertThat(srv.getSslEnabled()).isFalse();
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
