package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest layers and patches through the CLI and the real client against the sandbox: a manifest layer created,
 * updated and deleted with its layer; a patched StatefulSet applied patched, after which the next preview has
 * nothing to do; a patch that targets nothing refused before anything runs.
 */
class ManifestUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - name: pg
                      type: postgresql
                      storage: 1
                      patches:
                        - kind: StatefulSet
                          name: pg
                          patch:
                            metadata: {annotations: {team: data}}
                            spec: {template: {spec: {tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]}}}
                        - kind: StatefulSet
                          name: pg
                          operations:
                            - {op: add, path: /spec/template/spec/containers/-, value: {name: exporter, image: "prom/postgres-exporter:v0.15.0"}}
                    - name: ui
                      type: manifest
                      file: manifests/ui.yaml
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static final String MANIFEST = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ui-settings}
            data:
              DB_HOST: "{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}"
              mode: blue
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: ui-dsn}
            stringData:
              DSN: "postgres://app:{{.spectro.app.$appDeploymentName.pg.PASSWORD}}@{{.spectro.app.$appDeploymentName.pg.POSTGRESMSTR_SVC}}/app"
            """;

    private static CliTest.Result run(String command, Path dir) {
        List<String> args = new java.util.ArrayList<>(List.of(command, "-C", dir.toString()));
        if (!command.equals("preview")) args.add("--yes");
        return CliTest.run(args.toArray(String[]::new));
    }

    private static <T> T live(Path dir, Function<io.fabric8.kubernetes.client.KubernetesClient, T> read) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            return read.apply(s.client());
        }
    }

    private static ConfigMap settings(Path dir) {
        return live(dir, c -> c.configMaps().inNamespace("a").withName("ui-settings").get());
    }

    @Test
    void manifestLayerIsCreatedUpdatedAndDeletedAndThePatchedStatefulSetStaysInStep(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, STACK);
        Files.createDirectories(dir.resolve("stacks/manifests"));
        Files.writeString(dir.resolve("stacks/manifests/ui.yaml"), MANIFEST);

        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out()).contains("  ui  (manifest manifests/ui.yaml, 2 objects)\n    + create ConfigMap a/ui-settings");
        CliTest.Result first = run("up", dir);
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        ConfigMap created = settings(dir);
        assertThat(created.getData()).containsEntry("DB_HOST", "pg.a.svc.cluster.local").containsEntry("mode", "blue");
        assertThat(created.getMetadata().getLabels()).containsEntry(Labels.LAYER, "ui").containsEntry(Labels.STACK, TestProject.STACK);
        StatefulSet pg = live(dir, c -> c.apps().statefulSets().inNamespace("a").withName("pg").get());
        assertThat(pg.getMetadata().getAnnotations()).containsEntry("team", "data");
        assertThat(pg.getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getName).contains("exporter");
        assertThat(pg.getSpec().getTemplate().getSpec().getTolerations()).extracting("key").containsExactly("dedicated");
        // The Secret holds the generated password; state and the plan never do.
        String dsn = live(dir, c -> new String(java.util.Base64.getDecoder().decode(
                c.secrets().inNamespace("a").withName("ui-dsn").get().getData().get("DSN")), java.nio.charset.StandardCharsets.UTF_8));
        String password = dsn.substring("postgres://app:".length(), dsn.indexOf('@'));
        assertThat(dsn).isEqualTo("postgres://app:" + password + "@pg.a.svc.cluster.local/app");
        assertThat(password).hasSizeGreaterThan(8);
        try (var files = Files.walk(dir.resolve(".dbstack/stacks"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("%s", f).doesNotContain(password);
            }
        }
        CliTest.Result json = CliTest.run("preview", "-C", dir.toString(), "--json");
        assertThat(json.out()).doesNotContain(password);
        CliTest.Result again = run("preview", dir);
        assertThat(again.out()).as(again.out() + again.err()).contains("No changes.");

        // The manifest changes: an update of that object only.
        Files.writeString(dir.resolve("stacks/manifests/ui.yaml"), MANIFEST.replace("mode: blue", "mode: green"));
        CliTest.Result update = run("up", dir);
        assertThat(update.exit()).as(update.out() + update.err()).isZero();
        assertThat(update.out()).contains("~ update ConfigMap a/ui-settings")
                .contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
        assertThat(settings(dir).getData()).containsEntry("mode", "green");

        // The layer goes: its object is deleted with it.
        project.edit(TestProject.STACK, """
                        - name: ui
                          type: manifest
                          file: manifests/ui.yaml
                """, "");
        CliTest.Result delete = run("up", dir);
        assertThat(delete.exit()).as(delete.out() + delete.err()).isZero();
        // pg's NetworkPolicy no longer admits the layer that consumed it
        assertThat(delete.out()).contains("- delete ConfigMap a/ui-settings").contains("- delete Secret a/ui-dsn")
                .contains("~ update NetworkPolicy a/pg-ingress").contains("Plan: 0 to create, 1 to update, 0 to replace, 2 to delete.");
        assertThat(settings(dir)).isNull();
        assertThat(run("preview", dir).out()).contains("No changes.");
    }

    @Test
    void aPatchThatTargetsNothingIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        TestProject.create(dir, STACK.replaceFirst("(kind: StatefulSet\\s+name: )pg", "$1postgres"));
        Files.createDirectories(dir.resolve("stacks/manifests"));
        Files.writeString(dir.resolve("stacks/manifests/ui.yaml"), MANIFEST);
        CliTest.Result r = run("up", dir);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stacks/Pulumi.test.yaml:10: config.dbstack:profiles[p].layers[pg].patches[0]: targets"
                + " nothing: layer 'pg' renders no StatefulSet postgres; it renders ").doesNotContain("Exception");
        assertThat(Files.exists(dir.resolve(".dbstack/sandbox"))).as("nothing started").isFalse();
    }
}
