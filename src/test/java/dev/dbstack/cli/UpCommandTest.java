package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.CatalogLayers;
import dev.dbstack.testing.ShopStack;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dbstack up` on the shop fixture ({@link ShopStack}), against its embedded sandbox, through the real client. */
class UpCommandTest {
    private static CliTest.Result up(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of("-v", "up", "-C", dir.toString(), "--stack", "dev", "--yes"));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    private static CliTest.Result preview(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of("-v", "preview", "-C", dir.toString(), "--stack", "dev"));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    /** Looks at the sandbox cluster the runs left behind, without changing it. */
    private static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    @Test
    void upDeploysThenASecondUpSendsNoWrites(@TempDir Path dir) throws Exception {
        ShopStack.project(dir);
        CliTest.Result first = up(dir);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("Plan: " + ShopStack.count(null) + " to create")
                .contains("Applied: " + ShopStack.render().services().size() + " services succeeded, 0 failed, 0 skipped.")
                .contains("POSTGRESMSTR_SVC = postgresql-1.shop.svc.cluster.local").contains("PASSWORD = [secret]");
        assertThat(first.err()).contains("using the embedded sandbox cluster").contains("only obfuscated");

        CliTest.Result second = up(dir);
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("No changes. The cluster matches stack dev.");
        // Planning reads in bulk: one LIST per kind for the whole stack (Namespace, ResourceQuota, LimitRange, Secret,
        // Service, NetworkPolicy, StatefulSet, Deployment, PersistentVolumeClaim) and one of StorageClasses; nothing per object.
        assertThat(second.err()).contains("API: 10 reads (10 lists), 0 writes").contains("api requests: 10 reads, 0 writes");

        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").list().getItems()).hasSize(ShopStack.count("StatefulSet"));
            assertThat(s.client().apps().deployments().inNamespace("shop").withName("api").get()).isNotNull();
        }
        // No plaintext secret in output or state: the generated passwords are only in the cluster's Secrets.
        String password = CliTest.run("outputs", "-C", dir.toString(), "--stack", "dev", "--show-secrets").out().lines()
                .filter(l -> l.startsWith("    PASSWORD = ")).findFirst().orElseThrow().substring("    PASSWORD = ".length());
        assertThat(password).hasSize(32);
        String rendered = CliTest.run("render", "-C", dir.toString(), "--stack", "dev", "--show-secrets").out();
        assertThat(rendered).as("render gives the credentials up deployed")
                .contains(java.util.Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        assertThat(first.out() + first.err() + second.out() + second.err()).doesNotContain(password);
        try (Stream<Path> files = Files.walk(dir.resolve(".dbstack/stacks"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) assertThat(Files.readString(f)).doesNotContain(password);
        }
    }

    /**
     * Every database type of the catalog in every version family ({@link CatalogLayers}; no list of types here)
     * deploys to the sandbox and becomes ready, shows every output its catalog file declares, and is destroyed with
     * its claims kept.
     */
    @Test
    void everyTypeAndVersionFamilyDeploysShowsItsOutputsAndIsDestroyedKeepingItsClaims(@TempDir Path dir) throws Exception {
        Catalog catalog = Catalog.builtIn();
        List<CatalogLayers.Variant> variants = CatalogLayers.of(catalog);
        TestProject.create(dir, CatalogLayers.stack(catalog, 1));
        CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("Applied: " + variants.size() + " services succeeded, 0 failed, 0 skipped.");

        CliTest.Result outputs = CliTest.run("outputs", "-C", dir.toString(), "--json");
        assertThat(outputs.exit()).as(outputs.err()).isZero();
        JsonNode shown = new ObjectMapper().readTree(outputs.out()).path("every");
        for (CatalogLayers.Variant v : variants) {
            List<String> names = new ArrayList<>();
            shown.path(v.layer()).fieldNames().forEachRemaining(names::add);
            assertThat(names).as("outputs of %s", v).containsExactlyInAnyOrderElementsOf(v.component(catalog).outputNames());
        }

        List<String> claims;
        try (Sandbox s = cluster(dir)) {
            claims = s.client().persistentVolumeClaims().inNamespace("every").list().getItems().stream()
                    .map(c -> c.getMetadata().getName()).sorted().toList();
        }
        for (CatalogLayers.Variant v : variants) {
            assertThat(claims).as("claims of %s", v).anyMatch(c -> c.contains(v.layer()));
        }
        CliTest.Result destroyed = CliTest.run("destroy", "-C", dir.toString(), "--yes");
        assertThat(destroyed.exit()).as(destroyed.out() + destroyed.err()).isZero();
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("every").list().getItems()).isEmpty();
            assertThat(s.client().apps().deployments().inNamespace("every").list().getItems()).isEmpty();
            assertThat(s.client().persistentVolumeClaims().inNamespace("every").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).as("claims kept").containsExactlyInAnyOrderElementsOf(claims);
        }
    }

    @Test
    void growingStorageExpandsVolumesAndShrinkingIsRefused(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        assertThat(up(dir).exit()).isZero();
        project.edit("dev", "storage: 10           # GiB", "storage: 15           # GiB");

        CliTest.Result plan = preview(dir, "--diff");
        assertThat(plan.out()).contains("~ expand-volume StatefulSet shop/postgresql-1")
                .contains("~ spec.volumeClaimTemplates[0].spec.resources.requests.storage")
                .doesNotContain("+- replace").contains("1 volumes to expand");
        CliTest.Result grown = up(dir);
        assertThat(grown.exit()).as(grown.out() + grown.err()).isZero();
        assertThat(grown.out()).contains("grew shop/data-postgresql-1-0 to 15Gi");
        try (Sandbox s = cluster(dir)) {
            var claim = s.client().persistentVolumeClaims().inNamespace("shop").withName("data-postgresql-1-0").get();
            assertThat(claim.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("15Gi"));
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("postgresql-1").get()
                    .getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
                    .isEqualTo(new Quantity("15Gi"));
        }
        assertThat(preview(dir).out()).contains("No changes.");

        project.edit("dev", "storage: 15           # GiB", "storage: 5           # GiB");
        CliTest.Result shrink = up(dir);
        assertThat(shrink.exit()).isEqualTo(2);
        assertThat(shrink.err()).contains("error: StatefulSet shop/postgresql-1: storage cannot shrink (15Gi → 5Gi)");
        assertThat(shrink.out()).doesNotContain("expand-volume");
    }

    @Test
    void removingALayerDeletesItsObjectsButKeepsItsClaims(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        assertThat(up(dir).exit()).isZero();
        project.edit("dev", """
                        - name: redis-1
                          type: redis
                          version: "8.2"
                          storage: 2
                """, "");
        project.edit("dev", """
                            REDIS_URL: "redis://:{{.spectro.app.$appDeploymentName.redis-1.PASSWORD}}@{{.spectro.app.$appDeploymentName.redis-1.REDISMSTR_SVC}}:{{.spectro.app.$appDeploymentName.redis-1.REDISMSTR_SVC_PORT}}"
                """, "");
        CliTest.Result r = up(dir);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("- delete StatefulSet shop/redis-1").contains("its pods are deleted, its data and credentials are kept")
                .contains("= keep PersistentVolumeClaim shop/data-redis-1-0 (data)")
                .contains("= keep Secret shop/redis-1-credentials (the credentials that open the data)")
                .doesNotContain("- delete Secret shop/redis-1-credentials").contains("~ update Deployment shop/api");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("redis-1").get()).isNull();
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").withName("data-redis-1-0").get()).isNotNull();
        }
    }

    @Test
    void driftInTheClusterIsShownAndRepaired(@TempDir Path dir) {
        ShopStack.project(dir);
        assertThat(up(dir).exit()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) { // someone edits the cluster by hand
            s.client().apps().deployments().inNamespace("shop").withName("api")
                    .edit(d -> { d.getSpec().setReplicas(5); return d; });
            s.client().secrets().inNamespace("shop").withName("postgresql-1-credentials")
                    .edit(x -> { x.getData().put("PASSWORD", "aGFuZA=="); return x; });
        }
        CliTest.Result plan = preview(dir, "--diff");
        assertThat(plan.out()).contains("! drift Deployment shop/api  (changed in the cluster since the last apply; up restores it)")
                .contains("~ spec.replicas")
                // State keeps no secret values: the plan does not pretend to know who changed them.
                .contains("! drift Secret shop/postgresql-1-credentials  (its values differ from the cluster's: changed there,"
                        + " or by this configuration (state keeps no secret values to tell which); up writes them)")
                .doesNotContain("aGFuZA==");
        assertThat(up(dir).exit()).isZero();
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().deployments().inNamespace("shop").withName("api").get().getSpec().getReplicas()).isEqualTo(2);
            assertThat(s.client().secrets().inNamespace("shop").withName("postgresql-1-credentials").get().getData()
                    .get("PASSWORD")).isNotEqualTo("aGFuZA==");
        }
    }

    @Test
    void aSecondUpOnTheSameStackIsRefusedWhileTheFirstHoldsTheLock(@TempDir Path dir) throws Exception {
        ShopStack.project(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.dbstack.state.StateWriterProcess", "lock",
                dir.resolve(".dbstack/stacks/dev").toString()));
        Process holder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("locked");
            CliTest.Result refused = up(dir);
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.err()).contains("stack 'dev' is locked by pid " + holder.pid()).contains("dbstack cancel --stack dev");
            assertThat(refused.out()).isEmpty();
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void destroyKeepsClaimsUnlessTheServiceIsNamed(@TempDir Path dir) {
        ShopStack.project(dir);
        assertThat(up(dir).exit()).isZero();
        CliTest.Result destroyed = CliTest.run("destroy", "-C", dir.toString(), "--stack", "dev", "--yes");
        assertThat(destroyed.exit()).as(destroyed.err()).isZero();
        assertThat(destroyed.out()).contains("- delete StatefulSet shop/postgresql-1")
                .contains("= keep PersistentVolumeClaim shop/data-postgresql-1-0 (data)")
                .contains("--delete-data <app>/<layer>");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").list().getItems()).isEmpty();
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-postgresql-1-0", "data-redis-1-0");
        }
        CliTest.Result dropped = CliTest.run("destroy", "-C", dir.toString(), "--stack", "dev", "--yes",
                "--delete-data", "shop/redis-1");
        assertThat(dropped.out()).contains("- delete PersistentVolumeClaim shop/data-redis-1-0");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName())
                    .containsExactly("data-postgresql-1-0");
        }
    }

    @Test
    void upRefusesWithoutATerminalOrYes(@TempDir Path dir) {
        ShopStack.project(dir);
        CliTest.Result r = CliTest.run("up", "-C", dir.toString(), "--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not on a terminal, so nothing to confirm with: run again with --yes");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().namespaces().withName("shop").get()).as("nothing applied").isNull();
        }
    }

    @Test
    void cancelRemovesAStaleLock(@TempDir Path dir) throws Exception {
        ShopStack.project(dir);
        Path stackDir = dir.resolve(".dbstack/stacks/dev");
        dev.dbstack.state.StackLock.acquire(stackDir, "dev", "dbstack up --stack dev"); // never released: a dead run
        assertThat(up(dir).exit()).isEqualTo(2);
        CliTest.Result cancel = CliTest.run("cancel", "-C", dir.toString(), "--stack", "dev", "--yes");
        assertThat(cancel.out()).contains("Stack dev is locked by pid " + ProcessHandle.current().pid()).contains("Lock removed.");
        assertThat(up(dir).exit()).isZero();
    }

    /**
     * Kill -9 a real `dbstack up` after N applied steps, then run it again: it must take over the
     * dead run's lock, converge, and leave a readable state that knows every object, so a third
     * run makes no writes.
     */
    @Test
    void aKilledUpConvergesOnTheNextRun(@TempDir Path root) throws Exception {
        int objects = ShopStack.count(null);
        for (int killAfter : List.of(1, objects / 3, 2 * objects / 3, objects)) {
            Path dir = Files.createDirectories(root.resolve("kill-" + killAfter));
            ShopStack.project(dir);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "up", "-C", dir.toString(),
                    "--stack", "dev", "--yes"));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int applied = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("  + create ") && ++applied >= killAfter) break;
                }
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

            CliTest.Result again = up(dir);
            assertThat(again.exit()).as("after kill at step %d: %s %s", killAfter, again.out(), again.err()).isZero();
            CliTest.Result third = up(dir);
            assertThat(third.out()).as("after kill at step %d", killAfter).contains("No changes.");
            assertThat(third.err()).containsPattern("api requests: \\d+ reads, 0 writes");
            CliTest.Result refresh = CliTest.run("refresh", "-C", dir.toString(), "--stack", "dev");
            assertThat(refresh.out()).contains("Refreshed: " + objects + " recorded objects, 0 drifted, 0 gone.");
            try (Sandbox s = cluster(dir)) {
                assertThat(s.client().apps().statefulSets().inNamespace("shop").list().getItems()).hasSize(ShopStack.count("StatefulSet"));
                assertThat(s.client().services().inNamespace("shop").list().getItems()).hasSize(ShopStack.count("Service"));
                assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                        .hasSize(ShopStack.count("StatefulSet"));
            }
        }
    }

    @Test
    void refreshForgetsWhatIsGoneAndReportsDrift(@TempDir Path dir) {
        ShopStack.project(dir);
        assertThat(up(dir).exit()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            s.client().services().inNamespace("shop").withName("api").delete();
            s.client().apps().deployments().inNamespace("shop").withName("api").edit(d -> {
                d.getSpec().setReplicas(3);
                return d;
            });
        }
        CliTest.Result r = CliTest.run("refresh", "-C", dir.toString(), "--stack", "dev");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("- gone   Service shop/api").contains("! drift  Deployment shop/api: spec.replicas")
                .contains("Refreshed: " + ShopStack.count(null) + " recorded objects, 1 drifted, 1 gone.");
        assertThat(preview(dir).out()).contains("+ create Service shop/api").contains("! drift Deployment shop/api");
    }
}
