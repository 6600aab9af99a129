package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.render.KubernetesSchema;
import dev.dbstack.testing.VeleroCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The sandbox's Velero: Backups and Restores complete, Schedules are enabled and fire when a test says. */
class SandboxVeleroTest extends SandboxTestBase {
    private static final String NS = VeleroCrds.NAMESPACE;

    private static GenericKubernetesResource velero(String kind, String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind(kind)
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    private GenericKubernetesResource waitFor(String kind, String name, Predicate<String> phase) {
        return client.genericKubernetesResources("velero.io/v1", kind).inNamespace(NS).withName(name)
                .waitUntilCondition(o -> o != null && o.getAdditionalProperties().get("status") instanceof Map<?, ?> s
                        && s.get("phase") != null && phase.test((String) s.get("phase")), 10, TimeUnit.SECONDS);
    }

    @Test
    void aBackupGoesThroughItsPhasesToCompletedWithTimestampsAndExpiry() throws InterruptedException {
        VeleroCrds.installWithDefaultLocation(client);
        List<String> phases = new CopyOnWriteArrayList<>();
        var backups = client.genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS);
        String since = backups.list().getMetadata().getResourceVersion();
        // From a version, so that the watch sees every change after it however late it connects.
        var watch = backups.watch(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion(since).build(), new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource b) {
                Object phase = b.getAdditionalProperties().get("status") instanceof Map<?, ?> s ? s.get("phase") : null;
                if (phase != null && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase))) phases.add((String) phase);
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
        try {
            GenericKubernetesResource created = client.resource(velero("Backup", "shop-1", Map.of("includedNamespaces", List.of("shop"),
                    "ttl", "168h0m0s"))).create();
            GenericKubernetesResource done = waitFor("Backup", "shop-1", "Completed"::equals);
            Instant creation = Instant.parse(created.getMetadata().getCreationTimestamp());
            Instant start = Instant.parse(done.get("status", "startTimestamp"));
            Instant completion = Instant.parse(done.get("status", "completionTimestamp"));
            assertThat(start).isAfterOrEqualTo(creation);
            assertThat(completion).isAfterOrEqualTo(start);
            assertThat(Instant.parse(done.<String>get("status", "expiration"))).isEqualTo(creation.plus(Duration.ofHours(168)));
            assertThat(done.<String>get("spec", "storageLocation")).isEqualTo("default");
            assertThat(done.getMetadata().getLabels()).containsEntry("velero.io/storage-location", "default");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (phases.size() < 3 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(phases).containsExactly("New", "InProgress", "Completed");
            assertThat(KubernetesSchema.load().validate(done)).as("what the simulation writes fits Velero's schema").isEmpty();
            assertThat(KubernetesSchema.load().validate(client.genericKubernetesResources("velero.io/v1", "BackupStorageLocation")
                    .inNamespace(NS).withName("default").get())).isEmpty();
        } finally {
            watch.close();
        }
    }

    @Test
    void aBackupWithoutTtlExpiresAfterVelerosDefaultAndOneWithoutALocationFailsValidation() {
        VeleroCrds.installWithDefaultLocation(client);
        GenericKubernetesResource created = client.resource(velero("Backup", "b", Map.of())).create();
        GenericKubernetesResource done = waitFor("Backup", "b", "Completed"::equals);
        assertThat(Instant.parse(done.<String>get("status", "expiration")))
                .isEqualTo(Instant.parse(created.getMetadata().getCreationTimestamp()).plus(Duration.ofHours(720)));
        assertThat(done.<String>get("spec", "ttl")).isEqualTo("720h0m0s");

        client.resource(velero("Backup", "nowhere", Map.of("storageLocation", "s3-eu"))).create();
        GenericKubernetesResource failed = waitFor("Backup", "nowhere", p -> !p.equals("New"));
        assertThat(failed.<String>get("status", "phase")).isEqualTo("FailedValidation");
        assertThat(failed.<List<String>>get("status", "validationErrors")).singleElement().asString().contains("\"s3-eu\" not found");
        assertThat(KubernetesSchema.load().validate(failed)).isEmpty();
    }

