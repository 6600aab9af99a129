package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.RequestCounter;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.plan.Planner;
import dev.dbstack.testing.TestProject;
import dev.dbstack.testing.TwoClusters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack whose apps spread over two clusters: two embedded sandboxes ({@code sandbox} and {@code sandbox:east}) in
 * process, and two kubeconfig contexts pointing at two sandbox HTTP servers (in a child process, which is given the
 * passphrase a stack on a context needs), one of them stopped.
 */
class SeveralClustersUpTest {
    static final String TWO_SANDBOXES = TwoClusters.SANDBOXES;
    static final String TWO_CONTEXTS = TwoClusters.CONTEXTS;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-C", dir.toString(), "--stack", TestProject.STACK));
        return CliTest.run(all.toArray(String[]::new));
    }

    @Test
    void upCreatesEachAppInItsOwnSandboxAndASecondUpChangesNothing(@TempDir Path dir) {
        TestProject.create(dir, TWO_SANDBOXES);
        CliTest.Result preview = run(dir, "preview");
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("app alpha").contains("cluster group west -> sandbox").contains("app beta")
                .contains("cluster group east -> sandbox:east");
        CliTest.Result up = run(dir, "up", "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.err()).contains("(.dbstack/sandbox)").contains("(.dbstack/sandbox-east)");
        try (Sandbox west = Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
             Sandbox east = Sandbox.start(dir.resolve(".dbstack/sandbox-east"), true)) {
            assertOnlyIn(west.client(), east.client(), "alpha");
            assertOnlyIn(east.client(), west.client(), "beta");
        }
        CliTest.Result again = run(dir, "up", "--yes");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("No changes");
    }

    private static void assertOnlyIn(KubernetesClient home, KubernetesClient other, String app) {
        assertThat(home.apps().statefulSets().inNamespace(app).withName("queue").get()).as(app + " at home").isNotNull();
        assertThat(home.apps().deployments().inNamespace(app).withName("worker").get()).as(app + " at home").isNotNull();
        assertThat(other.namespaces().withName(app).get()).as(app + " elsewhere").isNull();
        assertThat(other.apps().statefulSets().inNamespace(app).list().getItems()).as(app + " elsewhere").isEmpty();
    }

    /** Each cluster is read once per kind its own app renders, plus its claims and StorageClasses: no GET, no write. */
    @Test
    void previewReadsEachClusterOncePerKind(@TempDir Path dir) {
        TestProject.create(dir, TWO_SANDBOXES);
        assertThat(run(dir, "up", "--yes").exit()).isZero();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Engine engine = Engine.open(LoadedStack.load(dir, TestProject.STACK), null, quiet)) {
            assertThat(engine.preview(Planner.Options.NONE).plan().isEmpty()).isTrue();
            assertThat(engine.clusterNames()).containsExactly("sandbox", "sandbox:east");
            for (String[] c : List.of(new String[] {"sandbox", "alpha"}, new String[] {"sandbox:east", "beta"})) {
                RequestCounter.Counts counts = engine.requests(c[0]);
                Set<String> kinds = new TreeSet<>();
                for (HasMetadata o : engine.stack().renderWithheld().allObjects()) {
                    String ns = o.getMetadata().getNamespace() != null ? o.getMetadata().getNamespace() : o.getMetadata().getName();
                    if (ns.equals(c[1]) && !o.getKind().equals("PersistentVolumeClaim")) kinds.add(o.getApiVersion() + "/" + o.getKind());
                }
                assertThat(counts.lists()).as(c[0] + ": " + counts.byKey()).isEqualTo(kinds.size() + 2L);
                assertThat(counts.of(RequestCounter.Type.LIST, "persistentvolumeclaims")).isEqualTo(1);
                assertThat(counts.of(RequestCounter.Type.LIST, "storageclasses")).isEqualTo(1);
                assertThat(counts.reads()).as(c[0]).isEqualTo(counts.lists());
                assertThat(counts.writes()).as(c[0]).isZero();
            }
            assertThat(engine.requests().lists()).isEqualTo(engine.requests("sandbox").lists() + engine.requests("sandbox:east").lists());
            assertThat(engine.verboseLines()).anyMatch(l -> l.startsWith("sandbox: API: "))
                    .anyMatch(l -> l.startsWith("sandbox:east: API: "));
        }
    }

    /** State remembers each app's cluster: an app removed from the stack is deleted where it lives; one moved is refused. */
    @Test
    void aRemovedAppIsDeletedOnItsOwnClusterAndAMovedOneIsRefused(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, TWO_SANDBOXES);
        assertThat(run(dir, "up", "--yes").exit()).isZero();

        project.edit(TestProject.STACK, "{name: alpha, profile: jobs, clusterGroup: west}", "{name: alpha, profile: jobs, clusterGroup: east}");
        CliTest.Result moved = run(dir, "preview");
        assertThat(moved.exit()).as(moved.err()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(moved.err()).contains("config.dbstack:apps[alpha].clusterGroup: app 'alpha' is applied on cluster 'sandbox'")
                .contains("now names cluster 'sandbox:east'").doesNotContain("Exception");

        project.edit(TestProject.STACK, "    - {name: alpha, profile: jobs, clusterGroup: east}\n", "");
        CliTest.Result removed = run(dir, "up", "--yes");
        assertThat(removed.exit()).as(removed.out() + removed.err()).isZero();
        assertThat(removed.out()).contains("- delete").contains("alpha");
        try (Sandbox west = Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
             Sandbox east = Sandbox.start(dir.resolve(".dbstack/sandbox-east"), true)) {
            assertThat(west.client().apps().deployments().inNamespace("alpha").withName("worker").get()).as("deleted where it was").isNull();
            assertThat(east.client().apps().deployments().inNamespace("beta").withName("worker").get()).isNotNull();
        }
        assertThat(run(dir, "up", "--yes").out()).contains("No changes");

        CliTest.Result destroy = run(dir, "destroy", "--yes");
        assertThat(destroy.exit()).as(destroy.out() + destroy.err()).isZero();
        try (Sandbox east = Sandbox.start(dir.resolve(".dbstack/sandbox-east"), true)) {
            assertThat(east.client().apps().deployments().inNamespace("beta").withName("worker").get()).isNull();
        }
    }

    @Test
    void aSandboxNameThatIsNotADnsLabelIsRefusedWithItsLine(@TempDir Path dir) {
        TestProject.create(dir, TWO_SANDBOXES.replace("sandbox:east", "sandbox:East_1"));
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("Pulumi.test.yaml:4: config.dbstack:clusterGroups[east].cluster")
                .contains("sandbox:<name>").doesNotContain("Exception");
    }

    @Test
    void oneNamespaceOnTwoClustersIsRefusedSayingWhy(@TempDir Path dir) {
        TestProject.create(dir, TWO_SANDBOXES.replace("clusterGroup: east}", "clusterGroup: east, virtualCluster: alpha}"));
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("virtualCluster").contains("namespace 'alpha' is already app 'alpha''s")
                .contains("unique in the whole stack");
    }

    // ---- two kubeconfig contexts, one of them stopped -----------------------------------------------

    private static Path kubeconfig(Path file, Sandbox west, Sandbox east) throws Exception {
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - {name: w, cluster: {server: "%s"}}
                  - {name: e, cluster: {server: "%s"}}
                contexts:
                  - {name: west, context: {cluster: w, user: u}}
                  - {name: east, context: {cluster: e, user: u}}
                users: [{name: u, user: {token: t}}]
                current-context: west
                """.formatted(url(west), url(east)));
    }

    private static String url(Sandbox s) {
        return s == null ? "http://127.0.0.1:1" : s.client().getMasterUrl().toString();
    }

    /** The CLI in a child process: the passphrase a stack on contexts needs, and no retry of a refused connection. */
    private static CliTest.Result child(Path project, Path kubeconfig, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkubernetes.request.retry.backoffLimit=0", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("-C", project.toString(), "--stack", TestProject.STACK));
        Path err = project.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("DBSTACK_CONFIG_PASSPHRASE", "two clusters");
        pb.environment().remove("PULUMI_CONFIG_PASSPHRASE");
        pb.environment().remove("DBSTACK_BACKEND_URL");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("a bounded run").isTrue();
        return new CliTest.Result(p.exitValue(), out, Files.readString(err));
    }

    private static boolean applied(Sandbox s, String app) {
        return s.client().apps().statefulSets().inNamespace(app).withName("queue").get() != null;
    }

    @Test
    void oneUnreachableContextFailsItsAppsAndNotTheOthers(@TempDir Path dir) throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        TestProject.create(project, TWO_CONTEXTS);
        Path config = dir.resolve("kubeconfig");
        Sandbox west = Sandbox.start(dir.resolve("west"));
        Sandbox east = Sandbox.start(dir.resolve("east"));
        try {
            // Both up: each app on its own cluster.
            kubeconfig(config, west, east);
            CliTest.Result up = child(project, config, "up", "--yes");
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
            assertThat(applied(west, "alpha")).isTrue();
            assertThat(applied(east, "beta")).isTrue();
            assertThat(west.client().namespaces().withName("beta").get()).isNull();

            // A plan saved while both answer is not applied while one does not: nothing of it, and it stays unspent.
            Path plan = dir.resolve("both.json");
            Files.writeString(project.resolve("stacks/Pulumi.test.yaml"), Files.readString(project.resolve("stacks/Pulumi.test.yaml"))
                    .replace("worker:2.0.0", "worker:2.0.1"));
            CliTest.Result previewed = child(project, config, "preview", "--out", plan.toString());
            assertThat(previewed.exit()).as(previewed.err()).isZero();
            east.close();
            kubeconfig(config, west, null);
            CliTest.Result partial = child(project, config, "up", plan.toString(), "--yes");
            assertThat(partial.exit()).as(partial.out() + partial.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(partial.err()).contains("cluster 'east' (context east) is unreachable").contains("Nothing of " + plan)
                    .doesNotContain("internal error");
            assertThat(west.client().apps().deployments().inNamespace("alpha").withName("worker").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/acme/worker:2.0.0");
            east = Sandbox.start(dir.resolve("east"));
            kubeconfig(config, west, east);
            CliTest.Result whole = child(project, config, "up", plan.toString(), "--yes");
            assertThat(whole.exit()).as(whole.out() + whole.err()).isZero();

            // East stops. A change to both apps: west's is applied, east's apps fail, nothing of east is forgotten.
            east.close();
            east = null;
            kubeconfig(config, west, null);
            Files.writeString(project.resolve("stacks/Pulumi.test.yaml"), TWO_CONTEXTS.replace("worker:2.0.0", "worker:2.1.0"));
            CliTest.Result down = child(project, config, "up", "--yes");
            assertThat(down.exit()).as(down.out() + down.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(down.err()).contains("error: cluster 'east' (context east) is unreachable: ")
                    .contains("app beta was not planned").doesNotContain("internal error").doesNotContain("\tat ");
            assertThat(down.out()).contains("alpha").doesNotContain("- delete");
            assertThat(west.client().apps().deployments().inNamespace("alpha").withName("worker").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/acme/worker:2.1.0");
            assertThat(Files.readString(project.resolve(".dbstack/stacks/test/state.json"))).contains("beta");

            // Refresh with east down forgets nothing of it.
            CliTest.Result refresh = child(project, config, "refresh");
            assertThat(refresh.exit()).as(refresh.out() + refresh.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(refresh.out()).contains("0 gone").doesNotContain("- gone");
            assertThat(refresh.err()).contains("cluster 'east' (context east) is unreachable");

            // A plan made while east is down is not saved as if it were whole.
            CliTest.Result saved = child(project, config, "preview", "--out", dir.resolve("plan.json").toString());
            assertThat(saved.exit()).as(saved.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(saved.err()).contains("the plan was not saved").doesNotContain("internal error");
            assertThat(dir.resolve("plan.json")).doesNotExist();

            // East is back: west has nothing to do, east converges to the change.
            east = Sandbox.start(dir.resolve("east"));
            assertThat(applied(east, "beta")).as("east kept its objects").isTrue();
            kubeconfig(config, west, east);
            CliTest.Result back = child(project, config, "up", "--yes");
            assertThat(back.exit()).as(back.out() + back.err()).isZero();
            assertThat(back.out()).contains("beta").doesNotContain("app alpha");
            assertThat(east.client().apps().deployments().inNamespace("beta").withName("worker").get().getSpec().getTemplate()
                    .getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/acme/worker:2.1.0");
            assertThat(child(project, config, "up", "--yes").out()).contains("No changes");

            // Destroy with west down: east's apps go, west's stay recorded and in place.
            west.close();
            west = null;
            kubeconfig(config, null, east);
            CliTest.Result destroy = child(project, config, "destroy", "--yes");
            assertThat(destroy.exit()).as(destroy.out() + destroy.err()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(destroy.err()).contains("cluster 'west' (context west) is unreachable").contains("app alpha was not planned");
            assertThat(east.client().apps().statefulSets().inNamespace("beta").withName("queue").get()).isNull();
            west = Sandbox.start(dir.resolve("west"));
            assertThat(applied(west, "alpha")).isTrue();
            kubeconfig(config, west, east);
            CliTest.Result rest = child(project, config, "destroy", "--yes");
            assertThat(rest.exit()).as(rest.out() + rest.err()).isZero();
            assertThat(west.client().apps().statefulSets().inNamespace("alpha").withName("queue").get()).isNull();
        } finally {
            if (west != null) west.close();
            if (east != null) east.close();
        }
    }

    @Test
    void aContextMissingFromTheKubeconfigIsBadInputNamingItsGroup(@TempDir Path dir) throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        TestProject.create(project, TWO_CONTEXTS.replace("cluster: east}", "cluster: north}"));
        Path config = kubeconfig(dir.resolve("kubeconfig"), null, null);
        CliTest.Result r = child(project, config, "up", "--yes");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("Pulumi.test.yaml:4: config.dbstack:clusterGroups[east].cluster: kubeconfig has no context"
                + " 'north'").doesNotContain("Exception");
        assertThat(project.resolve(".dbstack/stacks/test/state.json")).doesNotExist();
    }
}
