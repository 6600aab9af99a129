package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * diskBackup through the CLI against the sandbox, whose on-disk store comes with Velero installed: off → on →
 * schedule change → off is exactly a create, an update and a delete of the app's Schedule, and nothing else; a
 * Backup the Schedule made survives it; a cluster without Velero or without the storage location refuses.
 */
class DiskBackupUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups:
                - {name: g, cluster: sandbox, diskBackup: false}
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: pg, type: postgresql, storage: 1}
                    - {name: cache, type: redis, storage: 1}
              dbstack:apps:
                - {name: shop, profile: p}
            """;

    private static CliTest.Result run(String command, Path dir) {
        return command.equals("up") ? CliTest.run("up", "-C", dir.toString(), "--yes") : CliTest.run(command, "-C", dir.toString());
    }

    /** The plan's step lines ({@code + create ...}), whatever their indentation; up prints each again as it applies it. */
    private static List<String> steps(String out) {
        return out.lines().map(String::strip).filter(l -> l.matches("[-+~] (create|update|delete|replace) .*"))
                .map(l -> l.replaceAll("\\s{2,}\\(.*\\)$", "")).distinct().toList();
    }

    private static GenericKubernetesResource schedule(KubernetesClient client) {
        return client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace("velero").withName("shop").get();
    }

    @Test
    void turningBackupOnChangingItAndOffTouchesOnlyTheSchedule(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run("up", dir);
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("does not back up disks (diskBackup: false)");

        project.edit(TestProject.STACK, "diskBackup: false", "diskBackup: true");
        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(steps(preview.out())).containsExactly("+ create Schedule velero/shop");
        assertThat(preview.out()).contains("Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.");
        CliTest.Result on = run("up", dir);
        assertThat(on.exit()).as(on.out() + on.err()).isZero();
        assertThat(steps(on.out())).containsExactly("+ create Schedule velero/shop");
        assertThat(on.out()).doesNotContain("does not back up disks");
        CliTest.Result again = run("preview", dir);
        assertThat(again.out()).as(again.out() + again.err()).contains("No changes.");

        String backup;
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            GenericKubernetesResource sched = schedule(s.client());
            assertThat(sched.getMetadata().getLabels()).containsEntry("dbstack.dev/app", "shop")
                    .containsEntry("dbstack.dev/stack", TestProject.STACK).containsEntry("app.kubernetes.io/managed-by", "dbstack");
            assertThat(sched.<String>get("spec", "schedule")).isEqualTo("0 3 * * *");
            assertThat(sched.<Boolean>get("spec", "useOwnerReferencesInBackup")).isFalse();
            assertThat(sched.<Boolean>get("spec", "skipImmediately")).isFalse();
            assertThat(sched.<List<String>>get("spec", "template", "includedNamespaces")).containsExactly("shop");
            assertThat(sched.<String>get("spec", "template", "ttl")).isEqualTo("720h0m0s");
            assertThat(sched.<String>get("spec", "template", "storageLocation")).isEqualTo("default");
            assertThat(sched.<Boolean>get("spec", "template", "snapshotVolumes")).isTrue();
            assertThat(sched.<Boolean>get("spec", "template", "defaultVolumesToFsBackup")).isFalse();
            assertThat(sched.<String>get("status", "phase")).isEqualTo("Enabled");
            backup = s.runSchedule("velero", "shop");
            GenericKubernetesResource b = s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace("velero")
                    .withName(backup).waitUntilCondition(o -> o.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
            assertThat(b.getMetadata().getLabels()).containsEntry("velero.io/schedule-name", "shop")
                    .containsEntry("dbstack.dev/app", "shop");
        }

        project.edit(TestProject.STACK, "diskBackup: true", "diskBackup: {schedule: \"30 1 * * MON-FRI\", retention: 168h}");
        CliTest.Result change = run("up", dir);
        assertThat(change.exit()).as(change.out() + change.err()).isZero();
        assertThat(steps(change.out())).containsExactly("~ update Schedule velero/shop");
        assertThat(run("preview", dir).out()).contains("No changes.");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(schedule(s.client()).<String>get("spec", "schedule")).isEqualTo("30 1 * * MON-FRI");
            assertThat(schedule(s.client()).<String>get("spec", "template", "ttl")).isEqualTo("168h0m0s");
        }

        project.edit(TestProject.STACK, "diskBackup: {schedule: \"30 1 * * MON-FRI\", retention: 168h}", "diskBackup: false");
        CliTest.Result off = run("up", dir);
        assertThat(off.exit()).as(off.out() + off.err()).isZero();
        assertThat(steps(off.out())).containsExactly("- delete Schedule velero/shop");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(schedule(s.client())).isNull();
            GenericKubernetesResource kept = s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace("velero")
                    .withName(backup).get();
            assertThat(kept).as("the Backup outlives its Schedule").isNotNull();
            assertThat(kept.<String>get("status", "phase")).isEqualTo("Completed");
        }
        assertThat(run("preview", dir).out()).contains("No changes.");
    }

    @Test
    void filesystemModeBacksUpTheDataVolumesByFileCopy(@TempDir Path dir) {
        TestProject.create(dir, STACK.replace("diskBackup: false", "diskBackup: {mode: filesystem, storageLocation: default}"));
        // Through a saved plan: the Schedule's body goes into the file and is applied from it.
        String plan = dir.resolve("plan.json").toString();
        CliTest.Result saved = CliTest.run("preview", "-C", dir.toString(), "--out", plan);
        assertThat(saved.exit()).as(saved.out() + saved.err()).isZero();
        assertThat(saved.out()).contains("+ create Schedule velero/shop");
        CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--yes", plan);
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            GenericKubernetesResource sched = schedule(s.client());
            assertThat(sched.<Boolean>get("spec", "template", "snapshotVolumes")).isFalse();
            assertThat(sched.<Boolean>get("spec", "template", "defaultVolumesToFsBackup")).isTrue();
        }
        assertThat(run("preview", dir).out()).contains("No changes.");

        // destroy deletes the Schedule first: no backup starts of an app going away.
        CliTest.Result destroy = CliTest.run("destroy", "-C", dir.toString(), "--yes");
        assertThat(destroy.exit()).as(destroy.out() + destroy.err()).isZero();
        List<String> deletes = steps(destroy.out()).stream().filter(l -> l.startsWith("- delete")).toList();
        assertThat(deletes).first().isEqualTo("- delete Schedule velero/shop");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(schedule(s.client())).isNull();
        }
    }

    @Test
    void withoutVeleroTheGroupIsRefusedAndNothingIsApplied(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK.replace("diskBackup: false", "diskBackup: true"));
        // A sandbox kept on disk whose Velero was uninstalled: its CRDs gone.
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            s.client().apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").delete();
        }
        CliTest.Result r = run("up", dir);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("stacks/Pulumi.test.yaml:3: config.dbstack:clusterGroups[g].diskBackup: Velero is not"
                + " installed on cluster 'sandbox' (no CustomResourceDefinition schedules.velero.io): install Velero")
                .contains("or set diskBackup: false").doesNotContain("Exception");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().namespaces().withName("shop").get()).as("nothing applied").isNull();
        }

        // Turning it off works without Velero: nothing of its kind to read.
        project.edit(TestProject.STACK, "diskBackup: true", "diskBackup: false");
        CliTest.Result off = run("up", dir);
        assertThat(off.exit()).as(off.out() + off.err()).isZero();
    }

    @Test
    void veleroUninstalledAfterBackupWasTurnedOnStillLetsItBeTurnedOff(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK.replace("diskBackup: false", "diskBackup: true"));
        CliTest.Result on = run("up", dir);
        assertThat(on.exit()).as(on.out() + on.err()).isZero();
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            assertThat(schedule(s.client())).isNotNull();
            s.client().apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").delete();
        }
        CliTest.Result refused = run("up", dir);
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("Velero is not installed on cluster 'sandbox'");

        // State still records the Schedule; the cluster has no such kind any more: nothing to delete, no error.
        project.edit(TestProject.STACK, "diskBackup: true", "diskBackup: false");
        CliTest.Result off = run("up", dir);
        assertThat(off.exit()).as(off.out() + off.err()).isZero();
        assertThat(steps(off.out())).isEmpty();
        assertThat(run("preview", dir).out()).contains("No changes.");
        CliTest.Result refresh = CliTest.run("refresh", "-C", dir.toString());
        assertThat(refresh.exit()).as(refresh.out() + refresh.err()).isZero();
    }

    @Test
    void aMissingOrUnavailableStorageLocationIsRefused(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK.replace("diskBackup: false", "diskBackup: {storageLocation: s3}"));
        CliTest.Result missing = run("up", dir);
        assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(2);
        assertThat(missing.err()).contains("stacks/Pulumi.test.yaml:3: config.dbstack:clusterGroups[g].diskBackup: Velero on"
                + " cluster 'sandbox' has no BackupStorageLocation 's3' in namespace 'velero'").doesNotContain("Exception");

        project.edit(TestProject.STACK, "storageLocation: s3", "storageLocation: default");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"))) {
            var locations = s.client().genericKubernetesResources("velero.io/v1", "BackupStorageLocation").inNamespace("velero");
            GenericKubernetesResource bsl = locations.withName("default").get();
            bsl.setAdditionalProperty("status", Map.of("phase", "Unavailable"));
            locations.resource(bsl).update(); // Velero's CRD has no status subresource; the sandbox's Velero leaves it so
        }
        CliTest.Result unavailable = run("up", dir);
        assertThat(unavailable.exit()).as(unavailable.out() + unavailable.err()).isEqualTo(2);
        assertThat(unavailable.err()).contains("config.dbstack:clusterGroups[g].diskBackup: Velero's BackupStorageLocation"
                + " 'default' (namespace 'velero', cluster 'sandbox') is Unavailable, not Available");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().namespaces().withName("shop").get()).as("nothing applied").isNull();
        }
    }
}
