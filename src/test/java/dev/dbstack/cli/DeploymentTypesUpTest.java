package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment types through {@code up} on the sandbox: an external database at an IP address and at a host name,
 * the connection check before anything is applied (and its skip), and the data-safety rules of switching a layer
 * between dedicated and external. Each run is a process of its own: an external layer's credentials are
 * {@code secure:} values, opened with the passphrase in the process's environment.
 */
class DeploymentTypesUpTest {
    private static final String PASSPHRASE = "deployment types up";
    private static final PassphraseCrypter CRYPTER = PassphraseCrypter.create(PASSPHRASE);

    private static String stack(String pg) {
        return """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups: [{name: g, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - %s
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1.0
                          env: {PGHOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}"}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(CRYPTER.encryptionSalt(), pg);
    }

    private static String external(String host, int port, String more) {
        return "{name: pg, type: postgresql, deployment: external, external: {host: '" + host + "', port: " + port + more
                + "}, password: {secure: " + CRYPTER.encrypt("external-secret") + "}}";
    }

    private static final String DEDICATED = "{name: pg, type: postgresql, storage: 1}";

    record Result(int exit, String out, String err) {}

    private static Result cli(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--stack", TestProject.STACK));
        if (!args[0].equals("preview") && !args[0].equals("outputs")) all.add("--yes");
        CliProcess r = CliProcess.run(dir, PASSPHRASE, all.toArray(String[]::new));
        return new Result(r.exit(), r.out(), r.err());
    }

    private static void inSandbox(Path dir, Consumer<KubernetesClient> look) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            look.accept(s.client());
        }
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void externalAtAnIpAddressIsAServiceAndEndpointSliceWithTheSameNameAndOutputs(@TempDir Path dir) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            TestProject.create(dir, stack(external("127.0.0.1", server.getLocalPort(), "")));
            Result up = cli(dir, "up");
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
            assertThat(up.out()).contains("pg  (postgresql 17, external 127.0.0.1:" + server.getLocalPort() + ")")
                    .contains("+ create Service a/pg").contains("+ create EndpointSlice a/pg-external")
                    .doesNotContain("StatefulSet").doesNotContain("external-secret");
            inSandbox(dir, k -> {
                Service svc = k.services().inNamespace("a").withName("pg").get();
                assertThat(svc.getSpec().getSelector()).isNullOrEmpty();
                EndpointSlice slice = k.discovery().v1().endpointSlices().inNamespace("a").withName("pg-external").get();
                assertThat(slice.getAddressType()).isEqualTo("IPv4");
                assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "pg");
                assertThat(slice.getEndpoints().get(0).getAddresses()).containsExactly("127.0.0.1");
                assertThat(k.apps().statefulSets().inNamespace("a").list().getItems()).isEmpty();
                assertThat(k.persistentVolumeClaims().inNamespace("a").list().getItems()).isEmpty();
                assertThat(k.network().v1().networkPolicies().inNamespace("a").list().getItems()).isEmpty();
                assertThat(k.apps().deployments().inNamespace("a").withName("api").get().getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getEnv()).anyMatch(e -> e.getName().equals("PGHOST")
                        && "pg.a.svc.cluster.local".equals(e.getValue()));
            });
            Result outputs = cli(dir, "outputs");
            assertThat(outputs.exit()).as(outputs.err()).isZero();
            assertThat(outputs.out()).contains("pg.a.svc.cluster.local").contains(Integer.toString(server.getLocalPort()))
                    .doesNotContain("external-secret");
            Result again = cli(dir, "preview");
            assertThat(again.out()).as(again.out() + again.err()).contains("No changes.");
        }
    }

    @Test
    void externalAtAHostNameIsAnExternalNameService(@TempDir Path dir) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            TestProject.create(dir, stack(external("localhost", server.getLocalPort(), "")));
            Result up = cli(dir, "up");
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
            inSandbox(dir, k -> {
                Service svc = k.services().inNamespace("a").withName("pg").get();
                assertThat(svc.getSpec().getType()).isEqualTo("ExternalName");
                assertThat(svc.getSpec().getExternalName()).isEqualTo("localhost");
                assertThat(k.discovery().v1().endpointSlices().inNamespace("a").list().getItems()).isEmpty();
            });
            Result outputs = cli(dir, "outputs");
            assertThat(outputs.out()).contains("pg.a.svc.cluster.local");
        }
    }

    @Test
    void anUnreachableExternalDatabaseFailsTheRunBeforeAnythingIsApplied(@TempDir Path dir) throws Exception {
        int port = closedPort();
        TestProject.create(dir, stack(external("127.0.0.1", port, "")));
        for (String command : List.of("preview", "up")) {
            Result r = cli(dir, command);
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.err()).contains("app a, layer pg: cannot connect to external database 127.0.0.1:" + port)
                    .contains("nothing was applied").contains("check: false").doesNotContain("Exception");
        }
        inSandbox(dir, k -> {
            assertThat(k.namespaces().withName("a").get()).isNull();
            assertThat(k.services().inAnyNamespace().list().getItems()).noneMatch(s -> "a".equals(s.getMetadata().getNamespace()));
        });
    }

    @Test
    void aSavedPlanIsCheckedAgainWhenItIsApplied(@TempDir Path dir) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            TestProject.create(dir, stack(external("127.0.0.1", server.getLocalPort(), "")));
            Result saved = cli(dir, "preview", "--out", dir.resolve("plan.json").toString());
            assertThat(saved.exit()).as(saved.out() + saved.err()).isZero();
            server.close();
            Result up = cli(dir, "up", dir.resolve("plan.json").toString());
            assertThat(up.exit()).as(up.out() + up.err()).isEqualTo(1);
            assertThat(up.err()).contains("layer pg: cannot connect to external database 127.0.0.1:" + server.getLocalPort())
                    .contains("nothing was applied");
        }
        inSandbox(dir, k -> assertThat(k.namespaces().withName("a").get()).isNull());
    }

    @Test
    void checkFalseSkipsTheConnectionCheck(@TempDir Path dir) throws Exception {
        TestProject.create(dir, stack(external("127.0.0.1", closedPort(), ", check: false")));
        Result up = cli(dir, "up");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        inSandbox(dir, k -> assertThat(k.services().inNamespace("a").withName("pg").get()).isNotNull());
    }

    @Test
    void dedicatedToExternalKeepsTheClaimsAndCredentialsUntilDeleteDataNamesThem(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, stack(DEDICATED));
        assertThat(cli(dir, "up").exit()).isZero();
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            project.edit(TestProject.STACK, DEDICATED, external("127.0.0.1", server.getLocalPort(), ""));
            Result up = cli(dir, "up");
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
            assertThat(up.out()).contains("- delete StatefulSet a/pg").contains("its data and credentials are kept")
                    .contains("update Service a/pg").contains("= keep PersistentVolumeClaim a/data-pg-0")
                    .contains("= keep Secret a/pg-credentials")
                    .doesNotContain("delete PersistentVolumeClaim").doesNotContain("delete Secret a/pg-credentials");
            inSandbox(dir, k -> {
                assertThat(k.apps().statefulSets().inNamespace("a").withName("pg").get()).isNull();
                assertThat(k.persistentVolumeClaims().inNamespace("a").withName("data-pg-0").get()).isNotNull();
                assertThat(k.secrets().inNamespace("a").withName("pg-credentials").get()).isNotNull();
                assertThat(k.services().inNamespace("a").withName("pg").get().getSpec().getSelector()).isNullOrEmpty();
            });
            Result release = cli(dir, "up", "--delete-data", "a/pg");
            assertThat(release.exit()).as(release.out() + release.err()).isZero();
            assertThat(release.out()).contains("- delete PersistentVolumeClaim a/data-pg-0").contains("- delete Secret a/pg-credentials");
            inSandbox(dir, k -> assertThat(k.persistentVolumeClaims().inNamespace("a").withName("data-pg-0").get()).isNull());
        }
    }

    @Test
    void dedicatedToAnExternalHostNameRecreatesTheServiceAsExternalName(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, stack(DEDICATED));
        assertThat(cli(dir, "up").exit()).isZero();
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            project.edit(TestProject.STACK, DEDICATED, external("localhost", server.getLocalPort(), ""));
            Result up = cli(dir, "up");
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
            assertThat(up.out()).contains("replace Service a/pg").contains("its data and credentials are kept");
            inSandbox(dir, k -> {
                assertThat(k.services().inNamespace("a").withName("pg").get().getSpec().getType()).isEqualTo("ExternalName");
                assertThat(k.persistentVolumeClaims().inNamespace("a").withName("data-pg-0").get()).isNotNull();
            });
            assertThat(cli(dir, "preview").out()).contains("No changes.");
        }
    }

    @Test
    void externalToDedicatedIsRefusedUnlessStartEmptyNamesIt(@TempDir Path dir) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String ext = external("localhost", server.getLocalPort(), "");
            TestProject project = TestProject.create(dir, stack(ext));
            assertThat(cli(dir, "up").exit()).isZero();
            project.edit(TestProject.STACK, ext, DEDICATED);
        }
        Result refused = cli(dir, "up");
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("config.dbstack:profiles[p].layers[pg].deployment")
                .contains("layer pg is an external database (localhost) now").contains("--start-empty a/pg");
        inSandbox(dir, k -> assertThat(k.apps().statefulSets().inNamespace("a").withName("pg").get()).isNull());

        Result started = cli(dir, "up", "--start-empty", "a/pg");
        assertThat(started.exit()).as(started.out() + started.err()).isZero();
        // An ExternalName Service cannot be patched into one with a cluster IP on a real API server: recreated.
        assertThat(started.out()).contains("replace Service a/pg").contains("+ create StatefulSet a/pg");
        inSandbox(dir, k -> {
            assertThat(k.apps().statefulSets().inNamespace("a").withName("pg").get()).isNotNull();
            assertThat(k.services().inNamespace("a").withName("pg").get().getSpec().getSelector()).isNotEmpty();
            assertThat(k.discovery().v1().endpointSlices().inNamespace("a").list().getItems()).isEmpty();
        });
    }

    @Test
    void dedicatedToLocalChangesOnlyThePodTemplate(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, stack(DEDICATED));
        assertThat(cli(dir, "up").exit()).isZero();
        project.edit(TestProject.STACK, DEDICATED, "{name: pg, type: postgresql, storage: 1, deployment: local}");
        Result preview = cli(dir, "preview");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("pg  (postgresql 17, 1Gi, local)").contains("~ update StatefulSet a/pg").doesNotContain("replace StatefulSet")
                .doesNotContain("PersistentVolumeClaim").contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
    }
}
