package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changes a user makes to a stack file that touch a database's data, end to end: `up` on the
 * sandbox through the real client, each change refused before anything is written or carried out
 * without losing, hiding or handing over data.
 */
class DataSafetyUpTest {
    private static final String STACK = "dev";

    private static String stackFile(String layers, String apps) {
        return """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                    - name: shop
                      layers:
                %s
                  dbstack:apps:
                %s
                """.formatted(layers.stripTrailing(), apps.stripTrailing());
    }

    private static final String PG = "        - {name: pg, type: postgresql, version: \"17\", storage: 1}\n";
    private static final String CACHE = "        - {name: cache, type: redis, version: \"8.2\", storage: 1}\n";
    private static final String API = """
                    - name: api
                      type: container
                      image: nginx:1.27
                      env:
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.pg.PASSWORD}}"
                        REDIS: "{{.spectro.app.$appDeploymentName.%s.REDISMSTR_SVC}}"
            """;
    private static final String ONE_APP = "    - {name: shop, profile: shop}\n";
    private static final String TWO_APPS = ONE_APP + "    - {name: outlet, profile: shop}\n";

    private static TestProject project(Path dir, String stackYaml) {
        return TestProject.create(dir, STACK, stackYaml);
    }

    /** A new stack file that keeps the encryptionsalt the first `up` added, as an edit in place would. */
    private static void rewrite(Path dir, String stackYaml) throws java.io.IOException {
        Path file = dir.resolve("stacks/Pulumi." + STACK + ".yaml");
        String salt = java.nio.file.Files.readAllLines(file).stream().filter(l -> l.startsWith("encryptionsalt:"))
                .findFirst().orElseThrow();
        java.nio.file.Files.writeString(file, stackYaml + salt + "\n");
    }

