package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbstack backups} through the CLI against the project's sandbox, with Velero simulated there. */
class BackupsCommandTest {
    static final String STACK = """
            config:
              dbstack:clusterGroups:
                - {name: backed, cluster: sandbox, diskBackup: true}
                - {name: plain, cluster: sandbox}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: pg, type: postgresql, storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      env: {PGHOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}"}
              dbstack:apps:
                - {name: shop, profile: p, clusterGroup: backed}
                - {name: blog, profile: p, clusterGroup: plain}
            """;

    static void up(Path dir) {
        TestProject.create(dir, STACK);
        CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
    }

    @Test
    void listsEachAppsBackupsNewestFirstWithPhaseTimesAndExpiryFiltersByAppAndPrintsJson(@TempDir Path dir) throws Exception {
        up(dir);
        String older = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        String newer = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        String failed = VeleroFixture.failedBackup(dir, TestProject.STACK, "shop", "shop-manual");

        CliTest.Result all = CliTest.run("backups", "-C", dir.toString());
        assertThat(all.exit()).as(all.out() + all.err()).isZero();
        assertThat(all.out()).contains("app shop  (namespace shop, cluster group backed, Velero namespace velero)")
                .contains("NAME", "PHASE", "STARTED", "COMPLETED", "EXPIRES", "ERRORS", "WARNINGS")
                .contains("app blog  (namespace blog, cluster group plain, Velero namespace velero)\n"
                        + "  no backups yet; cluster group 'plain' has diskBackup off")
                .contains("validation error: an existing backup storage location wasn't specified")
                .contains("dbstack restore --stack test --app APP --backup NAME --into NAMESPACE");
        assertThat(all.out().indexOf(newer)).as("newest first").isLessThan(all.out().indexOf(older));
        assertThat(all.out().lines().filter(l -> l.startsWith("  " + older)).findFirst().orElseThrow())
                .matches("  " + older + " +Completed +\\S+Z +\\S+Z +\\S+Z +0 +0");
        assertThat(all.out()).contains(failed);

        CliTest.Result verbose = CliTest.run("backups", "-C", dir.toString(), "-v");
        assertThat(verbose.err()).as("one LIST of Backups for the whole stack, and no write").contains("API: 1 reads (1 lists), 0 writes")
                .contains("lists: backups 1");

        CliTest.Result blog = CliTest.run("backups", "-C", dir.toString(), "--app", "blog");
        assertThat(blog.exit()).isZero();
        assertThat(blog.out()).contains("app blog").doesNotContain("app shop").doesNotContain(older);

        CliTest.Result json = CliTest.run("backups", "-C", dir.toString(), "--app", "shop", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.path("stack").asText()).isEqualTo("test");
        assertThat(root.path("apps")).hasSize(1);
        JsonNode shop = root.path("apps").get(0);
        assertThat(shop.path("app").asText()).isEqualTo("shop");
        assertThat(shop.path("namespace").asText()).isEqualTo("shop");
        assertThat(shop.path("diskBackup").asBoolean()).isTrue();
        assertThat(shop.path("veleroNamespace").asText()).isEqualTo("velero");
        assertThat(shop.path("backups")).hasSize(3);
        JsonNode b = null;
        for (JsonNode n : shop.path("backups")) if (n.path("name").asText().equals(older)) b = n;
        assertThat(b).isNotNull();
        assertThat(b.path("phase").asText()).isEqualTo("Completed");
        Instant started = Instant.parse(b.path("started").asText());
        assertThat(Instant.parse(b.path("completed").asText())).isAfterOrEqualTo(started);
        assertThat(Duration.between(started, Instant.parse(b.path("expires").asText())).toHours()).isBetween(719L, 720L);
        assertThat(b.path("errors").asInt()).isZero();
        assertThat(b.path("warnings").asInt()).isZero();
        assertThat(b.has("failureReason")).isTrue();
        assertThat(b.path("validationErrors").isArray()).isTrue();
        // The same keys for every backup, in the same order: a stable form.
        for (JsonNode n : shop.path("backups")) {
            assertThat(n.fieldNames()).toIterable().containsExactly("name", "phase", "started", "completed", "expires", "errors",
                    "warnings", "failureReason", "validationErrors");
        }
        JsonNode failedJson = shop.path("backups").get(0).path("name").asText().equals(failed) ? shop.path("backups").get(0)
                : shop.path("backups").get(2);
        assertThat(failedJson.path("phase").asText()).isEqualTo("FailedValidation");
        assertThat(failedJson.path("validationErrors")).hasSize(1);
    }