    @Test
    void aRestoreOfACompletedBackupCompletesAndOneOfAMissingBackupFails() {
        VeleroCrds.installWithDefaultLocation(client);
        client.resource(velero("Backup", "shop-1", Map.of("includedNamespaces", List.of("shop")))).create();
        waitFor("Backup", "shop-1", "Completed"::equals);
        client.resource(velero("Restore", "drill", Map.of("backupName", "shop-1",
                "namespaceMapping", Map.of("shop", "shop-drill")))).create();
        GenericKubernetesResource restored = waitFor("Restore", "drill", "Completed"::equals);
        assertThat(Instant.parse(restored.<String>get("status", "completionTimestamp")))
                .isAfterOrEqualTo(Instant.parse(restored.<String>get("status", "startTimestamp")));
        assertThat(KubernetesSchema.load().validate(restored)).isEmpty();

        client.resource(velero("Restore", "lost", Map.of("backupName", "nope"))).create();
        GenericKubernetesResource failed = waitFor("Restore", "lost", p -> !p.equals("New"));
        assertThat(failed.<String>get("status", "phase")).isEqualTo("FailedValidation");
        assertThat(failed.<List<String>>get("status", "validationErrors")).singleElement().asString()
                .contains("backups.velero.io \"nope\" not found");
    }

