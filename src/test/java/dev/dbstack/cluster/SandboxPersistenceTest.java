package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.ShopStack;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Successive runs see the same sandbox cluster, and a killed run loses nothing the API acknowledged. */
class SandboxPersistenceTest {
    @Test
    void objectsSurviveARestart(@TempDir Path dir) {
        StatefulSet before;
        String podUid;
        try (Sandbox first = Sandbox.start(dir)) {
            var client = first.client();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            ShopStack.objects("postgresql-1").forEach(o -> client.resource(o).create());
            StatefulSet ready = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").waitUntilCondition(
                    s -> s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getReadyReplicas()), 10, TimeUnit.SECONDS);
            before = ready;
            podUid = client.pods().inNamespace("shop").withName("postgresql-1-0").waitUntilCondition(p -> p != null
                    && p.getMetadata().getOwnerReferences() != null && !p.getMetadata().getOwnerReferences().isEmpty(),
                    5, TimeUnit.SECONDS).getMetadata().getUid();
        }
        try (Sandbox second = Sandbox.start(dir)) {
            var client = second.client();
            StatefulSet sts = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get();
            assertThat(sts).isNotNull();
            assertThat(sts.getSpec()).isEqualTo(before.getSpec());
            // The same objects, not look-alikes: ownerReferences name uids, and the garbage collector compares them.
            assertThat(sts.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
            var pod = client.pods().inNamespace("shop").withName("postgresql-1-0").get();
            assertThat(pod).isNotNull();
            assertThat(pod.getMetadata().getUid()).isEqualTo(podUid);
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(before.getMetadata().getUid()));
            assertThat(client.secrets().inNamespace("shop").withName("postgresql-1-credentials").get().getData()).containsKey("PASSWORD");
            assertThat(client.persistentVolumeClaims().inNamespace("shop").withName("data-postgresql-1-0").get()).isNotNull();
            assertThat(client.storage().v1().storageClasses().list().getItems()).hasSize(1);
            assertThat(second.writeRequests()).as("restoring is not the user's writes").isZero();
        }
    }

    @Test
    void resourceVersionsSurviveARestartAndNewOnesAreHigher(@TempDir Path dir) {
        String version;
        try (Sandbox first = Sandbox.start(dir)) {
            var client = first.client();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("k").endMetadata().build()).create();
            for (int i = 0; i < 5; i++) {
                client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("cm-" + i)
                        .withNamespace("k").endMetadata().build()).create();
            }
            version = client.configMaps().inNamespace("k").withName("cm-2").get().getMetadata().getResourceVersion();
        }
        try (Sandbox again = Sandbox.start(dir, true)) {
            assertThat(again.client().configMaps().inNamespace("k").withName("cm-2").get().getMetadata().getResourceVersion())
                    .as("a version read before the restart names the same object after it").isEqualTo(version);
        }
        try (Sandbox second = Sandbox.start(dir)) {
            var client = second.client();
            assertThat(client.configMaps().inNamespace("k").withName("cm-2").get().getMetadata().getResourceVersion()).isEqualTo(version);
            long highest = client.configMaps().inNamespace("k").list().getItems().stream()
                    .mapToLong(c -> Long.parseLong(c.getMetadata().getResourceVersion())).max().orElseThrow();
            String changed = client.configMaps().inNamespace("k").withName("cm-0").edit(c -> new io.fabric8.kubernetes.api.model
                    .ConfigMapBuilder(c).addToData("x", "y").build()).getMetadata().getResourceVersion();
            assertThat(Long.parseLong(changed)).as("never a version issued before").isGreaterThan(highest);
        }
    }

    @Test
    void aKilledProcessLosesNoAcknowledgedWrite(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SandboxProcess.class.getName(), dir.toString(), "1000"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int acked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acked < 25) acked = Integer.parseInt(line.substring(4));
        }
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        try (Sandbox after = Sandbox.start(dir)) {
            int kept = after.client().configMaps().inNamespace("k").list().getItems().size();
            assertThat(kept).isGreaterThanOrEqualTo(acked + 1);
            for (int i = 0; i <= acked; i++) assertThat(after.client().configMaps().inNamespace("k").withName("cm-" + i).get()).isNotNull();
        }
    }
}
