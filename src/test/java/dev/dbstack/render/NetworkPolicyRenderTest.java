package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connectivity hierarchy as NetworkPolicies: each database admits exactly the layers that consume it
 * (by output reference or {@code dependsOn}) on its ports, and its own peers; nothing for a type without a
 * server or with the host's network; nothing at all with {@code networkPolicy: false}.
 */
class NetworkPolicyRenderTest {
    /** Two apps of one profile; {@code extra} goes into the cluster group. */
    static String stack(String extra) {
        return """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox%s}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: pg, type: postgresql, storage: 1}
                        - {name: cache, type: redis, storage: 1}
                        - {name: queue, type: rabbitmq, storage: 1}
                        - {name: files, type: sqlite, storage: 1}
                        - {name: shared, type: glusterfs, storage: 10}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1.0
                          autoEnv: false
                          env:
                            PGHOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}"
                            REDIS: "{{.spectro.app.$appDeploymentName.cache.REDISMSTR_SVC}}"
                        - {name: worker, type: container, image: ghcr.io/acme/worker:1.0, dependsOn: [pg, queue], autoEnv: false}
                        - {name: web, type: container, image: ghcr.io/acme/web:1.0, ports: [8080], autoEnv: false}
                  dbstack:apps:
                    - {name: a, profile: p}
                    - {name: b, profile: p}
                """.formatted(extra);
    }

    private static RenderedStack render(Path dir, String extra) {
        TestProject project = TestProject.create(dir, stack(extra));
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static List<NetworkPolicy> policies(RenderedStack stack, String app, String layer) {
        return stack.service(new ServiceId(app, layer)).objects().stream().filter(NetworkPolicy.class::isInstance)
                .map(NetworkPolicy.class::cast).toList();
    }

    private static Map<String, String> pods(String app, String layer) {
        return Map.of(Labels.APP, app, Labels.LAYER, layer);
    }

    private static List<Map<String, String>> from(NetworkPolicyIngressRule rule) {
        return rule.getFrom().stream().map(NetworkPolicyPeer::getPodSelector).map(s -> s.getMatchLabels()).toList();
    }

    @Test
    void aDatabaseAdmitsExactlyTheLayersThatConsumeItOnItsPortsAndItsPeers(@TempDir Path dir) {
        RenderedStack stack = render(dir, "");
        for (String app : List.of("a", "b")) {
            NetworkPolicy pg = policies(stack, app, "pg").get(0);
            assertThat(pg.getApiVersion()).isEqualTo("networking.k8s.io/v1");
            assertThat(pg.getMetadata().getName()).isEqualTo("pg-ingress");
            assertThat(pg.getMetadata().getNamespace()).isEqualTo(app);
            assertThat(pg.getMetadata().getLabels()).containsEntry(Labels.LAYER, "pg").containsEntry(Labels.APP, app)
                    .containsEntry(Labels.MANAGED_BY, Labels.MANAGER);
            assertThat(pg.getSpec().getPodSelector().getMatchLabels()).isEqualTo(pods(app, "pg"));
            // Ingress only: egress stays open, so no DNS rule is needed.
            assertThat(pg.getSpec().getPolicyTypes()).containsExactly("Ingress");
            assertThat(pg.getSpec().getEgress()).isEmpty();
            List<NetworkPolicyIngressRule> rules = pg.getSpec().getIngress();
            assertThat(rules).hasSize(2);
            assertThat(from(rules.get(0))).as("peers, any port").containsExactly(pods(app, "pg"));
            assertThat(rules.get(0).getPorts()).isEmpty();
            // api by an output reference, worker by dependsOn alone; web consumes nothing (autoEnv: false); no other app's pods.
            assertThat(from(rules.get(1))).containsExactly(pods(app, "api"), pods(app, "worker"));
            assertThat(rules.get(1).getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getProtocol()).isEqualTo("TCP");
                assertThat(p.getPort().getIntVal()).isEqualTo(5432);
            });

            NetworkPolicy cache = policies(stack, app, "cache").get(0);
            assertThat(from(cache.getSpec().getIngress().get(1))).containsExactly(pods(app, "api"));

            // Every port the type declares (AMQP, management, Prometheus) to its consumers; any port between its pods.
            NetworkPolicy queue = policies(stack, app, "queue").get(0);
            assertThat(from(queue.getSpec().getIngress().get(0))).containsExactly(pods(app, "queue"));
            assertThat(from(queue.getSpec().getIngress().get(1))).containsExactly(pods(app, "worker"));
            assertThat(queue.getSpec().getIngress().get(1).getPorts()).extracting(p -> p.getPort().getIntVal())
                    .containsExactly(5672, 15672, 15692);

            assertThat(policies(stack, app, "files")).as("SQLite: no server to protect").isEmpty();
            assertThat(policies(stack, app, "shared")).as("GlusterFS: host network, which a policy cannot protect").isEmpty();
            for (String container : List.of("api", "worker", "web")) {
                assertThat(policies(stack, app, container)).as("containers are the app's entry points").isEmpty();
            }
        }
    }

    @Test
    void aDatabaseNobodyConsumesAdmitsOnlyItsPeers(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles: [{name: p, layers: [{name: cache, type: redis, storage: 1}]}]
                  dbstack:apps: [{name: a, profile: p}]
                """);
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        NetworkPolicy cache = policies(stack, "a", "cache").get(0);
        assertThat(cache.getSpec().getIngress()).singleElement().satisfies(r -> assertThat(from(r)).containsExactly(pods("a", "cache")));
    }

    /** A renamed database keeps its pods' labels, so its policy keeps its name and selects the same pods. */
    @Test
    void aRenamedDatabaseKeepsItsPolicy(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: store, type: postgresql, storage: 1, renamedFrom: pg}
                        - {name: api, type: container, image: ghcr.io/acme/api:1.0, dependsOn: [store]}
                  dbstack:apps: [{name: a, profile: p}]
                """);
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        NetworkPolicy p = policies(stack, "a", "store").get(0);
        assertThat(p.getMetadata().getName()).isEqualTo("pg-ingress");
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).isEqualTo(pods("a", "pg"));
        assertThat(from(p.getSpec().getIngress().get(1))).containsExactly(pods("a", "api"));
    }

    @Test
    void thePoliciesPassTheKubernetesSchema(@TempDir Path dir) {
        KubernetesSchema schema = KubernetesSchema.load();
        List<HasMetadata> policies = render(dir, "").allObjects().stream().filter(NetworkPolicy.class::isInstance).toList();
        assertThat(policies).hasSize(6);
        for (HasMetadata p : policies) assertThat(schema.validate(p)).as(p.getMetadata().getName()).isEmpty();
    }

    @Test
    void thePolicyIsAppliedBeforeTheWorkload(@TempDir Path dir) {
        List<HasMetadata> objects = render(dir, "").service(new ServiceId("a", "pg")).objects();
        int policy = objects.indexOf(objects.stream().filter(NetworkPolicy.class::isInstance).findFirst().orElseThrow());
        int workload = objects.indexOf(objects.stream().filter(StatefulSet.class::isInstance).findFirst().orElseThrow());
        assertThat(policy).isLessThan(workload);
    }

    @Test
    void networkPolicyFalseRendersNone(@TempDir Path dir) {
        RenderedStack stack = render(dir, ", networkPolicy: false");
        assertThat(stack.allObjects()).noneMatch(o -> o instanceof NetworkPolicy);
        assertThat(render(dir, ", networkPolicy: true").allObjects().stream().filter(o -> o instanceof NetworkPolicy)).hasSize(6);
    }
}
