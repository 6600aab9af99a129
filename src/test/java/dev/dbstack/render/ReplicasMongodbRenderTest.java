package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
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
                .contains("NotYetInitialized").contains("replSetReconfig").contains("c.members.push({_id: Math.max(...c.members.map(m => m._id)) + 1, host: host})")
                .contains("c.members.filter(m => m.host !== host)")
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

    // ---- the Job's script, run by node against a simulated set (mongodb/replica-set-mock.js) -------------------

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static boolean nodeAvailable() {
        try {
            return new ProcessBuilder("node", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }

    private static String script(Path dir, int replicas) {
        return render(dir.resolve("r" + replicas), Integer.toString(replicas)).object(Job.class).getSpec().getTemplate()
                .getSpec().getContainers().get(0).getCommand().get(5);
    }

    /** A set config of the given pods, ids as rs.add would give them. */
    private static com.fasterxml.jackson.databind.node.ObjectNode config(int version, int... pods) {
        var c = JSON.createObjectNode().put("_id", "rs0").put("version", version);
        var members = c.putArray("members");
        for (int i = 0; i < pods.length; i++) members.addObject().put("_id", i).put("host", host(pods[i]));
        return c;
    }

    private static com.fasterxml.jackson.databind.JsonNode run(Path dir, String script, com.fasterxml.jackson.databind.JsonNode config,
                                                               java.util.Map<Integer, String> pods) throws Exception {
        var scenario = JSON.createObjectNode();
        scenario.set("config", config == null ? JSON.nullNode() : config);
        var podStates = scenario.putObject("pods");
        pods.forEach((i, state) -> podStates.put(host(i), state));
        Path js = Files.createTempFile(dir, "script", ".js");
        Files.writeString(js, script);
        Path sc = Files.createTempFile(dir, "scenario", ".json");
        Files.writeString(sc, JSON.writeValueAsString(scenario));
        Path mock;
        try (var in = ReplicasMongodbRenderTest.class.getResourceAsStream("/mongodb/replica-set-mock.js")) {
            mock = dir.resolve("mock.js");
            Files.write(mock, in.readAllBytes());
        }
        Process p = new ProcessBuilder("node", mock.toString(), js.toString(), sc.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return JSON.readTree(out);
    }

    private static List<String> hosts(com.fasterxml.jackson.databind.JsonNode config) {
        List<String> out = new java.util.ArrayList<>();
        config.path("members").forEach(m -> out.add(m.path("host").asText()));
        return out;
    }

    @Test
    void theScriptInitiatesOnPodZeroAddsFreshPodsIsIdempotentAndNeverAddsAPodWithOldData(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(nodeAvailable(), "node is not installed");
        String three = script(dir, 3);
        var fresh = java.util.Map.of(0, "fresh", 1, "fresh", 2, "fresh", 3, "fresh", 4, "fresh");

        // A new set (or a standalone with data turning into one): pod 0 alone first, then the others one by one.
        var first = run(dir, three, null, fresh);
        assertThat(first.path("ok").asBoolean()).as(first.toString()).isTrue();
        assertThat(hosts(first.path("config"))).containsExactly(host(0), host(1), host(2));
        assertThat(first.path("config").path("version").asInt()).isEqualTo(3);
        assertThat(first.path("commands").toString()).contains(host(0) + " replSetInitiate");

        // Run again: nothing to do.
        var again = run(dir, three, first.path("config"), fresh);
        assertThat(again.path("ok").asBoolean()).as(again.toString()).isTrue();
        assertThat(again.path("commands").toString()).doesNotContain("replSetInitiate").doesNotContain("replSetReconfig");

        // Three to five: pods 3 and 4 are added.
        var five = run(dir, script(dir, 5), first.path("config"), fresh);
        assertThat(five.path("ok").asBoolean()).as(five.toString()).isTrue();
        assertThat(hosts(five.path("config"))).containsExactly(host(0), host(1), host(2), host(3), host(4));

        // Five to three: the stopped pods' members are removed, one reconfig each.
        var down = run(dir, three, five.path("config"), java.util.Map.of(0, "fresh", 1, "fresh", 2, "fresh", 3, "down", 4, "down"));
        assertThat(down.path("ok").asBoolean()).as(down.toString()).isTrue();
        assertThat(hosts(down.path("config"))).containsExactly(host(0), host(1), host(2));

        // A pod back with data of an earlier membership: not added, the Job fails and says what to do.
        var stale = run(dir, three, config(4, 0, 1), java.util.Map.of(0, "fresh", 1, "fresh", 2, "stale"));
        assertThat(stale.path("ok").asBoolean()).isFalse();
        assertThat(stale.path("error").asText()).contains("pod 2").contains("earlier replica set membership")
                .contains("Delete its claim");
        assertThat(hosts(stale.path("config"))).containsExactly(host(0), host(1));

        // Pod 0 in no set while another pod is (pod 0 lost its claim): no new set is initiated beside the old one.
        var lost = run(dir, three, null, java.util.Map.of(0, "fresh", 1, "stale", 2, "fresh"));
        assertThat(lost.path("ok").asBoolean()).isFalse();
        assertThat(lost.path("error").asText()).contains("not initiating");
        assertThat(lost.path("config").isNull()).isTrue();
        assertThat(lost.path("commands").toString()).doesNotContain("replSetInitiate");
    }
}
