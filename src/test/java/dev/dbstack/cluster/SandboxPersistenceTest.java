package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.ExampleStack;
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
            ExampleStack.objects("postgresql-1").forEach(o -> client.resource(o).create());
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