    private static CliTest.Result up(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of("-v", "up", "-C", dir.toString(), "--stack", STACK, "--yes"));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    private static CliTest.Result upOk(Path dir, String... extra) {
        CliTest.Result r = up(dir, extra);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    private static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    /** {@code app/layer} → the password `outputs --show-secrets` prints. */
    private static Map<String, String> passwords(Path dir) {
        Map<String, String> out = new TreeMap<>();
        String app = null;
        String layer = null;
        for (String line : CliTest.run("outputs", "-C", dir.toString(), "--stack", STACK, "--show-secrets").out().lines().toList()) {
            if (line.startsWith("  ") && !line.startsWith("    ")) {
                String id = line.trim();
                app = id.substring(0, id.indexOf('/'));
                layer = id.substring(id.indexOf('/') + 1);
            } else if (line.startsWith("    PASSWORD = ") || line.startsWith("    ROOT_PASSWORD = ")) {
                out.put(app + "/" + layer, line.substring(line.indexOf('=') + 2));
            }
        }
        return out;
    }

    private static String uid(HasMetadata o) {
        return o == null ? null : o.getMetadata().getUid();
    }

    /** Every pod has an owner that exists, as after a real garbage collection (which the sandbox finishes after a restart). */
    private static void assertNoPodWithoutAnOwner(Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> orphans;
        do {
            try (Sandbox s = cluster(dir)) {
                Set<String> owners = s.client().apps().statefulSets().inAnyNamespace().list().getItems().stream()
                        .map(DataSafetyUpTest::uid).collect(Collectors.toSet());
                orphans = new ArrayList<>();
                for (Pod p : s.client().pods().inAnyNamespace().list().getItems()) {
                    List<OwnerReference> refs = p.getMetadata().getOwnerReferences();
                    if (refs == null || refs.isEmpty() || refs.stream().noneMatch(r -> owners.contains(r.getUid()))) {
                        orphans.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
                    }
                }
            }
            if (orphans.isEmpty()) return;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertThat(orphans).as("pods without an owner").isEmpty();
    }

    @Test
    void aMajorUpgradeADowngradeAndATypeChangeAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        TestProject p = project(dir, stackFile(PG + CACHE, ONE_APP));
        upOk(dir);
        String before;
        try (Sandbox s = cluster(dir)) {
            before = s.client().apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getResourceVersion();
        }
        for (String[] change : List.of(
                new String[] {"version: \"17\"", "version: \"18\"", "PostgreSQL 17 → 18 is refused: PostgreSQL does not upgrade"
                        + " its data from 17 to 18 in place"},
                new String[] {"version: \"17\"", "version: \"16\"", "PostgreSQL 17 → 16 is refused: a downgrade"},
                new String[] {"type: postgresql, version: \"17\"", "type: mysql, version: \"8.4\"", "StatefulSet shop/pg holds"
                        + " PostgreSQL data; changing layer pg to type mysql would hand it to MySQL"})) {
            p.edit(STACK, change[0], change[1]);
            CliTest.Result refused = up(dir);
            assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(2);
            assertThat(refused.err()).contains("error: stacks/Pulumi.dev.yaml:7: config.dbstack:profiles[shop].layers[pg].")
                    .contains(change[2]).doesNotContain("Exception");
            assertThat(refused.out()).as("nothing applied").doesNotContain("+ create").doesNotContain("Applied:");
            p.edit(STACK, change[1], change[0]);
        }
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getResourceVersion())
                    .as("the StatefulSet was not touched").isEqualTo(before);
        }
        assertThat(up(dir).out()).contains("No changes.");
    }

    @Test
    void aMajorUpgradeTheServerDoesOnlyUnderAConditionNeedsTheLayerNamed(@TempDir Path dir) {
        TestProject p = project(dir, stackFile("        - {name: docs, type: mongodb, version: \"7.0\", storage: 1}\n", ONE_APP));
        upOk(dir);
        p.edit(STACK, "\"7.0\"", "\"8.0\"");
        CliTest.Result refused = CliTest.run("preview", "-C", dir.toString(), "--stack", STACK);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("MongoDB 7.0 → 8.0: the server upgrades its data files on start only when its"
                + " featureCompatibilityVersion is 7.0").contains("To make this change, name the layer: --allow-major-upgrade shop/docs");
        CliTest.Result upgraded = upOk(dir, "--allow-major-upgrade", "shop/docs");
        assertThat(upgraded.out()).contains("~ update StatefulSet shop/docs  (configuration changed; MongoDB 7.0 → 8.0 (allowed by"
                + " --allow-major-upgrade)").contains("afterwards once 8.0 runs well, db.adminCommand({setFeatureCompatibilityVersion: \"8.0\"");
        CliTest.Result wrongName = up(dir, "--allow-major-upgrade", "shop/mongo");
        assertThat(wrongName.exit()).isEqualTo(2);
        assertThat(wrongName.err()).contains("--allow-major-upgrade: 'shop/mongo' names no layer of this stack (layers: shop/docs)");
    }

    @Test
    void aRenamedLayerKeepsItsStatefulSetClaimsAndCredentials(@TempDir Path dir) throws Exception {
        TestProject p = project(dir, stackFile(PG + CACHE + API.formatted("cache"), ONE_APP));
        upOk(dir);
        String password = passwords(dir).get("shop/cache");

        p.edit(STACK, "{name: cache, type: redis", "{name: sessions, type: redis");
        p.edit(STACK, ".cache.REDISMSTR_SVC", ".sessions.REDISMSTR_SVC");
        CliTest.Result refused = up(dir);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("layer sessions would start an empty redis database while the data of StatefulSet"
                + " shop/cache (layer shop/cache) stays behind in PersistentVolumeClaim shop/data-cache-0")
                .contains("add `renamedFrom: cache`").contains("--start-empty shop/sessions");

        p.edit(STACK, "{name: sessions, type: redis,", "{name: sessions, renamedFrom: cache, type: redis,");
        CliTest.Result renamed = upOk(dir);
        assertThat(renamed.out()).contains("+ create Service shop/sessions").contains("- delete Service shop/cache ")
                .as("the workload is not touched").doesNotContain("StatefulSet").contains("REDISMSTR_SVC = sessions.shop.svc.cluster.local");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("cache").get()).isNotNull();
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("sessions").get()).isNull();
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-pg-0", "data-cache-0");
            assertThat(s.client().services().inNamespace("shop").withName("sessions").get().getSpec().getSelector())
                    .containsEntry("dbstack.dev/layer", "cache");
            assertThat(s.client().services().inNamespace("shop").withName("cache").get()).isNull();
        }
        assertThat(passwords(dir)).containsEntry("shop/sessions", password);
        assertThat(up(dir).out()).contains("No changes.");
        assertNoPodWithoutAnOwner(dir);
    }

    @Test
    void removedLayersAndAppsKeepTheirDataAndLeaveNoPodWithoutAnOwnerAndComeBackToIt(@TempDir Path dir) throws Exception {
        String full = stackFile(PG + CACHE + API.formatted("cache"), TWO_APPS);
        TestProject p = project(dir, full);
        upOk(dir);
        Map<String, String> passwords = passwords(dir);
        assertThat(passwords).containsOnlyKeys("outlet/cache", "outlet/pg", "shop/cache", "shop/pg");

        // the cache layer goes from the profile (both apps), and app outlet goes altogether
        rewrite(dir, stackFile(PG + API.formatted("cache").replace("        REDIS: \"{{.spectro.app.$appDeploymentName.cache"
                + ".REDISMSTR_SVC}}\"\n", ""), ONE_APP));
        CliTest.Result removed = upOk(dir);
        assertThat(removed.out()).contains("- delete StatefulSet shop/cache  (no longer in the stack's configuration: its pods"
                        + " are deleted, its data and credentials are kept)")
                .contains("= keep PersistentVolumeClaim shop/data-cache-0 (data)")
                .contains("= keep Secret outlet/pg-credentials (the credentials that open the data)")
                .contains("= keep Namespace outlet  (namespaces are never deleted")
                .contains("data kept: outlet/cache, outlet/pg, shop/cache.");
        assertNoPodWithoutAnOwner(dir);
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().pods().inNamespace("outlet").list().getItems()).isEmpty();
            assertThat(s.client().pods().inNamespace("shop").withName("cache-0").get()).isNull();
            assertThat(s.client().namespaces().withName("outlet").get()).isNotNull();
            assertThat(s.client().persistentVolumeClaims().inAnyNamespace().list().getItems()).hasSize(4);
            assertThat(s.client().secrets().inNamespace("outlet").list().getItems()).extracting(x -> x.getMetadata().getName())
                    .containsExactlyInAnyOrder("pg-credentials", "cache-credentials");
        }
        assertThat(up(dir).out()).contains("No changes.");

        rewrite(dir, full);
        CliTest.Result back = upOk(dir);
        assertThat(back.out()).contains("takes over the data kept from outlet/pg (postgresql 17)");
        assertThat(passwords(dir)).as("the kept credentials open the kept data").isEqualTo(passwords);
        assertThat(up(dir).out()).contains("No changes.");
        assertNoPodWithoutAnOwner(dir);
    }

    @Test
    void credentialsAreTakenOverFromTheClusterWhenStateDoesNotHaveThem(@TempDir Path dir) throws Exception {
        project(dir, stackFile(PG + CACHE, ONE_APP));
        upOk(dir);
        Map<String, String> before = passwords(dir);
        // State lost (a fresh CI runner, a deleted .dbstack/stacks): the cluster still holds the credentials.
        try (var files = java.nio.file.Files.walk(dir.resolve(".dbstack/stacks"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        assertThat(upOk(dir).out()).contains("No changes.");
        assertThat(passwords(dir)).isEqualTo(before);

        assertNoPodWithoutAnOwner(dir);
    }

    @Test
    void destroyKeepsDataThatUpComesBackToAndDeleteDataReleasesIt(@TempDir Path dir) throws Exception {
        project(dir, stackFile(PG + CACHE, ONE_APP));
        upOk(dir);
        Map<String, String> passwords = passwords(dir);
        CliTest.Result destroyed = CliTest.run("destroy", "-C", dir.toString(), "--stack", STACK, "--yes");
        assertThat(destroyed.exit()).as(destroyed.err()).isZero();
        assertThat(destroyed.out()).contains("= keep PersistentVolumeClaim shop/data-pg-0 (data)")
                .contains("= keep Secret shop/cache-credentials").contains("= keep Namespace shop");
        assertNoPodWithoutAnOwner(dir);

        CliTest.Result back = upOk(dir);
        assertThat(back.out()).contains("takes over the data kept from shop/pg").contains("takes over the data kept from shop/cache");
        assertThat(passwords(dir)).isEqualTo(passwords);

        CliTest.Result dropped = CliTest.run("destroy", "-C", dir.toString(), "--stack", STACK, "--yes", "--delete-data", "shop/cache");
        assertThat(dropped.out()).contains("- delete PersistentVolumeClaim shop/data-cache-0")
                .contains("- delete Secret shop/cache-credentials").contains("= keep PersistentVolumeClaim shop/data-pg-0");
        upOk(dir);
        Map<String, String> after = passwords(dir);
        assertThat(after.get("shop/pg")).isEqualTo(passwords.get("shop/pg"));
        assertThat(after.get("shop/cache")).as("deleted data: new credentials for the new, empty database")
                .isNotEqualTo(passwords.get("shop/cache"));
    }
}