    /** A claim, a Secret, a Service and a StatefulSet in {@code shop}, as dbstack renders a database there. */
    private void database() {
        client.persistentVolumeClaims().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("notes").withNamespace("shop").addToLabels("tier", "data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
                        new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build()).create();
        client.secrets().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("pg-credentials").withNamespace("shop").endMetadata().addToStringData("PASSWORD", "s3cret").build()).create();
        client.services().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                .withName("pg").withNamespace("shop").addToLabels("tier", "data").endMetadata().withNewSpec().withClusterIP("10.0.0.9")
                .addNewPort().withPort(5432).endPort().endSpec().build()).create();
        client.apps().statefulSets().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
                .withNewMetadata().withName("pg").withNamespace("shop").endMetadata().withNewSpec().withReplicas(1).withServiceName("pg")
                .withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata().withNewSpec().addNewContainer()
                .withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
                        new io.fabric8.kubernetes.api.model.Quantity("2Gi")).endResources().endSpec().endVolumeClaimTemplate()
                .endSpec().build()).create();
        client.pods().inNamespace("shop").withName("pg-0").waitUntilCondition(java.util.Objects::nonNull, 10, TimeUnit.SECONDS);
    }

    @Test
    void aRestoreIntoAMappedNamespaceCreatesCopiesOfWhatTheBackupCapturedAndLeavesTheSourceAlone() {
        VeleroCrds.installWithDefaultLocation(client);
        database();
        client.resource(velero("Backup", "shop-1", Map.of("includedNamespaces", List.of("shop")))).create();
        GenericKubernetesResource backup = waitFor("Backup", "shop-1", "Completed"::equals);
        // Namespace, claims notes and data-pg-0, Secret, Service, StatefulSet; not the pod its StatefulSet owns.
        assertThat(backup.<Integer>get("status", "progress", "totalItems")).isEqualTo(6);
        String sourceUid = client.apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getUid();

        client.resource(velero("Restore", "drill", Map.of("backupName", "shop-1", "includedNamespaces", List.of("shop"),
                "namespaceMapping", Map.of("shop", "shop-drill"), "restorePVs", true))).create();
        GenericKubernetesResource restored = waitFor("Restore", "drill", p -> !p.equals("New") && !p.equals("InProgress"));
        assertThat(restored.<String>get("status", "phase")).isEqualTo("Completed");
        assertThat(restored.<Integer>get("status", "progress", "itemsRestored")).isEqualTo(6);
        assertThat(restored.<Integer>get("status", "progress", "totalItems")).isEqualTo(6);
        assertThat(KubernetesSchema.load().validate(restored)).isEmpty();

        assertThat(client.namespaces().withName("shop-drill").get()).isNotNull();
        var sts = client.apps().statefulSets().inNamespace("shop-drill").withName("pg").get();
        assertThat(sts.getMetadata().getUid()).isNotEqualTo(sourceUid);
        assertThat(sts.getMetadata().getLabels()).containsEntry("velero.io/backup-name", "shop-1").containsEntry("velero.io/restore-name", "drill");
        assertThat(client.services().inNamespace("shop-drill").withName("pg").get().getSpec().getClusterIP()).isNotEqualTo("10.0.0.9");
        assertThat(client.secrets().inNamespace("shop-drill").withName("pg-credentials").get().getData()).containsKey("PASSWORD");
        var claims = client.persistentVolumeClaims().inNamespace("shop-drill").list().getItems();
        assertThat(claims).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-pg-0", "notes");
        client.persistentVolumeClaims().inNamespace("shop-drill").withName("notes").waitUntilCondition(c -> c.getStatus() != null
                && "Bound".equals(c.getStatus().getPhase()), 10, TimeUnit.SECONDS);
        client.pods().inNamespace("shop-drill").withName("pg-0").waitUntilCondition(java.util.Objects::nonNull, 10, TimeUnit.SECONDS);
        // The source is as it was.
        assertThat(client.apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getUid()).isEqualTo(sourceUid);
        assertThat(client.persistentVolumeClaims().inNamespace("shop").list().getItems()).hasSize(2);

        // In place, over what exists: everything is skipped (a warning each), nothing is overwritten.
        client.resource(velero("Restore", "over", Map.of("backupName", "shop-1"))).create();
        GenericKubernetesResource over = waitFor("Restore", "over", p -> !p.equals("New") && !p.equals("InProgress"));
        assertThat(over.<String>get("status", "phase")).isEqualTo("Completed");
        assertThat(over.<Integer>get("status", "warnings")).isEqualTo(6);
        assertThat(client.apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getUid()).isEqualTo(sourceUid);

        // Deleted claim and StatefulSet come back from the backup.
        client.apps().statefulSets().inNamespace("shop").withName("pg").delete();
        client.persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").delete();
        client.resource(velero("Restore", "again", Map.of("backupName", "shop-1"))).create();
        GenericKubernetesResource again = waitFor("Restore", "again", p -> !p.equals("New") && !p.equals("InProgress"));
        assertThat(again.<Integer>get("status", "warnings")).isEqualTo(4);
        assertThat(client.apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getUid()).isNotEqualTo(sourceUid);
        assertThat(client.persistentVolumeClaims().inNamespace("shop").withName("data-pg-0").get()).isNotNull();
        assertThat(sandbox.controllerError()).isNull();
    }

    @Test
    void aBackupsLabelSelectorLimitsWhatItCapturesAndTheCaptureGoesWithTheBackup() {
        VeleroCrds.installWithDefaultLocation(client);
        database();
        client.resource(velero("Backup", "data-only", Map.of("includedNamespaces", List.of("shop"),
                "labelSelector", Map.of("matchLabels", Map.of("tier", "data"))))).create();
        assertThat(waitFor("Backup", "data-only", "Completed"::equals).<Integer>get("status", "progress", "totalItems"))
                .as("the namespace, the claim and the Service labelled tier=data").isEqualTo(3);
        client.resource(velero("Restore", "r", Map.of("backupName", "data-only", "namespaceMapping", Map.of("shop", "copy")))).create();
        waitFor("Restore", "r", "Completed"::equals);
        assertThat(client.services().inNamespace("copy").withName("pg").get()).isNotNull();
        assertThat(client.apps().statefulSets().inNamespace("copy").withName("pg").get()).isNull();

        client.genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName("data-only").delete();
        client.resource(velero("Restore", "after", Map.of("backupName", "data-only", "namespaceMapping", Map.of("shop", "copy2")))).create();
        GenericKubernetesResource failed = waitFor("Restore", "after", p -> !p.equals("New"));
        assertThat(failed.<String>get("status", "phase")).isEqualTo("FailedValidation");
        assertThat(client.namespaces().withName("copy2").get()).isNull();
    }

    @Test
    void aCaptureSurvivesARestartOfTheOnDiskSandbox(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Sandbox first = Sandbox.start(dir)) {
            VeleroCrds.installWithDefaultLocation(first.client());
            first.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
            first.client().configMaps().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName("settings").withNamespace("shop").endMetadata().addToData("mode", "fast").build()).create();
            first.client().resource(velero("Backup", "b", Map.of("includedNamespaces", List.of("shop")))).create();
            first.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName("b")
                    .waitUntilCondition(b -> b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
        }
        try (Sandbox second = Sandbox.start(dir)) {
            second.client().resource(velero("Restore", "r", Map.of("backupName", "b", "namespaceMapping", Map.of("shop", "copy")))).create();
            second.client().genericKubernetesResources("velero.io/v1", "Restore").inNamespace(NS).withName("r")
                    .waitUntilCondition(b -> b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
            assertThat(second.client().configMaps().inNamespace("copy").withName("settings").get().getData()).containsEntry("mode", "fast");
        }
    }

    @Test
    void aScheduleIsEnabledMakesNothingByItselfAndFiresWhenTheTestSays() {
        VeleroCrds.installWithDefaultLocation(client);
        client.resource(SandboxCustomResourcesTest.schedule("shop", "0 3 * * *")).create();
        GenericKubernetesResource enabled = waitFor("Schedule", "shop", "Enabled"::equals);
        assertThat(enabled.<Boolean>get("spec", "skipImmediately")).as("Velero writes its default into the spec").isFalse();
        assertThat(client.genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).list().getItems()).isEmpty();

        String backup = sandbox.runSchedule(NS, "shop");
        assertThat(backup).matches("shop-\\d{14}");
        GenericKubernetesResource done = waitFor("Backup", backup, "Completed"::equals);
        assertThat(done.getMetadata().getLabels()).containsEntry("velero.io/schedule-name", "shop").containsEntry("app", "shop");
        assertThat(done.<List<String>>get("spec", "includedNamespaces")).containsExactly("shop");
        assertThat(done.<String>get("spec", "ttl")).isEqualTo("168h0m0s");
        assertThat(client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(NS).withName("shop").get()
                .<String>get("status", "lastBackup")).isNotBlank();

        // A restore from the schedule takes its newest completed backup.
        client.resource(velero("Restore", "latest", Map.of("scheduleName", "shop"))).create();
        assertThat(waitFor("Restore", "latest", "Completed"::equals).<String>get("spec", "backupName")).isEqualTo(backup);

        client.resource(SandboxCustomResourcesTest.schedule("bad", "every day")).create();
        GenericKubernetesResource bad = waitFor("Schedule", "bad", p -> true);
        assertThat(bad.<String>get("status", "phase")).isEqualTo("FailedValidation");
        assertThat(bad.<List<String>>get("status", "validationErrors")).singleElement().asString().startsWith("invalid schedule");
        assertThat(KubernetesSchema.load().validate(bad)).isEmpty();
        assertThat(KubernetesSchema.load().validate(client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(NS)
                .withName("shop").get())).isEmpty();
    }

    @Test
    void backupsAndSchedulesSurviveARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String uid;
        try (Sandbox first = Sandbox.start(dir)) {
            VeleroCrds.installWithDefaultLocation(first.client());
            first.client().resource(SandboxCustomResourcesTest.schedule("shop", "@daily")).create();
            uid = first.client().resource(velero("Backup", "b", Map.of())).create().getMetadata().getUid();
            first.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS).withName("b")
                    .waitUntilCondition(b -> b.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
        }
        try (Sandbox second = Sandbox.start(dir)) {
            var backups = second.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(NS);
            GenericKubernetesResource b = backups.withName("b").get();
            assertThat(b.getMetadata().getUid()).isEqualTo(uid);
            assertThat(b.<String>get("status", "phase")).isEqualTo("Completed");
            String fired = second.runSchedule(NS, "shop");
            backups.withName(fired).waitUntilCondition(o -> o.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                    && "Completed".equals(st.get("phase")), 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void goDurationsAsVeleroReadsThem() {
        assertThat(SandboxVelero.goDuration("720h0m0s")).isEqualTo(Duration.ofHours(720));
        assertThat(SandboxVelero.goDuration("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SandboxVelero.goDuration("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SandboxVelero.goDuration("7d")).isNull();
        assertThat(SandboxVelero.goDuration("")).isNull();
        assertThat(SandboxVelero.goString(Duration.ofHours(720))).isEqualTo("720h0m0s");
        assertThat(SandboxVelero.cronProblem("@daily")).isNull();
        assertThat(SandboxVelero.cronProblem("CRON_TZ=Europe/Paris 0 3 * * *")).isNull();
        assertThat(SandboxVelero.cronProblem("@every 6h")).isNull();
        assertThat(SandboxVelero.cronProblem("0 3 * *")).contains("expected exactly 5 fields");
    }

    @Test
    void withoutVelerosCrdsNothingIsSimulated() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        assertThat(client.getApiGroup("velero.io")).isNull();
        assertThat(sandbox.controllerError()).isNull();
    }

    @Test
    void theCliSandboxComesWithVeleroOnceAndAnInMemoryOneWithout(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Sandbox bare = Sandbox.start()) {
            assertThat(bare.client().apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").get()).isNull();
        }
        try (Sandbox fresh = Sandbox.start(dir)) {
            var c = fresh.client();
            assertThat(c.apiextensions().v1().customResourceDefinitions().list().getItems())
                    .extracting(crd -> crd.getMetadata().getName())
                    .containsExactlyInAnyOrderElementsOf(VeleroCrds.PLURALS.stream().map(p -> p + ".velero.io").toList());
            assertThat(c.namespaces().withName(NS).get()).isNotNull();
            GenericKubernetesResource bsl = c.genericKubernetesResources("velero.io/v1", "BackupStorageLocation").inNamespace(NS)
                    .withName("default").get();
            assertThat(bsl.<String>get("status", "phase")).isEqualTo("Available");
            assertThat(KubernetesSchema.load().validate(bsl)).isEmpty();
            c.apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").delete();
        }
        // Kept as it was left: Velero uninstalled stays uninstalled.
        try (Sandbox again = Sandbox.start(dir)) {
            assertThat(again.client().apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").get()).isNull();
            assertThat(again.client().apiextensions().v1().customResourceDefinitions().withName("backups.velero.io").get()).isNotNull();
        }
    }
}
