package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas of the types whose pods form one cluster of equals: RabbitMQ joins its pods by classic config peer
 * discovery listing every pod, and a blank pod but pod 0 waits for pod 0's node before its first boot;
 * Elasticsearch stays one node (multi-node needs transport TLS with a CA every node trusts).
 */
class ReplicasClusterRenderTest {
    private static String stack(String layers) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(layers.indent(8).stripTrailing());
    }

    private static LayerRender render(Path dir, String layers, String layer) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return LayerRender.of(TestProject.create(dir, stack(layers)), new FixedCredentials(), "shop", layer);
    }

    private static LayerRender rabbitmq(Path dir, int replicas) {
        return render(dir, """
                - name: mq
                  type: rabbitmq
                  storage: 1
                  replicas: %d
                """.formatted(replicas), "mq");
    }

    private static Container init(PodSpec pod, String name) {
        return pod.getInitContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void oneRabbitmqNodeHasNoClusterConfiguration(@TempDir Path dir) {
        LayerRender r = rabbitmq(dir, 1);
        assertThat(r.service().objects()).noneMatch(o -> o instanceof ConfigMap);
        assertThat(init(r.pod(), "wait-for-seed")).isNull();
        assertThat(r.pod().getVolumes()).noneMatch(v -> v.getName().equals("cluster-config"));
        assertThat(r.server().getVolumeMounts()).noneMatch(m -> m.getMountPath().startsWith("/etc/rabbitmq/conf.d"));
        assertThat(r.server().getReadinessProbe().getExec().getCommand())
                .containsExactly("rabbitmq-diagnostics", "-q", "check_port_connectivity");
    }

    @Test
    void rabbitmqReplicasFormOneClusterWithPodZeroTheSeed(@TempDir Path dir) {
        LayerRender r = rabbitmq(dir, 3);
        assertThat(r.statefulSet().getSpec().getReplicas()).isEqualTo(3);
        assertThat(r.statefulSet().getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");

        ConfigMap config = r.object(ConfigMap.class);
        assertThat(config.getMetadata().getName()).isEqualTo("mq-cluster");
        assertThat(config.getData()).containsOnlyKeys("50-dbstack-cluster.conf");
        assertThat(config.getData().get("50-dbstack-cluster.conf"))
                .contains("cluster_formation.peer_discovery_backend = classic_config\n")
                .contains("cluster_formation.classic_config.nodes.1 = rabbit@mq-0.mq-headless.shop\n")
                .contains("cluster_formation.classic_config.nodes.2 = rabbit@mq-1.mq-headless.shop\n")
                .contains("cluster_formation.classic_config.nodes.3 = rabbit@mq-2.mq-headless.shop\n")
                .doesNotContain("nodes.4");
        // The names peer discovery lists are the ones RABBITMQ_NODENAME gives the pods.
        assertThat(r.env()).containsEntry("RABBITMQ_NODENAME", "rabbit@$(POD_NAME).mq-headless.shop");

        assertThat(r.server().getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/rabbitmq/conf.d/50-dbstack-cluster.conf");
            assertThat(m.getSubPath()).isEqualTo("50-dbstack-cluster.conf");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(r.pod().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("cluster-config");
            assertThat(v.getConfigMap().getName()).isEqualTo("mq-cluster");
        });

        // After the cookie's copy; the data read-only; pod 0 and a node with data never wait.
        List<String> inits = r.pod().getInitContainers().stream().map(Container::getName).toList();
        assertThat(inits.indexOf("wait-for-seed")).isGreaterThan(inits.indexOf("erlang-cookie"));
        Container wait = init(r.pod(), "wait-for-seed");
        String script = wait.getCommand().get(2);
        assertThat(script).startsWith("if [ \"${POD_NAME##*-}\" = 0 ] || [ -d \"/var/lib/rabbitmq/mnesia/$RABBITMQ_NODENAME\" ];"
                + " then exit 0; fi;")
                .contains("rabbitmq-diagnostics -q -n rabbit@mq-0.mq-headless.shop check_running");
        assertThat(wait.getEnv()).extracting(e -> e.getName())
                .containsExactly("POD_NAME", "RABBITMQ_USE_LONGNAME", "RABBITMQ_NODENAME");
        assertThat(wait.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/var/lib/rabbitmq/mnesia");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(wait.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/rabbitmq"));

        // Readiness that a node waiting for its peers passes, or OrderedReady would never start them.
        assertThat(r.server().getReadinessProbe().getExec().getCommand()).containsExactly("rabbitmq-diagnostics", "-q", "ping");
        assertThat(r.server().getReadinessProbe().getPeriodSeconds()).isEqualTo(30);

        // A cluster: the Services (the Maestro name too) select every pod, and there is no read Service.
        List<Service> services = r.service().objects().stream().filter(o -> o instanceof Service).map(o -> (Service) o).toList();
        assertThat(services).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrder("mq", "mq-headless", "rabbitmq");
        assertThat(services).allSatisfy(s -> assertThat(s.getSpec().getSelector()).doesNotContainKey(Labels.POD_NAME));

        // Secrets only in the Secret.
        assertThat(r.specsYaml()).doesNotContain("s3cr3t");
        assertValid(r.service().objects());
    }

    @Test
    void moreRabbitmqReplicasChangeTheListButNotThePodTemplateSoNoNodeRestarts(@TempDir Path dir) {
        LayerRender three = rabbitmq(dir.resolve("3"), 3);
        LayerRender seven = rabbitmq(dir.resolve("7"), 7);
        assertThat(seven.object(ConfigMap.class).getData().get("50-dbstack-cluster.conf"))
                .contains("nodes.7 = rabbit@mq-6.mq-headless.shop\n");
        assertThat(seven.statefulSet().getSpec().getTemplate()).isEqualTo(three.statefulSet().getSpec().getTemplate());
    }

    @Test
    void theCatalogSaysWhatRabbitmqReplicasAreAndElasticsearchStaysOneNode(@TempDir Path dir) {
        Component rabbitmq = Catalog.builtIn().find("rabbitmq", null).orElseThrow();
        assertThat(rabbitmq.maxReplicas()).isEqualTo(7);
        assertThat(rabbitmq.replication().kind()).isEqualTo(Component.Replication.CLUSTER);
        assertThat(rabbitmq.replication().failover()).contains("Quorum queues").contains("classic queue");
        assertThat(rabbitmq.replication().scaleDown()).contains("forget_cluster_node").contains("rabbitmq-queues shrink");
        assertThatThrownBy(() -> rabbitmq(dir.resolve("8"), 8)).hasMessageContaining("replicas");

        Component elasticsearch = Catalog.builtIn().find("elasticsearch", null).orElseThrow();
        assertThat(elasticsearch.maxReplicas()).isEqualTo(1);
        assertThatThrownBy(() -> render(dir.resolve("es"), """
                - name: search
                  type: elasticsearch
                  storage: 1
                  replicas: 3
                """, "search")).hasMessageContaining("replicas");
    }

    private static void assertValid(List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }
}
