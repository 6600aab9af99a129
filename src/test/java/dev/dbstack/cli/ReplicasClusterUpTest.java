package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RabbitMQ cluster through the real CLI against the sandbox: a single node scaled to 3 (its cluster ConfigMap created,
 * the pods rolled once, every pod ready, a claim each), a layer of 3 from the start, and 3 → 1 with the plan's
 * caution and every claim kept.
 */
class ReplicasClusterUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: mq, type: rabbitmq, storage: 1, replicas: 1}
                    - {name: bus, type: rabbitmq, storage: 1, replicas: 3}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result cli(Path dir, String... args) {
        return CliTest.run(Stream.concat(Stream.of(args), Stream.of("-C", dir.toString())).toArray(String[]::new));
    }

    private record Live(StatefulSet mq, StatefulSet bus, ConfigMap mqCluster, ConfigMap busCluster, int claims) {}

    private static Live live(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            var c = s.client();
            return new Live(c.apps().statefulSets().inNamespace("a").withName("mq").get(),
                    c.apps().statefulSets().inNamespace("a").withName("bus").get(),
                    c.configMaps().inNamespace("a").withName("mq-cluster").get(),
                    c.configMaps().inNamespace("a").withName("bus-cluster").get(),
                    c.persistentVolumeClaims().inNamespace("a").list().getItems().size());
        }
    }

    @Test
    void aSingleNodeScaledToThreeJoinsOneClusterAndScalingDownKeepsTheClaims(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = cli(dir, "up", "--yes");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("+ create ConfigMap a/bus-cluster").doesNotContain("ConfigMap a/mq-cluster");
        // The ConfigMap before the StatefulSet whose pods mount it.
        assertThat(first.out().indexOf("ConfigMap a/bus-cluster")).isLessThan(first.out().indexOf("StatefulSet a/bus"));
        Live one = live(dir);
        assertThat(one.mq().getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(one.bus().getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(one.busCluster().getData().get("50-dbstack-cluster.conf"))
                .contains("cluster_formation.classic_config.nodes.1 = rabbit@bus-0.bus-headless.a\n")
                .contains("cluster_formation.classic_config.nodes.3 = rabbit@bus-2.bus-headless.a\n");
        assertThat(one.mqCluster()).isNull();
        assertThat(one.claims()).isEqualTo(4);
        assertThat(cli(dir, "preview").out()).contains("No changes.");

        project.edit(TestProject.STACK, "{name: mq, type: rabbitmq, storage: 1, replicas: 1}",
                "{name: mq, type: rabbitmq, storage: 1, replicas: 3}");
        CliTest.Result up = cli(dir, "up", "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("+ create ConfigMap a/mq-cluster").contains("~ update StatefulSet a/mq")
                .contains("0 to replace");
        String applied = up.out().substring(up.out().indexOf("start a/mq"));
        assertThat(applied.indexOf("ConfigMap a/mq-cluster")).isLessThan(applied.indexOf("StatefulSet a/mq"));
        Live three = live(dir);
        assertThat(three.mq().getSpec().getReplicas()).isEqualTo(3);
        assertThat(three.mq().getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(three.mqCluster().getData().get("50-dbstack-cluster.conf"))
                .contains("cluster_formation.classic_config.nodes.1 = rabbit@mq-0.mq-headless.a\n")
                .contains("cluster_formation.classic_config.nodes.3 = rabbit@mq-2.mq-headless.a\n");
        assertThat(three.claims()).isEqualTo(6);
        // The same pod template as a layer of 3 from the start: names aside, nothing depends on how it got there.
        assertThat(three.mq().getSpec().getTemplate().getSpec().getInitContainers()).extracting(c -> c.getName())
                .containsExactly("erlang-cookie", "wait-for-seed");
        assertThat(cli(dir, "preview").out()).contains("No changes.");

        project.edit(TestProject.STACK, "{name: mq, type: rabbitmq, storage: 1, replicas: 3}",
                "{name: mq, type: rabbitmq, storage: 1, replicas: 1}");
        CliTest.Result preview = cli(dir, "preview");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("goes from 3 to 1 replicas").contains("forget_cluster_node")
                .contains("rabbitmq-queues shrink");
        CliTest.Result down = cli(dir, "up", "--yes");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        assertThat(down.out()).contains("- delete ConfigMap a/mq-cluster").doesNotContain("PersistentVolumeClaim a/");
        Live back = live(dir);
        assertThat(back.mq().getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(back.mqCluster()).isNull();
        assertThat(back.claims()).isEqualTo(6);
        assertThat(cli(dir, "preview").out()).contains("No changes.");
    }
}
