package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Elasticsearch and RabbitMQ layers deployed to the sandbox through the real CLI, consumed, listed and destroyed. */
class SearchAndMessagingUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox}
              dbstack:profiles:
                - name: shop
                  layers:
                    - {name: search, type: elasticsearch, version: "9.5", storage: 2}
                    - {name: logs, type: elasticsearch, version: "8.19", storage: 1, mmap: false, resources: {memory: 1Gi}}
                    - {name: mq, type: rabbitmq, version: "4.3", storage: 1, vhost: orders/eu}
                    - name: api
                      type: container
                      image: nginx:1.27
                      env:
                        SEARCH_URI: "{{.spectro.app.$appDeploymentName.search.ELASTICSEARCH_URI}}"
                        LOGS_URL: "{{.spectro.app.$appDeploymentName.logs.ELASTICSEARCH_URL}}"
                        AMQP_URI: "{{.spectro.app.$appDeploymentName.mq.RABBITMQ_URI}}"
                        MANAGEMENT: "{{.spectro.app.$appDeploymentName.mq.RABBITMQMSTR_SVC}}:{{.spectro.app.$appDeploymentName.mq.RABBITMQMSTR_MANAGEMENT_PORT}}"
              dbstack:apps:
                - {name: shop, profile: shop}
            """;

    private static CliTest.Result cli(Path dir, String... args) {
        return CliTest.run(Stream.concat(Stream.of(args), Stream.of("-C", dir.toString(), "--stack", TestProject.STACK))
                .toArray(String[]::new));
    }

    /** {@code NAME = value} lines of `outputs`, by layer ({@code shop/search}). */
    private static Map<String, Map<String, String>> outputs(Path dir, boolean showSecrets) {
        CliTest.Result r = showSecrets ? cli(dir, "outputs", "--show-secrets") : cli(dir, "outputs");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Map<String, String>> byLayer = new java.util.LinkedHashMap<>();
        String layer = null;
        for (String line : r.out().lines().toList()) {
            if (line.startsWith("    ")) {
                String[] kv = line.strip().split(" = ", 2);
                byLayer.get(layer).put(kv[0], kv[1]);
            } else if (line.startsWith("  ")) {
                layer = line.strip();
                byLayer.put(layer, new java.util.LinkedHashMap<>());
            }
        }
        return byLayer;
    }

    private static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    @Test
    void deployReachReadyListOutputsAndDestroyKeepingTheClaims(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK);
        CliTest.Result up = cli(dir, "up", "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("Applied: 4 services succeeded, 0 failed, 0 skipped.")
                .contains("+ create StatefulSet shop/search").contains("+ create StatefulSet shop/mq");
        try (Sandbox s = cluster(dir)) {
            Map<String, StatefulSet> sets = s.client().apps().statefulSets().inNamespace("shop").list().getItems().stream()
                    .collect(Collectors.toMap(x -> x.getMetadata().getName(), x -> x));
            assertThat(sets.keySet()).containsExactlyInAnyOrder("search", "logs", "mq");
            sets.values().forEach(set -> assertThat(set.getStatus().getReadyReplicas()).as(set.getMetadata().getName()).isEqualTo(1));
            assertThat(sets.get("search").getSpec().getTemplate().getSpec().getInitContainers())
                    .extracting(c -> c.getName()).containsExactly("max-map-count");
            assertThat(sets.get("logs").getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
            assertThat(sets.get("mq").getSpec().getTemplate().getSpec().getInitContainers())
                    .extracting(c -> c.getName()).containsExactly("erlang-cookie");
        }

        Map<String, Map<String, String>> shown = outputs(dir, false);
        assertThat(shown.get("shop/search")).containsEntry("USERNAME", "elastic").containsEntry("PASSWORD", "[secret]")
                .containsEntry("ELASTICSEARCHMSTR_SVC", "search.shop.svc.cluster.local")
                .containsEntry("ELASTICSEARCHMSTR_SVC_PORT", "9200").containsEntry("ELASTICSEARCHMSTR_SVC_NAMESPACE", "shop")
                .containsEntry("ELASTICSEARCH_URL", "http://search.shop.svc.cluster.local:9200")
                .containsEntry("ELASTICSEARCH_URI", "[secret]");
        assertThat(shown.get("shop/mq")).containsEntry("USERNAME", "app").containsEntry("RABBITMQMSTR_SVC", "mq.shop.svc.cluster.local")
                .containsEntry("RABBITMQMSTR_SVC_PORT", "5672").containsEntry("RABBITMQMSTR_MANAGEMENT_PORT", "15672")
                .containsEntry("RABBITMQ_VHOST", "orders/eu").containsEntry("RABBITMQ_URI", "[secret]")
                .containsEntry("RABBITMQ_ERLANG_COOKIE", "[secret]")
                .containsEntry("RABBITMQ_MANAGEMENT_URL", "http://mq.shop.svc.cluster.local:15672/");

        Map<String, Map<String, String>> secrets = outputs(dir, true);
        ConnectionFactory amqp = new ConnectionFactory();
        amqp.setUri(secrets.get("shop/mq").get("RABBITMQ_URI"));
        assertThat(amqp.getPassword()).isEqualTo(secrets.get("shop/mq").get("PASSWORD"));
        assertThat(amqp.getVirtualHost()).isEqualTo("orders/eu");
        List<String> secretValues = List.of(secrets.get("shop/mq").get("PASSWORD"), secrets.get("shop/mq").get("RABBITMQ_ERLANG_COOKIE"),
                secrets.get("shop/search").get("PASSWORD"), secrets.get("shop/logs").get("PASSWORD"));
        assertThat(secretValues).allSatisfy(v -> assertThat(v).hasSizeGreaterThanOrEqualTo(32));

        CliTest.Result again = cli(dir, "up", "--yes");
        assertThat(again.out()).contains("No changes.");
        String rendered = cli(dir, "render").out();
        try (Stream<Path> files = Files.walk(dir.resolve(".dbstack/stacks"))) {
            List<Path> state = files.filter(Files::isRegularFile).toList();
            for (String secret : secretValues) {
                assertThat(up.out() + up.err() + again.out() + again.err() + rendered).doesNotContain(secret);
                for (Path f : state) assertThat(Files.readString(f)).as(f.toString()).doesNotContain(secret);
            }
        }

        CliTest.Result destroyed = cli(dir, "destroy", "--yes");
        assertThat(destroyed.exit()).as(destroyed.err()).isZero();
        assertThat(destroyed.out()).contains("- delete StatefulSet shop/search").contains("- delete StatefulSet shop/mq")
                .contains("= keep PersistentVolumeClaim shop/data-search-0 (data)")
                .contains("= keep PersistentVolumeClaim shop/data-logs-0 (data)")
                .contains("= keep PersistentVolumeClaim shop/data-mq-0 (data)")
                .contains("= keep Secret shop/mq-credentials");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").list().getItems()).isEmpty();
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName())
                    .containsExactlyInAnyOrder("data-search-0", "data-logs-0", "data-mq-0");
        }
    }
}
