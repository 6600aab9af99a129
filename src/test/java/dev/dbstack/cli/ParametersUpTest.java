package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.render.Labels;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters through the real client against the sandbox: {@code up} creates the option file's ConfigMap before the
 * StatefulSet; a changed parameter is one update of the ConfigMap and one of the StatefulSet (its pod template's
 * checksum, so the pods roll), which {@code preview} and {@code preview --diff} name; the claims are not touched.
 */
class ParametersUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - name: sql
                      type: mysql
                      storage: 1
                      parameters: {max_connections: 100, innodb_buffer_pool_size: 256M}
                    - name: pg
                      type: postgresql
                      storage: 1
                      parameters: {max_connections: 100}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "-C");
        all.add(2, dir.toString());
        if (!args[0].equals("preview")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private record Live(ConfigMap config, StatefulSet sql, StatefulSet pg, int claims) {}

    private static Live live(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            var c = s.client();
            return new Live(c.configMaps().inNamespace("a").withName("sql-config").get(),
                    c.apps().statefulSets().inNamespace("a").withName("sql").get(),
                    c.apps().statefulSets().inNamespace("a").withName("pg").get(),
                    c.persistentVolumeClaims().inNamespace("a").list().getItems().size());
        }
    }

    private static String checksum(StatefulSet sts) {
        return sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_CHECKSUM);
    }

    @Test
    void aChangedParameterIsOneUpdateOfTheConfigMapAndOneOfTheStatefulSetAndThePlanNamesIt(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result first = run(dir, "up");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("+ create ConfigMap a/sql-config");
        assertThat(first.out().indexOf("ConfigMap a/sql-config")).isLessThan(first.out().indexOf("StatefulSet a/sql"));
        Live before = live(dir);
        assertThat(before.config().getData().get("dbstack.cnf")).contains("[mysqld]\n").contains("max_connections = 100\n");
        assertThat(before.pg().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("-c", "max_connections=100");
        assertThat(run(dir, "preview").out()).contains("No changes.");

        project.edit(TestProject.STACK, "{max_connections: 100, innodb", "{max_connections: 200, innodb");
        CliTest.Result preview = run(dir, "preview", "--diff");
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out())
                .contains("~ update ConfigMap a/sql-config  (parameters: max_connections 100 → 200)")
                .contains("~ update StatefulSet a/sql  (parameters: max_connections 100 → 200; the pods roll)")
                .contains("~ data")
                .contains("~ spec.template.metadata.annotations." + Labels.CONFIG_CHECKSUM)
                .contains("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.")
                .doesNotContain("PersistentVolumeClaim");
        CliTest.Result second = run(dir, "up");
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        Live after = live(dir);
        assertThat(after.config().getData().get("dbstack.cnf")).contains("max_connections = 200\n");
        assertThat(checksum(after.sql())).isNotEqualTo(checksum(before.sql()));
        assertThat(after.claims()).isEqualTo(before.claims());
        assertThat(run(dir, "preview").out()).contains("No changes.");

        // A parameter added, one removed (back to the server's default): the flags change, named both ways.
        project.edit(TestProject.STACK, "parameters: {max_connections: 100}", "parameters: {work_mem: 8MB}");
        CliTest.Result third = run(dir, "preview");
        assertThat(third.out()).contains("~ update StatefulSet a/pg  (parameters: max_connections 100 → (server default),"
                + " work_mem (server default) → 8MB; the pods roll)");

        // No parameters at all (an empty map is none): the ConfigMap goes, the StatefulSet's template loses the checksum.
        project.edit(TestProject.STACK, "{max_connections: 200, innodb_buffer_pool_size: 256M}", "{}");
        CliTest.Result off = run(dir, "up");
        assertThat(off.exit()).as(off.out() + off.err()).isZero();
        assertThat(off.out()).contains("- delete ConfigMap a/sql-config")
                .contains("~ update StatefulSet a/sql  (parameters: innodb_buffer_pool_size 256M → (server default),"
                        + " max_connections 200 → (server default); the pods roll)");
        Live none = live(dir);
        assertThat(none.config()).isNull();
        assertThat(none.sql().getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey(Labels.CONFIG_CHECKSUM);
        assertThat(none.claims()).isEqualTo(before.claims());

        // A parameter and something else at once: the plan names the parameter and says there is more.
        project.edit(TestProject.STACK, "parameters: {work_mem: 8MB}", "parameters: {work_mem: 16MB}\n          resources: {cpu: 300m}");
        assertThat(run(dir, "preview").out()).contains("~ update StatefulSet a/pg  (parameters: work_mem 8MB → 16MB;"
                + " the pods roll; other configuration changed too)");
        project.edit(TestProject.STACK, "parameters: {work_mem: 16MB}\n          resources: {cpu: 300m}", "parameters: {work_mem: 8MB}");

        // The last flag removed: PostgreSQL runs with no arguments again.
        project.edit(TestProject.STACK, "parameters: {work_mem: 8MB}", "parameters: {}");
        CliTest.Result last = run(dir, "up");
        assertThat(last.exit()).as(last.out() + last.err()).isZero();
        assertThat(last.out()).contains("~ update StatefulSet a/pg  (parameters: work_mem 8MB → (server default); the pods roll)")
                .contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.");
        StatefulSet pg = live(dir).pg();
        assertThat(pg.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).isEmpty();
        assertThat(pg.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey(Labels.CONFIG_CHECKSUM);
        assertThat(pg.getMetadata().getAnnotations()).doesNotContainKey(Labels.PARAMETERS);
        assertThat(run(dir, "preview").out()).contains("No changes.");
    }

    @Test
    void typesParametersPrintsTheCatalogsListAndAProjectsOwnComponentCanChangeIt(@TempDir Path dir) throws Exception {
        CliTest.Result builtIn = CliTest.run("types", "--parameters");
        assertThat(builtIn.exit()).as(builtIn.err()).isZero();
        assertThat(builtIn.out()).isEqualTo(dev.dbstack.catalog.CatalogTable.parametersMarkdown(dev.dbstack.catalog.Catalog.builtIn()));

        // A project's components/redis.yaml without parameters: the type accepts none, and says so.
        TestProject.create(dir, STACK.replace("type: postgresql", "type: redis"));
        String redis = java.nio.file.Files.readString(Path.of("components/redis.yaml"));
        java.nio.file.Files.createDirectories(dir.resolve("components"));
        java.nio.file.Files.writeString(dir.resolve("components/redis.yaml"), redis.substring(0, redis.indexOf("\n# Server parameters")) + "\n");
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stacks/Pulumi.test.yaml:13: config.dbstack:profiles[p].layers[pg].parameters.max_connections:"
                + " Redis accepts no parameters in dbstack; leave parameters: out");
        assertThat(CliTest.run("types", "--parameters", "--cwd", dir.toString()).out()).contains("No parameters: ")
                .containsPattern("No parameters: .*`redis`");
    }

    @Test
    void aWrongParameterIsRefusedWithFileLineAndKeyAndExitTwo(@TempDir Path dir) {
        TestProject.create(dir, STACK.replace("{max_connections: 100}", "{max_connections: 1e3}"));
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stacks/Pulumi.test.yaml:13: config.dbstack:profiles[p].layers[pg].parameters.max_connections:"
                + " '1e3' is written in exponent notation; write it out: 1000; max_connections takes a whole number from 1 to 262143")
                .doesNotContain("Exception");
    }
}
