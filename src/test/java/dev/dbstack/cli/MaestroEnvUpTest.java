package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maestro-style variables and database groups through the real client against the sandbox: what the container's live
 * Deployment holds after {@code up}, the group Services, the note preview gives for an explicit variable that shadows
 * an automatic one, and switching the primary group, which changes Services (and the variables that follow them) and
 * never a StatefulSet, claim or Secret.
 */
class MaestroEnvUpTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: main-db, type: mysql, storage: 1, group: main, primary: true}
                    - {name: spare-db, type: mysql, engine: mariadb, storage: 1, group: spare}
                    - {name: archive-db, type: mysql, storage: 1, group: archive}
                    - {name: orders, type: postgresql, storage: 1, group: orders, primary: true}
                    - {name: reports, type: postgresql, storage: 1, group: reports}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      env: {MODE: plain}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static CliTest.Result run(String command, Path dir) {
        List<String> args = new ArrayList<>(List.of(command, "-C", dir.toString()));
        if (!command.equals("preview")) args.add("--yes");
        return CliTest.run(args.toArray(String[]::new));
    }

    private static Map<String, String> liveEnv(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            Deployment d = s.client().apps().deployments().inNamespace("a").withName("api").get();
            Map<String, String> out = new LinkedHashMap<>();
            for (EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                out.put(e.getName(), e.getValueFrom() == null ? e.getValue()
                        : "secretKeyRef " + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey());
            }
            return out;
        }
    }

    private static Map<String, String> liveServices(Path dir) {
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            Map<String, String> out = new LinkedHashMap<>();
            for (Service svc : s.client().services().inNamespace("a").list().getItems()) {
                out.put(svc.getMetadata().getName(), svc.getSpec().getSelector().get("dbstack.dev/layer"));
            }
            return out;
        }
    }

    @Test
    void theLiveContainerHoldsEveryGroupsVariablesAndSwitchingThePrimaryChangesServicesOnly(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, STACK);
        CliTest.Result up = run("up", dir);
        assertThat(up.exit()).as(up.out() + up.err()).isZero();

        Map<String, String> env = liveEnv(dir);
        List<String> expected = new ArrayList<>();
        for (String prefix : List.of("MYSQL", "MYSQL_MAIN", "MYSQL_SPARE", "MYSQL_ARCHIVE", "POSTGRESQL", "POSTGRESQL_ORDERS",
                "POSTGRESQL_REPORTS")) {
            for (String v : List.of("ADDRESS", "PORT", "USERNAME", "PASSWORD", "DATABASE", "URL")) expected.add(prefix + "_" + v);
        }
        expected.add("MODE");
        assertThat(env.keySet()).containsExactlyElementsOf(expected);
        assertThat(env).containsEntry("MYSQL_ADDRESS", "mysql.a.svc.cluster.local")
                .containsEntry("MYSQL_PASSWORD", "secretKeyRef main-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_SPARE_ADDRESS", "mysql-spare.a.svc.cluster.local")
                .containsEntry("MYSQL_SPARE_PASSWORD", "secretKeyRef spare-db-credentials/ROOT_PASSWORD")
                .containsEntry("MYSQL_SPARE_URL", "secretKeyRef spare-db-credentials/MYSQL_URI")
                .containsEntry("MYSQL_ARCHIVE_URL", "secretKeyRef archive-db-credentials/MYSQL_URI")
                .containsEntry("POSTGRESQL_PASSWORD", "secretKeyRef orders-credentials/PASSWORD")
                .containsEntry("POSTGRESQL_REPORTS_URL", "secretKeyRef reports-credentials/POSTGRES_URI");
        assertThat(liveServices(dir)).containsEntry("mysql", "main-db").containsEntry("mysql-main", "main-db")
                .containsEntry("mysql-spare", "spare-db").containsEntry("mysql-archive", "archive-db")
                .containsEntry("postgresql", "orders").containsEntry("postgresql-orders", "orders")
                .containsEntry("postgresql-reports", "reports").containsEntry("main-db", "main-db");

        // spare becomes the primary: the Service mysql selects its pods, the unsuffixed variables follow.
        project.edit(TestProject.STACK, "group: main, primary: true}", "group: main}");
        project.edit(TestProject.STACK, "group: spare}", "group: spare, primary: true}");
        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        List<String> steps = preview.out().lines().map(String::strip)
                .filter(l -> l.matches("^[-+~] (create|update|delete|replace) .*|^[-+]/[-+] replace .*")).toList();
        assertThat(steps).as(preview.out()).isNotEmpty().allSatisfy(l -> assertThat(l).matches(".* (Service|Deployment) a/\\S+.*"));
        assertThat(steps).as(preview.out()).anySatisfy(l -> assertThat(l).contains("Service a/mysql"))
                .noneSatisfy(l -> assertThat(l).containsAnyOf("StatefulSet", "PersistentVolumeClaim", "Secret "))
                .filteredOn(l -> l.contains("Deployment")).allSatisfy(l -> assertThat(l).contains("Deployment a/api"));
        assertThat(preview.out()).doesNotContain("StatefulSet");
        CliTest.Result second = run("up", dir);
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(liveServices(dir)).containsEntry("mysql", "spare-db").containsEntry("mysql-main", "main-db");
        assertThat(liveEnv(dir)).containsEntry("MYSQL_PASSWORD", "secretKeyRef spare-db-credentials/ROOT_PASSWORD");
        assertThat(run("preview", dir).out()).contains("No changes.");
    }

    @Test
    void anExplicitVariableWinsAndPreviewSaysWhichAutomaticOneItShadows(@TempDir Path dir) {
        TestProject.create(dir, STACK.replace("env: {MODE: plain}", "env: {MODE: plain, MYSQL_URL: \"mysql://ro@replica/app\"}"));
        CliTest.Result preview = run("preview", dir);
        assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
        assertThat(preview.out() + preview.err()).contains("app 'a', layer 'api': env MYSQL_URL is set explicitly and"
                + " shadows the automatic MYSQL_URL of layer 'main-db'");
        CliTest.Result up = run("up", dir);
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(liveEnv(dir)).containsEntry("MYSQL_URL", "mysql://ro@replica/app")
                .containsEntry("MYSQL_MAIN_URL", "secretKeyRef main-db-credentials/MYSQL_URI");
    }
}
