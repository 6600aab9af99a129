package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.KubernetesSchema;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MongoDB with {@code replicas}: one stays the standalone server it always was; more are a replica set rs0 with a
 * keyfile copied to mode 0400 by an init container, a Job that initiates the set on pod 0 and adds the others, and
 * URIs that list the members with {@code replicaSet=rs0}.
 */
class ReplicasMongodbRenderTest {
    private static final String DOMAIN = "cluster.local";

    private static LayerRender render(Path dir, String replicas) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String stack = """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: docs, type: mongodb, storage: 1%s}
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(replicas == null ? "" : ", replicas: " + replicas);
        return LayerRender.of(TestProject.create(dir, stack), new FixedCredentials(), "shop", "docs");
    }

    private static String host(int i) {
        return "docs-" + i + ".docs-headless.shop.svc." + DOMAIN + ":27017";
    }

    private static <T extends HasMetadata> List<T> all(LayerRender r, Class<T> type) {
        return r.service().objects().stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void oneReplicaRendersExactlyAsALayerWithoutReplicas(@TempDir Path dir) {
        LayerRender without = render(dir.resolve("without"), null);
        LayerRender one = render(dir.resolve("one"), "1");
        assertThat(Manifests.toYaml(one.service().objects())).isEqualTo(Manifests.toYaml(without.service().objects()));
        assertThat(one.server().getArgs()).isEmpty();
        assertThat(one.pod().getInitContainers()).noneMatch(c -> c.getName().equals("mongodb-keyfile"));
        assertThat(one.service().objects()).noneMatch(o -> o instanceof Job);
        assertThat(all(one, Secret.class)).hasSize(1);
        assertThat(one.secret("MONGO_URI")).doesNotContain("replicaSet").contains("@docs.shop.svc." + DOMAIN + ":27017/");
    }

    @Test
    void threeReplicasAreAReplicaSetWithAKeyfileAnInitiationJobAndMembersInTheUri(@TempDir Path dir) {
        LayerRender r = render(dir, "3");
        assertThat(r.statefulSet().getSpec().getReplicas()).isEqualTo(3);
        assertThat(r.statefulSet().getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(r.server().getArgs()).containsExactly("--replSet", "rs0", "--keyFile", "/etc/mongodb-keyfile/keyfile",
                "--bind_ip_all");
        // Ping answers before the set exists: pod 0's readiness does not wait for the Job, which waits for the pods.
        assertThat(String.join(" ", r.server().getReadinessProbe().getExec().getCommand())).contains("ping");

        // The keyfile: its own Secret, mounted group-readable in the init container only, copied with mode 0400.
        Secret keyfile = all(r, Secret.class).stream().filter(s -> s.getMetadata().getName().equals("docs-keyfile"))
                .findFirst().orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(keyfile.getData().get("keyfile")), StandardCharsets.UTF_8))
                .isEqualTo("docs-keyfile-s3cr3t/&?");
        Volume secretVolume = r.pod().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(secretVolume.getSecret().getSecretName()).isEqualTo("docs-keyfile");
        assertThat(secretVolume.getSecret().getDefaultMode()).isEqualTo(0440);
        Container init = r.pod().getInitContainers().stream().filter(c -> c.getName().equals("mongodb-keyfile"))
                .findFirst().orElseThrow();
        assertThat(String.join(" ", init.getCommand())).contains("chmod 400 /etc/mongodb-keyfile/keyfile");
        assertThat(init.getImage()).isEqualTo(r.server().getImage());
        assertThat(r.server().getVolumeMounts()).anyMatch(m -> m.getName().equals("mongodb-keyfile")
                && m.getMountPath().equals("/etc/mongodb-keyfile") && Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(r.server().getVolumeMounts()).noneMatch(m -> m.getName().equals("mongodb-keyfile-secret"));
        // The emptyDir copy is no data for file-system backup.
        assertThat(r.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("backup.velero.io/backup-volumes-excludes", "mongodb-keyfile");

        // The Job: named by the count, mongosh against pod 0, the password from the Secret through env only.
        Job job = r.object(Job.class);
        assertThat(job.getMetadata().getName()).matches("docs-rs3-[0-9a-f]{6}");
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.LAYER)
                .containsEntry("dbstack.dev/replica-set-of", "docs");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo(r.server().getImage());
        assertThat(c.getCommand().subList(0, 4)).containsExactly("mongosh", "--quiet", "--norc", "--nodb");
        String script = c.getCommand().get(5);
        assertThat(script).contains("const hosts = ['" + host(0) + "', '" + host(1) + "', '" + host(2) + "'];")
                .contains("replSetInitiate: {_id: setName, members: [{_id: 0, host: hosts[0]}]}")
                .contains("NotYetInitialized").contains("rs.add(host)").contains("rs.remove(host)")
                .contains("process.env.MONGO_PASSWORD").contains("'" + host(3) + "'").doesNotContain("'" + host(7) + "'");
        assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("MONGO_PASSWORD") && e.getValueFrom() != null
                && e.getValueFrom().getSecretKeyRef().getName().equals("docs-credentials")
                && e.getValueFrom().getSecretKeyRef().getKey().equals("PASSWORD"));
        assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("MONGO_USER") && "admin".equals(e.getValue()));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();

        // The Job's pod reaches mongod through a policy of its own (the layer's admits consumers and peers).
        NetworkPolicy jobPolicy = all(r, NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().equals("docs-replica-set-job")).findFirst().orElseThrow();
        assertThat(jobPolicy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels())
                .isEqualTo(job.getSpec().getTemplate().getMetadata().getLabels());

        String members = host(0) + "," + host(1) + "," + host(2);
        assertThat(r.secret("MONGO_URI")).isEqualTo("mongodb://admin:docs-password-s3cr3t%2F%26%3F@" + members
                + "/?replicaSet=rs0&authSource=admin");
        assertThat(r.secret("MONGO_URI_SRV")).isEqualTo("mongodb+srv://admin:docs-password-s3cr3t%2F%26%3F@docs-headless.shop.svc."
                + DOMAIN + "/?authSource=admin&tls=false&replicaSet=rs0");

        // Cluster kind: the client Service selects every member.
        assertThat(all(r, io.fabric8.kubernetes.api.model.Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("docs")).findFirst().orElseThrow().getSpec().getSelector())
                .doesNotContainKey(Labels.POD_NAME);
        assertThat(r.service().objects()).noneMatch(o -> o.getMetadata().getName().equals("docs-read"));

        // Nothing secret outside Secrets.
        assertThat(r.specsYaml()).doesNotContain("s3cr3t");
        for (HasMetadata o : r.service().objects()) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void anotherCountIsAnotherJobAndTheRenderIsStable(@TempDir Path dir) {
        String three = render(dir.resolve("a"), "3").object(Job.class).getMetadata().getName();
        String again = render(dir.resolve("b"), "3").object(Job.class).getMetadata().getName();
        String five = render(dir.resolve("c"), "5").object(Job.class).getMetadata().getName();
        assertThat(three).isEqualTo(again);
        assertThat(five).startsWith("docs-rs5-").isNotEqualTo(three);
        LayerRender seven = render(dir.resolve("d"), "7");
        assertThat(seven.object(Job.class).getSpec().getTemplate().getSpec().getContainers().get(0).getCommand().get(5))
                .contains("const beyond = [];");
    }
}
