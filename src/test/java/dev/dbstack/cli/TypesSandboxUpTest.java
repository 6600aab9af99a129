package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InfluxDB (both families), CockroachDB, SQLite and GlusterFS deployed to the sandbox through the real
 * CLI: each reaches ready, `outputs` lists every output its catalog file declares, and `destroy` keeps
 * their claims (SQLite's included) until --delete-data names the service.
 */
class TypesSandboxUpTest {
    private static final String STACK = "dev";
    private static final List<String> DATABASES = List.of("metrics", "legacy", "roach", "files", "shared");

    private static final String FILE = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: metrics, type: influxdb, version: "2.9", storage: 1, org: acme}
                    - {name: legacy, type: influxdb, version: "1.12", storage: 1}
                    - {name: roach, type: cockroachdb, version: "26.2", storage: 1}
                    - {name: files, type: sqlite, storage: 1}
                    - {name: shared, type: glusterfs, storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      dependsOn: [shared]
                      env:
                        INFLUX: "{{.spectro.app.$appDeploymentName.metrics.INFLUXDB_URI}}"
                        LEGACY: "{{.spectro.app.$appDeploymentName.legacy.INFLUXDB_URL}}"
                        DATABASE_URL: "{{.spectro.app.$appDeploymentName.roach.COCKROACHDB_URI}}"
                        SQLITE: "{{.spectro.app.$appDeploymentName.files.SQLITE_JDBC_URL}}"
              dbstack:apps:
                - {name: shop, profile: p}
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("-C", dir.toString(), "--stack", STACK));
        return CliTest.run(all.toArray(String[]::new));
    }

    private static Sandbox cluster(Path dir) {
        return Sandbox.start(dir.resolve(".dbstack/sandbox"), true);
    }

    @Test
    void eachTypeDeploysReachesReadyShowsItsOutputsAndKeepsItsClaimsOnDestroy(@TempDir Path dir) {
        TestProject.create(dir, STACK, FILE);
        CliTest.Result up = run(dir, "up", "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("Applied: 6 services succeeded, 0 failed, 0 skipped.");
        for (String db : DATABASES) assertThat(up.out()).contains("ready shop/" + db + "\n");

        CliTest.Result outputs = run(dir, "outputs");
        assertThat(outputs.exit()).as(outputs.err()).isZero();
        Catalog catalog = Catalog.builtIn();
        expectOutputs(outputs.out(), "shop/metrics", catalog.resolve("influxdb", null, "2.9").outputNames());
        expectOutputs(outputs.out(), "shop/legacy", catalog.resolve("influxdb", null, "1.12").outputNames());
        expectOutputs(outputs.out(), "shop/roach", catalog.get("cockroachdb").outputNames());
        expectOutputs(outputs.out(), "shop/files", catalog.get("sqlite").outputNames());
        expectOutputs(outputs.out(), "shop/shared", catalog.get("glusterfs").outputNames());
        assertThat(outputs.out()).contains("COCKROACHDB_URI = [secret]").contains("INFLUXDB_TOKEN = [secret]")
                .contains("SQLITE_PATH = /var/lib/sqlite/files/app.db")
                .contains("GLUSTERFS_MOUNT_SOURCE = shared.shop.svc.cluster.local:/data");

        try (Sandbox s = cluster(dir)) {
            var api = s.client().apps().deployments().inNamespace("shop").withName("api").get();
            assertThat(api.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getPersistentVolumeClaim().getClaimName())
                    .containsExactly("data-files");
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("shared").get()
                    .getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
        }
        assertThat(run(dir, "up", "--yes").out()).contains("No changes.");

        CliTest.Result destroyed = run(dir, "destroy", "--yes");
        assertThat(destroyed.exit()).as(destroyed.out() + destroyed.err()).isZero();
        assertThat(destroyed.out()).contains("= keep PersistentVolumeClaim shop/data-files")
                .contains("the SQLite data on it is kept").contains("= keep PersistentVolumeClaim shop/data-roach-0 (data)")
                .contains("data kept: ");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop").list().getItems()).isEmpty();
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-files", "data-metrics-0",
                            "data-legacy-0", "data-roach-0", "data-shared-0");
        }

        CliTest.Result again = run(dir, "destroy", "--yes", "--delete-data", "shop/files");
        assertThat(again.exit()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("- delete PersistentVolumeClaim shop/data-files");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-metrics-0", "data-legacy-0",
                            "data-roach-0", "data-shared-0");
        }
    }

    @Test
    void removingTheSqliteLayerKeepsItsFileAndTheNextUpTakesItOver(@TempDir Path dir) {
        String twoLayers = """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: files, type: sqlite, storage: 1}
                        - {name: api, type: container, image: ghcr.io/acme/api:1.0, dependsOn: [files]}
                  dbstack:apps:
                    - {name: shop, profile: p}
                """;
        TestProject project = TestProject.create(dir, STACK, twoLayers);
        assertThat(run(dir, "up", "--yes").exit()).isZero();
        project.edit(STACK, "        - {name: files, type: sqlite, storage: 1}\n", "");
        project.edit(STACK, ", dependsOn: [files]", "");
        CliTest.Result removed = run(dir, "up", "--yes");
        assertThat(removed.exit()).as(removed.out() + removed.err()).isZero();
        assertThat(removed.out()).contains("= keep PersistentVolumeClaim shop/data-files").contains("data kept: shop/files");
        try (Sandbox s = cluster(dir)) {
            assertThat(s.client().persistentVolumeClaims().inNamespace("shop").withName("data-files").get()).isNotNull();
        }
        assertThat(run(dir, "preview").out()).contains("No changes.");

        project.edit(STACK, "      layers:\n", "      layers:\n        - {name: files, type: sqlite, storage: 1}\n");
        project.edit(STACK, "image: ghcr.io/acme/api:1.0}", "image: ghcr.io/acme/api:1.0, dependsOn: [files]}");
        CliTest.Result back = run(dir, "up", "--yes");
        assertThat(back.exit()).as(back.out() + back.err()).isZero();
        assertThat(back.out()).doesNotContain("create PersistentVolumeClaim shop/data-files");
        CliTest.Result named = run(dir, "preview", "--delete-data", "shop/files");
        assertThat(named.out()).as("in the stack again, the layer owns its data").doesNotContain("delete PersistentVolumeClaim");
    }

    private static void expectOutputs(String out, String service, List<String> names) {
        List<String> lines = out.lines().toList();
        int at = lines.indexOf("  " + service);
        assertThat(at).as(service + " in:\n" + out).isNotNegative();
        List<String> section = new java.util.ArrayList<>();
        for (int i = at + 1; i < lines.size() && lines.get(i).startsWith("    "); i++) {
            section.add(lines.get(i).substring(4, lines.get(i).indexOf(" = ")));
        }
        assertThat(section).as(service).containsExactlyElementsOf(names);
    }
}
