package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbstack restore} through the CLI against the project's sandbox, with Velero simulated there. */
class RestoreCommandTest {
    private static CliTest.Result restore(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("restore", "-C", dir.toString()));
        all.addAll(List.of(args));
        return CliTest.run(all.toArray(String[]::new));
    }

    /** name → uid of the StatefulSets, Services and claims in {@code namespace}. */
    private static Map<String, String> objects(Sandbox s, String namespace) {
        Map<String, String> out = new TreeMap<>();
        List<HasMetadata> all = new java.util.ArrayList<>();
        all.addAll(s.client().apps().statefulSets().inNamespace(namespace).list().getItems());
        all.addAll(s.client().services().inNamespace(namespace).list().getItems());
        all.addAll(s.client().persistentVolumeClaims().inNamespace(namespace).list().getItems());
        all.forEach(o -> out.put(o.getKind() + " " + o.getMetadata().getName(), o.getMetadata().getUid()));
        return out;
    }

    /** Every file of the project but the sandbox's (the stack file, state, its journal), with its content. */
    private static Map<String, String> stateFiles(Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            Map<String, String> out = new TreeMap<>();
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String rel = dir.relativize(f).toString();
                if (rel.startsWith(".dbstack/sandbox") || rel.startsWith(".dbstack" + java.io.File.separator + "sandbox")) continue;
                out.put(rel, java.util.Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(f)));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<GenericKubernetesResource> restores(Sandbox s) {
        return s.client().genericKubernetesResources("velero.io/v1", "Restore").inNamespace(VeleroFixture.NS).list().getItems();
    }

    @Test
    void aDrillRestoresCopiesOfTheAppIntoANewNamespaceAndLeavesTheLiveOneAlone(@TempDir Path dir) {
        BackupsCommandTest.up(dir);
        String backup = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        Map<String, String> live;
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            live = objects(s, "shop");
        }
        assertThat(live).containsKeys("StatefulSet pg", "Service pg").anySatisfy((k, v) -> assertThat(k).startsWith("PersistentVolumeClaim "));

        Map<String, String> state = stateFiles(dir);
        CliTest.Result r = restore(dir, "--app", "shop", "--backup", backup, "--into", "shop-drill");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("into the new namespace shop-drill (a drill: the live app is not touched)")
                .containsPattern("Created Velero Restore velero/shop-\\d{14}; waiting up to 10m")
                .contains("  Completed  ")
                .contains("kubectl -n shop-drill get statefulsets,services,pvc,pods")
                .contains("It is not managed by the stack").contains("kubectl delete namespace shop-drill");
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            Map<String, String> copies = objects(s, "shop-drill");
            assertThat(copies.keySet()).as("the drill holds a copy of each").containsAll(live.keySet());
            copies.forEach((k, uid) -> assertThat(live.get(k)).as(k).isNotEqualTo(uid));
            assertThat(objects(s, "shop")).as("the live namespace is unchanged").isEqualTo(live);
            GenericKubernetesResource made = restores(s).get(0);
            assertThat(made.getMetadata().getLabels()).containsAllEntriesOf(Labels.app(TestProject.STACK, "shop"));
            assertThat(made.<String>get("spec", "backupName")).isEqualTo(backup);
            assertThat(made.<List<String>>get("spec", "includedNamespaces")).containsExactly("shop");
            assertThat(made.<Map<String, String>>get("spec", "namespaceMapping")).isEqualTo(Map.of("shop", "shop-drill"));
            assertThat(made.<Boolean>get("spec", "restorePVs")).isTrue();
        }
        // The state is not changed (nor the stack file), and the plan still sees nothing to do.
        assertThat(stateFiles(dir)).isEqualTo(state);
        CliTest.Result preview = CliTest.run("preview", "-C", dir.toString());
        assertThat(preview.out()).as(preview.out() + preview.err()).contains("No changes.");

        // The drill namespace exists now: another drill into it is refused.
        CliTest.Result again = restore(dir, "--app", "shop", "--backup", backup, "--into", "shop-drill");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("--into: namespace 'shop-drill' already exists");
    }

    @Test
    void theWaitShowsProgressAndATimeoutIsExit1NamingTheRestoreThatGoesOn(@TempDir Path dir) {
        BackupsCommandTest.up(dir);
        String backup = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        CliTest.Result slow;
        CliTest.Result late;
        try {
            System.setProperty("dbstack.sandbox.readyAfter", "1s"); // the sandbox's Restores take a second
            slow = restore(dir, "--app", "shop", "--backup", backup, "--into", "slow");
            System.setProperty("dbstack.sandbox.readyAfter", "10m");
            late = restore(dir, "--app", "shop", "--backup", backup, "--into", "late", "--timeout", "1s");
        } finally {
            System.clearProperty("dbstack.sandbox.readyAfter");
        }
        assertThat(slow.exit()).as(slow.out() + slow.err()).isZero();
        assertThat(slow.out()).containsPattern("\n  InProgress  0/(\\d+) items\n  Completed  \\1/\\1 items\n");
        assertThat(late.exit()).as(late.out() + late.err()).isEqualTo(1);
        assertThat(late.err()).containsPattern("error: Restore velero/shop-\\d{14} is still InProgress after 1s \\(0/\\d+ items\\);"
                + " it goes on in the cluster: kubectl -n velero get restore shop-\\d{14} -o yaml").doesNotContain("Exception");
        // It goes on: the next run of the sandbox completes it.
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            GenericKubernetesResource r = restores(s).stream().filter(x -> "late".equals(x.<Map<String, String>>get("spec",
                    "namespaceMapping").get("shop"))).findFirst().orElseThrow();
            s.client().resource(r).waitUntilCondition(x -> "Completed".equals(x.get("status", "phase")), 10,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void whatCannotBeRestoredIsRefusedWithExit2AndNothingCreated(@TempDir Path dir) {
        BackupsCommandTest.up(dir);
        String shop = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        String blog = VeleroFixture.manualBackup(dir, TestProject.STACK, "blog", "blog", "blog-manual");
        String failed = VeleroFixture.failedBackup(dir, TestProject.STACK, "shop", "shop-broken");
        Map<String, String> live;
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            live = objects(s, "shop");
            s.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName("taken").endMetadata().build()).create();
        }
        Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put(List.of("--app", "shop", "--backup", shop, "--into", "shop"),
                "--into: 'shop' is the namespace of app shop of this stack; a drill restores into a new namespace, never over"
                        + " an app's (to restore over the live data: --in-place shop)");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--into", "blog"), "--into: 'blog' is the namespace of app blog");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--into", "taken"), "--into: namespace 'taken' already exists");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--into", "Drill_1"), "--into: 'Drill_1' is not a valid Kubernetes name");
        refusals.put(List.of("--app", "shop", "--backup", blog, "--into", "drill"), "--backup: Backup " + blog + " is of app blog of"
                + " stack test, not of app shop of stack test; the backups of app shop, newest first: ");
        refusals.put(List.of("--app", "shop", "--backup", "nope", "--into", "drill"), "--backup: no Backup 'nope' in namespace velero;"
                + " the backups of app shop, newest first: ");
        refusals.put(List.of("--app", "shop", "--backup", failed, "--into", "drill"), "--backup: Backup shop-broken is"
                + " FailedValidation (an existing backup storage location");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--in-place", "blog"), "--in-place: names app 'blog' but --app is"
                + " 'shop': an in-place restore deletes the live data of the app it names");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--in-place", "shop", "--into", "drill"),
                "--into: --into and --in-place exclude each other");
        refusals.put(List.of("--app", "shop", "--backup", shop), "--into: say where to restore: --into NAMESPACE");
        refusals.put(List.of("--app", "shpo", "--backup", shop, "--into", "drill"), "did you mean 'shop'?");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--in-place", "shop"), "--yes: an in-place restore deletes the app's"
                + " live data first and this is not a terminal");
        refusals.put(List.of("--app", "shop", "--backup", shop, "--into", "drill", "--timeout", "soon"),
                "--timeout: 'soon' is not a duration");
        refusals.forEach((args, message) -> {
            CliTest.Result r = restore(dir, args.toArray(String[]::new));
            assertThat(r.exit()).as(args + ": " + r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.valueOf(args)).contains(message).doesNotContain("Exception");
        });
        CliTest.Result inPlace = restore(dir, "--app", "shop", "--backup", shop, "--in-place", "shop");
        assertThat(inPlace.out()).as("what it would delete is shown first").contains("  - StatefulSet shop/pg (and its pods)")
                .containsPattern("  - PersistentVolumeClaim shop/\\S+-pg-0 \\(its data\\)");
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            assertThat(restores(s)).as("no Restore was created").isEmpty();
            assertThat(s.client().namespaces().withName("drill").get()).isNull();
            assertThat(objects(s, "shop")).as("nothing was deleted").isEqualTo(live);
            // Velero ends a backup PartiallyFailed when, say, one volume's snapshot failed.
            var b = s.client().genericKubernetesResources("velero.io/v1", "Backup").inNamespace(VeleroFixture.NS).withName(shop);
            GenericKubernetesResource partial = b.get();
            @SuppressWarnings("unchecked")
            Map<String, Object> status = (Map<String, Object>) partial.getAdditionalProperties().get("status");
            status.put("phase", "PartiallyFailed");
            status.put("errors", 1);
            s.client().resource(partial).update();
        }
        CliTest.Result partial = restore(dir, "--app", "shop", "--backup", shop, "--into", "drill");
        assertThat(partial.exit()).as(partial.out() + partial.err()).isZero();
        assertThat(partial.err()).contains("warning: Backup " + shop + " is PartiallyFailed (1 errors, 0 warnings): some of its"
                + " objects or volumes may be missing");
    }

    @Test
    void inPlaceWithYesDeletesTheStatefulSetsAndClaimsThenRestoresThem(@TempDir Path dir) {
        BackupsCommandTest.up(dir);
        String backup = VeleroFixture.backup(dir, TestProject.STACK, "shop", "shop");
        Map<String, String> live;
        Map<String, String> blog;
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            live = objects(s, "shop");
            blog = objects(s, "blog");
        }
        Map<String, String> state = stateFiles(dir);
        CliTest.Result r = restore(dir, "--app", "shop", "--backup", backup, "--in-place", "shop", "--yes");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Restoring app shop in place (namespace shop) from backup " + backup)
                .contains("  deleted StatefulSet shop/pg").containsPattern("  deleted PersistentVolumeClaim shop/\\S+-pg-0")
                .contains("Completed").contains("run `dbstack up --stack test` to converge the stack");
        try (Sandbox s = VeleroFixture.sandbox(dir)) {
            Map<String, String> now = objects(s, "shop");
            assertThat(now.keySet()).isEqualTo(live.keySet());
            live.forEach((k, uid) -> {
                boolean data = k.startsWith("StatefulSet ") || k.startsWith("PersistentVolumeClaim ");
                if (data) assertThat(now.get(k)).as(k + " was deleted and restored").isNotEqualTo(uid);
                else assertThat(now.get(k)).as(k + " was left alone (Velero skips what exists)").isEqualTo(uid);
            });
            assertThat(s.client().apps().statefulSets().inNamespace("shop").withName("pg").get().getMetadata().getLabels())
                    .containsEntry("velero.io/backup-name", backup);
            assertThat(restores(s)).singleElement().satisfies(x -> assertThat(x.getAdditionalProperties().get("spec"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKey("namespaceMapping"));
            assertThat(objects(s, "blog")).as("the other app is untouched").isEqualTo(blog);
        }
        assertThat(stateFiles(dir)).as("state is not changed by a restore").isEqualTo(state);
        CliTest.Result up = CliTest.run("up", "-C", dir.toString(), "--yes");
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
    }
}