    @Test
    void anUnknownAppIsExit2WithDidYouMeanAndTheApps(@TempDir Path dir) {
        TestProject.create(dir, STACK);
        CliTest.Result r = CliTest.run("backups", "-C", dir.toString(), "--app", "shpo");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--app: stack 'test' has no app deployment 'shpo'; did you mean 'shop'? (its apps: shop, blog)")
                .doesNotContain("Exception");
    }

    @Test
    void withoutVeleroOnTheClusterItIsExit2WithWhatToDo(@TempDir Path dir) {
        up(dir);
        // The CLI's sandbox comes with Velero: uninstalled here, its CRDs deleted.
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            for (String plural : dev.dbstack.testing.VeleroCrds.PLURALS) {
                s.client().apiextensions().v1().customResourceDefinitions().withName(plural + ".velero.io").delete();
            }
        }
        CliTest.Result r = CliTest.run("backups", "-C", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("Velero is not installed on cluster 'sandbox'")
                .contains("set diskBackup on a cluster group and install Velero").doesNotContain("Exception");
        // And a restore says the same, having created nothing.
        CliTest.Result restore = CliTest.run("restore", "-C", dir.toString(), "--app", "shop", "--backup", "x", "--into", "drill");
        assertThat(restore.exit()).isEqualTo(2);
        assertThat(restore.err()).contains("Velero is not installed on cluster 'sandbox'");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().namespaces().withName("drill").get()).isNull();
        }
    }

    @Test
    void backupNowCopiesTheAppsScheduleWaitsForItAndItIsListed(@TempDir Path dir) {
        up(dir);
        CliTest.Result now = CliTest.run("backup", "-C", dir.toString(), "--app", "shop");
        assertThat(now.exit()).as(now.out() + now.err()).isZero();
        String name = now.out().lines().filter(l -> l.startsWith("Created Velero Backup velero/")).findFirst().orElseThrow()
                .replaceFirst("Created Velero Backup velero/(\\S+) .*", "$1");
        assertThat(name).matches("shop-\\d{14}");
        assertThat(now.out()).contains("Backup velero/" + name + " Completed, kept until ")
                .contains("dbstack restore --stack test --app shop --backup " + name + " --into shop-drill");
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            var backup = s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace("velero").withName(name).get();
            var schedule = s.client().genericKubernetesResources("velero.io/v1", "Schedule").inNamespace("velero").withName("shop").get();
            @SuppressWarnings("unchecked")
            var template = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) schedule.getAdditionalProperties().get("spec")).get("template");
            // As `velero backup create --from-schedule`: the Schedule's template, its labels and the schedule's name.
            assertThat(backup.getAdditionalProperties().get("spec")).isEqualTo(template);
            assertThat(backup.getMetadata().getLabels()).containsEntry("velero.io/schedule-name", "shop")
                    .containsEntry("dbstack.dev/app", "shop").containsEntry("dbstack.dev/stack", "test");
        }
        CliTest.Result listed = CliTest.run("backups", "-C", dir.toString(), "--app", "shop");
        assertThat(listed.out()).containsPattern("  " + name + " +Completed ");

        CliTest.Result off = CliTest.run("backup", "-C", dir.toString(), "--app", "blog");
        assertThat(off.exit()).isEqualTo(2);
        assertThat(off.err()).contains("app 'blog' is in cluster group 'plain', which does not back up disks (diskBackup: false)")
                .doesNotContain("Exception");
        CliTest.Result unknown = CliTest.run("backup", "-C", dir.toString(), "--app", "shpo");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("did you mean 'shop'?");
    }

    @Test
    void backupNowBeforeTheScheduleIsAppliedIsExit2(@TempDir Path dir) {
        TestProject.create(dir, STACK);
        CliTest.Result r = CliTest.run("backup", "-C", dir.toString(), "--app", "shop");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("app 'shop' has no Velero Schedule velero/shop in the cluster yet: run `dbstack up --stack test`")
                .doesNotContain("Exception");
    }
}
