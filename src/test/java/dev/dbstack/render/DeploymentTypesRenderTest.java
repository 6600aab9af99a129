package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployment types in the rendered objects: dedicated's spread and node pool, local's affinity, external's Service. */
class DeploymentTypesRenderTest {
    private static final String PASSPHRASE = "deployment types";

    private static String stack(String group, String layer) {
        return """
                config:
                  dbstack:clusterGroups: [%s]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - %s
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1.0
                          env: {PGHOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}",
                                PGPORT: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC_PORT}}"}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(group, layer);
    }

    private static LayerRender render(Path dir, String group, String layer) {
        TestProject project = TestProject.create(dir, stack(group, layer));
        return LayerRender.of(project, new GeneratedCredentials(), "a", "pg");
    }

    private static void valid(LayerRender r) {
        for (HasMetadata o : r.service().objects()) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void dedicatedSpreadsItsOwnPodsAcrossNodesAndRunsOnTheGroupsDatabaseNodes(@TempDir Path dir) {
        LayerRender r = render(dir, "{name: g, cluster: sandbox, databaseNodes: {nodeSelector: {pool: db},"
                + " tolerations: [{key: dedicated, value: db, effect: NoSchedule}]}}", "{name: pg, type: postgresql, storage: 1}");
        PodSpec pod = r.pod();
        WeightedPodAffinityTerm spread = pod.getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0);
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
        assertThat(spread.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(spread.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                .isEqualTo(r.statefulSet().getSpec().getSelector().getMatchLabels());
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("pool", "db"));
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("dedicated");
            assertThat(t.getOperator()).isEqualTo("Equal");
            assertThat(t.getValue()).isEqualTo("db");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        valid(r);
    }

    @Test
    void withoutANodePoolADedicatedDatabaseRunsOnAnyNode(@TempDir Path dir) {
        LayerRender r = render(dir, "{name: g, cluster: sandbox}", "{name: pg, type: postgresql, storage: 1}");
        assertThat(r.pod().getNodeSelector()).isNullOrEmpty();
        assertThat(r.pod().getTolerations()).isNullOrEmpty();
        assertThat(r.pod().getAffinity().getPodAntiAffinity()).isNotNull();
    }

    @Test
    void localPrefersTheNodesOfTheAppsContainerPodsAndIgnoresTheNodePool(@TempDir Path dir) {
        LayerRender r = render(dir, "{name: g, cluster: sandbox, databaseNodes: {nodeSelector: {pool: db}}}",
                "{name: pg, type: postgresql, storage: 1, deployment: local}");
        PodSpec pod = r.pod();
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNull();
        assertThat(pod.getAffinity().getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
        WeightedPodAffinityTerm near = pod.getAffinity().getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution().get(0);
        assertThat(near.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(near.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/part-of", "a").containsEntry("app.kubernetes.io/component", "application");
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(r.statefulSet().getSpec().getReplicas()).isEqualTo(1);
        valid(r);
    }

    private static String external(String host) {
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        return "{name: pg, type: postgresql, deployment: external, external: {host: '" + host + "', port: 6432},"
                + " password: {secure: " + c.encrypt("s3cret") + "}}\n" + "ENCRYPTIONSALT:" + c.encryptionSalt();
    }

    private static LayerRender renderExternal(Path dir, String host) {
        String[] layerAndSalt = external(host).split("\nENCRYPTIONSALT:");
        TestProject project = TestProject.create(dir, "encryptionsalt: " + layerAndSalt[1] + "\n"
                + stack("{name: g, cluster: sandbox}", layerAndSalt[0]));
        return LayerRender.withPassphrase(project, PASSPHRASE, "a", "pg");
    }

    @Test
    void externalAtAnIpAddressIsASelectorlessServiceWithAnEndpointSliceAndNoWorkload(@TempDir Path dir) {
        LayerRender r = renderExternal(dir, "10.1.2.3");
        assertThat(r.service().objects()).noneMatch(o -> o instanceof StatefulSet || o instanceof NetworkPolicy)
                .noneMatch(o -> o.getKind().equals("PersistentVolumeClaim"));
        Service svc = r.object(Service.class);
        assertThat(svc.getMetadata().getName()).isEqualTo("pg");
        assertThat(svc.getSpec().getSelector()).isNullOrEmpty();
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(6432));
        EndpointSlice slice = r.object(EndpointSlice.class);
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "pg");
        assertThat(slice.getEndpoints()).singleElement().satisfies(e -> assertThat(e.getAddresses()).containsExactly("10.1.2.3"));
        assertThat(slice.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(6432);
            assertThat(p.getName()).isEqualTo(svc.getSpec().getPorts().get(0).getName());
        });
        // The outputs name the in-cluster Service, as for a dedicated database, and the external server's port.
        assertThat(r.service().outputs().get("POSTGRESMSTR_SVC").value()).isEqualTo("pg.a.svc.cluster.local");
        assertThat(r.service().outputs().get("POSTGRESMSTR_SVC_PORT").value()).isEqualTo("6432");
        valid(r);
    }

    @Test
    void anExternalMongodbsSeedListNamesItsServiceAsThereIsNoHeadlessOne(@TempDir Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        TestProject project = TestProject.create(dir, "encryptionsalt: " + c.encryptionSalt() + "\n" + """
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: docs, type: mongodb, deployment: external, external: {host: 10.0.0.7},
                           password: {secure: "%s"}}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(c.encrypt("mongo-pass")));
        LayerRender r = LayerRender.withPassphrase(project, PASSPHRASE, "a", "docs");
        assertThat(r.service().objects()).noneMatch(o -> o.getMetadata().getName().contains("headless"));
        for (String key : r.object(io.fabric8.kubernetes.api.model.Secret.class).getData().keySet()) {
            assertThat(r.secret(key)).doesNotContain("headless");
        }
        assertThat(r.object(EndpointSlice.class).getPorts().get(0).getPort()).isEqualTo(27017);
        valid(r);
    }

    @Test
    void externalAtAnIpv6AddressSaysSo(@TempDir Path dir) {
        assertThat(renderExternal(dir, "fd00::5").object(EndpointSlice.class).getAddressType()).isEqualTo("IPv6");
    }

    @Test
    void externalAtAHostNameIsAnExternalNameService(@TempDir Path dir) {
        LayerRender r = renderExternal(dir, "DB.Example.COM.");
        assertThat(r.service().objects()).noneMatch(o -> o instanceof EndpointSlice || o instanceof StatefulSet);
        Service svc = r.object(Service.class);
        assertThat(svc.getMetadata().getName()).isEqualTo("pg");
        assertThat(svc.getSpec().getType()).isEqualTo("ExternalName");
        assertThat(svc.getSpec().getExternalName()).isEqualTo("db.example.com");
        assertThat(r.service().outputs().get("POSTGRESMSTR_SVC").value()).isEqualTo("pg.a.svc.cluster.local");
        // The credentials are the user's, in a Secret of the external layer's own, never the data's credentials Secret.
        assertThat(r.service().objects()).anyMatch(o -> o.getKind().equals("Secret")
                && o.getMetadata().getName().equals("pg-external-credentials"));
        assertThat(r.service().objects()).noneMatch(o -> o.getMetadata().getName().equals("pg-credentials"));
        valid(r);
    }
}
