package dev.dbstack.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import dev.dbstack.testing.servers.ContainerSpec;
import dev.dbstack.testing.servers.RedisServer;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A Redis layer with {@code replicas: 2} against real servers: pod 0 and pod 1 each started from the rendered
 * StatefulSet's one container (the wrapper deciding by {@code HOSTNAME}), pod 1 following pod 0 with the password from
 * the credentials Secret. A key written on pod 0 with the rendered {@code REDIS_URI} is read on pod 1; a write on pod 1
 * is refused (READONLY).
 */
class RedisReplicaConnectTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: dev, cluster: sandbox, clusterDomain: cluster.test}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: cache, type: redis, storage: 1, replicas: 2}
              dbstack:apps: [{name: shop, profile: p, virtualCluster: shop-ns}]
            """;

    @Test
    void podOneReplicatesPodZeroAndRefusesWrites(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("project"));
        LayerRender r = LayerRender.of(TestProject.create(dir.resolve("project"), STACK), new FixedCredentials(), "shop", "cache");
        Secret secret = r.object(Secret.class);
        ContainerSpec container = ContainerSpec.fromRendered(r.server(), Map.of(secret.getMetadata().getName(), secret), "data");
        String pod0 = "cache-0.cache-headless.shop-ns.svc.cluster.test";
        String uri = r.secret("REDIS_URI");
        String service = "@cache.shop-ns.svc.cluster.test:6379/";
        assertThat(uri).contains(service);

        try (RedisServer primary = RedisServer.startPod(container, dir.resolve("pod-0"), "cache-0", Map.of());
             RedisServer replica = RedisServer.startPod(container, dir.resolve("pod-1"), "cache-1",
                     Map.of(pod0, primary.port()))) {
            // One template: both run the same wrapper, pod 0's DNS name substituted only where pod 1's is resolved here.
            assertThat(primary.commandLine().get(2)).contains("--replicaof " + pod0 + " 6379");
            assertThat(replica.commandLine().get(2)).contains("--replicaof 127.0.0.1 " + primary.port());

            try (Jedis writer = new Jedis(URI.create(uri.replace(service, "@127.0.0.1:" + primary.port() + "/")))) {
                writer.set("replicated", "yes");
                assertThat(writer.info("replication")).contains("role:master");
            }
            try (Jedis reader = new Jedis(URI.create(uri.replace(service, "@127.0.0.1:" + replica.port() + "/")))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!"yes".equals(reader.get("replicated")) && System.nanoTime() < deadline) Thread.sleep(100);
                assertThat(reader.get("replicated")).isEqualTo("yes");
                assertThat(reader.info("replication")).contains("role:slave").contains("master_link_status:up");
                assertThatThrownBy(() -> reader.set("replicated", "no")).hasMessageContaining("READONLY");
            }
        }
    }
}
