package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's own API server: what a real one does for LISTs, watches, patches and writes, through the real client. */
class SandboxApiServerTest {
    private static ConfigMap map(String namespace, String name, Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .addToData("k", name).build();
    }

    private static void namespaces(KubernetesClient client, String... names) {
        for (String n : names) client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(n).endMetadata().build()).create();
    }

    private static List<String> names(List<ConfigMap> maps) {
        return maps.stream().map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName()).toList();
    }

    @Test
    void listsAcrossNamespacesSelectByLabelAndKeepANamespaceToItself() {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            namespaces(client, "a", "a-b", "b");
            client.resource(map("a", "one", Map.of("stack", "dev", "tier", "db"))).create();
            client.resource(map("a-b", "two", Map.of("stack", "dev"))).create();
            client.resource(map("b", "three", Map.of("stack", "prod", "tier", "db"))).create();
            client.resource(map("b", "four", Map.of())).create();

            assertThat(names(client.configMaps().inAnyNamespace().withLabel("stack", "dev").list().getItems()))
                    .containsExactlyInAnyOrder("a/one", "a-b/two");
            assertThat(names(client.configMaps().inNamespace("a").list().getItems())).as("a, not a-b").containsExactly("a/one");
            assertThat(names(client.configMaps().inAnyNamespace().withLabel("tier").list().getItems())).containsExactlyInAnyOrder("a/one", "b/three");
            assertThat(names(client.configMaps().inAnyNamespace().withoutLabel("stack").list().getItems())).containsExactly("b/four");
            assertThat(names(client.configMaps().inAnyNamespace().withLabelIn("stack", "dev", "prod").withLabelNotIn("tier", "db")
                    .list().getItems())).containsExactly("a-b/two");
            assertThat(names(client.configMaps().inAnyNamespace().withLabelSelector("stack!=dev").list().getItems()))
                    .containsExactlyInAnyOrder("b/four", "b/three");
            assertThat(names(client.configMaps().inAnyNamespace().withField("metadata.name", "three").list().getItems()))
                    .containsExactly("b/three");
            assertThat(sandbox.readRequests()).as("one request per LIST").isEqualTo(7);
        }
    }

    @Test
    void aWriteThatChangesNothingKeepsTheVersionAndIsNotJournalled(@TempDir Path dir) throws IOException {
        try (Sandbox sandbox = Sandbox.start(dir)) {
            KubernetesClient client = sandbox.client();
            namespaces(client, "a");
            ConfigMap created = client.resource(map("a", "one", Map.of("x", "1"))).create();
            long journal = Files.size(dir.resolve("journal.jsonl"));
            ConfigMap same = client.resource(new ConfigMapBuilder(created).editMetadata().withResourceVersion(null).endMetadata().build()).update();
            assertThat(same.getMetadata().getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
            assertThat(Files.size(dir.resolve("journal.jsonl"))).isEqualTo(journal);
            ConfigMap changed = client.configMaps().inNamespace("a").withName("one").edit(m -> new ConfigMapBuilder(m).addToData("k2", "v").build());
            assertThat(Long.parseLong(changed.getMetadata().getResourceVersion()))
                    .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
            assertThat(Files.size(dir.resolve("journal.jsonl"))).isGreaterThan(journal);
        }
    }

    /** A run that writes nothing writes nothing to the sandbox's directory either: no snapshot, no journal line. */
    @Test
    void aStartAndCloseWithoutWritesLeavesTheDirectoryAsItWas(@TempDir Path dir) throws IOException, InterruptedException {
        try (Sandbox first = Sandbox.start(dir)) {
            KubernetesClient client = first.client();
            namespaces(client, "shop");
            client.resource(SandboxGarbageCollectionTest.statefulSet("db", 2, null)).create();
            SandboxGarbageCollectionTest.awaitPods(client, "db", 2);
        }
        Map<Path, FileTime> before = files(dir);
        Thread.sleep(20); // file times have at least millisecond resolution here
        try (Sandbox again = Sandbox.start(dir)) {
            assertThat(again.client().pods().inNamespace("shop").list().getItems()).hasSize(2);
            assertThat(again.client().apps().statefulSets().inNamespace("shop").withName("db").get().getStatus().getReadyReplicas())
                    .isEqualTo(2);
        }
        assertThat(files(dir)).isEqualTo(before);
    }

    private static Map<Path, FileTime> files(Path dir) throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) files.put(p.getFileName(), Files.getLastModifiedTime(p));
        }
        return files;
    }

    @Test
    void watchesSeeTheChangesAfterTheirVersionAndOnlyWhatTheySelect() throws InterruptedException {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            namespaces(client, "a", "b");
            String version = client.resource(map("a", "before", Map.of("w", "yes"))).create().getMetadata().getResourceVersion();
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (Watch w = client.configMaps().inNamespace("a").withLabel("w", "yes").watch(
                    new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion(version).build(), new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, ConfigMap m) {
                            seen.add(action + " " + m.getMetadata().getName());
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                        }
                    })) {
                client.resource(map("b", "elsewhere", Map.of("w", "yes"))).create();
                client.resource(map("a", "unlabelled", Map.of())).create();
                client.resource(map("a", "after", Map.of("w", "yes"))).create();
                client.configMaps().inNamespace("a").withName("before").delete();
                assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED after");
                assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("DELETED before");
                assertThat(seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
            }
        }
    }

    @Test
    void patchesOfBothJsonKindsAndTheStatusSubresource() {
        try (Sandbox sandbox = Sandbox.start()) {
            KubernetesClient client = sandbox.client();
            namespaces(client, "a");
            client.resource(map("a", "m", Map.of("x", "1"))).create();
            ConfigMap edited = client.configMaps().inNamespace("a").withName("m")
                    .edit(m -> new ConfigMapBuilder(m).editMetadata().removeFromLabels("x").addToLabels("y", "2").endMetadata().build());
            assertThat(edited.getMetadata().getLabels()).isEqualTo(Map.of("y", "2"));
            var merge = io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE);
            ConfigMap merged = client.configMaps().inNamespace("a").withName("m").patch(merge, "{\"data\":{\"k\":null,\"n\":\"v\"}}");
            assertThat(merged.getData()).isEqualTo(Map.of("n", "v"));

            KubernetesClientException missing = catchThrowableOfType(KubernetesClientException.class,
                    () -> client.configMaps().inNamespace("a").withName("none").patch(merge, "{\"data\":{}}"));
            assertThat(missing.getCode()).isEqualTo(404);
            assertThat(missing.getStatus().getMessage()).isEqualTo("configmaps \"none\" not found");

            // A write to a Deployment keeps the status its controller wrote; a write to /status changes only the status.
            client.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("d").withNamespace("a")
                    .endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "d").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "d").endMetadata().withNewSpec().addNewContainer()
                    .withName("c").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).create();
            var d = client.apps().deployments().inNamespace("a").withName("d")
                    .waitUntilCondition(x -> x.getStatus() != null && Integer.valueOf(1).equals(x.getStatus().getAvailableReplicas()),
                            10, TimeUnit.SECONDS);
            var replaced = client.apps().deployments().inNamespace("a").withName("d").patch(merge, "{\"status\":null,\"spec\":{\"replicas\":1}}");
            assertThat(replaced.getStatus().getAvailableReplicas()).isEqualTo(1);
            assertThat(replaced.getMetadata().getResourceVersion()).as("nothing changed").isEqualTo(d.getMetadata().getResourceVersion());
        }
    }
}
