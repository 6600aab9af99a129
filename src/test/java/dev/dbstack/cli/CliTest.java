package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.testing.CatalogText;
import dev.dbstack.testing.ShopStack;
import dev.dbstack.testing.TestProject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them, against fixture projects of the tests' own (the shop fixture, {@link ShopStack}). */
class CliTest {
    record Result(int exit, String out, String err) {}

    /** Runs the CLI in-process, capturing both streams. */
    static synchronized Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void previewPrintsTheCreatePlanAsATree(@TempDir Path dir) {
        ShopStack.project(dir);
        Result r = run("preview", "-C", dir.toString(), "--stack", "dev");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("app shop  (profile shop@1.0.0, namespace shop, cluster group dev -> sandbox)")
                .contains("  + create Namespace shop\n")
                .contains("  postgresql-1  (postgresql 17, 10Gi)\n    + create Secret shop/postgresql-1-credentials\n")
                .contains("    + create StatefulSet shop/postgresql-1\n")
                .contains("  api  (container ghcr.io/dbstack/shop-api:1.4.2, 2 replicas)\n")
                .contains("warning: cluster group 'dev' does not back up disks")
                .endsWith("Plan: " + ShopStack.count(null) + " to create, 0 to update, 0 to replace, 0 to delete.\n");
        assertThat(r.out().indexOf("postgresql-1  (")).isLessThan(r.out().indexOf("api  ("));
    }

    @Test
    void stackDefaultsToTheOnlyOneThere(@TempDir Path dir) {
        ShopStack.project(dir);
        assertThat(run("graph", "-C", dir.toString()).exit()).isZero();
    }

    @Test
    void renderWithholdsSecretValuesUnlessAsked(@TempDir Path dir) {
        ShopStack.project(dir);
        Result withheld = run("render", "-C", dir.toString(), "--stack", "dev");
        assertThat(withheld.exit()).isZero();
        assertThat(withheld.out()).startsWith("---\napiVersion: v1\nkind: Namespace\n").doesNotContain("\ndata:");
        assertThat(withheld.err()).contains("Secret values are withheld");

        Result shown = run("render", "-C", dir.toString(), "--stack", "dev", "--show-secrets");
        assertThat(shown.out()).contains("\ndata:\n  PASSWORD: ");
    }

    @Test
    void renderOutWritesOneFilePerObjectAndReplacesAnEarlierRender(@TempDir Path dir, @TempDir Path out) throws IOException {
        ShopStack.project(dir);
        Path shop = out.resolve("shop");
        Files.createDirectories(shop);
        Files.writeString(shop.resolve("099-statefulset-removed-layer.yaml"), "stale");
        Files.writeString(shop.resolve("kustomization.yaml"), "resources: []\n");

        Result r = run("render", "-C", dir.toString(), "--stack", "dev", "--out", out.toString());

        assertThat(r.exit()).isZero();
        List<String> files;
        try (Stream<Path> s = Files.list(shop)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        int objects = ShopStack.count(null);
        assertThat(files).hasSize(objects + 1)
                .startsWith("000-namespace-shop.yaml", "001-resourcequota-dbstack-virtual-cluster.yaml",
                        "002-limitrange-dbstack-virtual-cluster.yaml", "003-secret-postgresql-1-credentials.yaml")
                .contains("006-service-postgresql.yaml", "007-networkpolicy-postgresql-1-ingress.yaml", "008-statefulset-postgresql-1.yaml",
                        "%03d-deployment-api.yaml".formatted(objects - 1), "kustomization.yaml")
                .doesNotContain("099-statefulset-removed-layer.yaml");
        assertThat(Files.readString(shop.resolve("008-statefulset-postgresql-1.yaml"))).startsWith("apiVersion: apps/v1\nkind: StatefulSet\n");
    }

    @Test
    void graphPrintsWavesAndDot(@TempDir Path dir) {
        ShopStack.project(dir);
        Result text = run("graph", "-C", dir.toString(), "--stack", "dev");
        assertThat(text.out()).contains("3 services, 2 edges, 2 waves").contains("wave 2\n  shop/api");
        Result dot = run("graph", "-C", dir.toString(), "--stack", "dev", "--format", "dot");
        assertThat(dot.out()).startsWith("digraph \"dev\" {")
                .contains("\"shop/postgresql-1\" -> \"shop/api\" [label=\"PASSWORD,POSTGRESMSTR_SVC,POSTGRESMSTR_SVC_PORT,USERNAME\"];");
    }

    @Test
    void badConfigurationIsOneMessagePerProblemAndExitCodeTwo(@TempDir Path dir) throws IOException {
        TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgres, storage: 1}
                        - {name: cache, type: redis, storage: -1}
                  dbstack:apps: [{name: a, profile: p}]
                """);
        Result r = run("preview", "-C", dir.toString(), "--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("""
                error: stacks/Pulumi.dev.yaml:6: config.dbstack:profiles[p].layers[db].type: unknown service type 'postgres'; did you mean 'postgresql'? (known types: %s)
                error: stacks/Pulumi.dev.yaml:7: config.dbstack:profiles[p].layers[cache].storage: storage in GiB must be a whole number from 1 to 65536, got a number '-1'
                2 errors
                """.formatted(CatalogText.knownTypes(Catalog.builtIn())));
    }

    @Test
    void misplacedAndBrokenReferencesAreUserErrorsAllAtOnce(@TempDir Path dir) {
        TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - name: api
                          type: container
                          image: "ghcr.io/acme/{{.spectro.app.$appDeploymentName.db.USERNAME}}:1"
                          args: ["--password={{.spectro.app.$appDeploymentName.db.PASSWORD"]
                  dbstack:apps: [{name: a, profile: p}]
                """);
        Result r = run("render", "-C", dir.toString(), "--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("""
                error: stacks/Pulumi.dev.yaml:9: config.dbstack:profiles[p].layers[api].image: output references are allowed only in a container's env values, command and args; this value has '{{' at character 14
                error: stacks/Pulumi.dev.yaml:10: config.dbstack:profiles[p].layers[api].args[0]: unclosed '{{' at character 12; expected {{.spectro.app.$appDeploymentName.<layer>.<VARIABLE>}}
                2 errors
                """);
    }

    @Test
    void missingProjectAndUnknownStackAreUserErrors(@TempDir Path empty, @TempDir Path dir) {
        Result noProject = run("preview", "-C", empty.toString());
        assertThat(noProject.exit()).isEqualTo(2);
        assertThat(noProject.err()).isEqualTo("error: Pulumi.yaml: not found; run dbstack in a project directory or pass --cwd\n");

        ShopStack.project(dir);
        Result noStack = run("preview", "-C", dir.toString(), "--stack", "prod");
        assertThat(noStack.exit()).isEqualTo(2);
        assertThat(noStack.err()).isEqualTo("error: stacks/Pulumi.prod.yaml: stack 'prod' does not exist; stacks here: dev\n");

        Result badOption = run("preview", "--stakc", "dev");
        assertThat(badOption.exit()).isEqualTo(2);
        assertThat(badOption.err()).contains("Unknown options: '--stakc'").contains("Possible solutions: --stack");
    }

    @Test
    void everyCommandHasHelpAndTheToolHasAVersion() {
        for (String command : List.of("preview", "render", "graph", "backups", "restore")) {
            Result r = run(command, "--help");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("Usage: dbstack " + command);
        }
        assertThat(run("--version").out()).matches("dbstack \\d+\\.\\d+\\.\\d+\\s*");
    }

    /** The real process: exit codes reach the shell and no stack trace does. */
    @Test
    void theProcessExitsWithTwoAndNoStackTraceOnBadInput(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("Pulumi.yaml"), "name: p\nruntime: java\n");
        Files.writeString(dir.resolve("Pulumi.dev.yaml"), "config:\n  dbstack:profiles: [\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "preview", "-C", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).startsWith("error: Pulumi.dev.yaml:").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void showSecretsRefusesSecureValuesItCannotDecrypt(@TempDir Path dir) throws IOException {
        TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - name: db
                          type: postgresql
                          storage: 1
                          password: {secure: v1:c2FsdHNhbHRzYWx0:Y2lwaGVyY2lwaGVyY2lwaA==}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          env:
                            TOKEN: {secure: v1:bm9uY2Vub25jZTEy:dG9rZW50b2tlbnRva2VudG9rZW4=}
                  dbstack:apps: [{name: a, profile: p}]
                """);
        Result withheld = run("render", "-C", dir.toString());
        assertThat(withheld.exit()).isZero();
        assertThat(withheld.out()).doesNotContain("\ndata:").contains("withheld: TOKEN");

        Result shown = run("render", "-C", dir.toString(), "--show-secrets");
        assertThat(shown.exit()).isEqualTo(2);
        assertThat(shown.out()).isEmpty();
        assertThat(shown.err()).contains("stacks/Pulumi.dev.yaml:6: config.dbstack:profiles[p].layers[db].password: is a secure: value")
                .contains("stacks/Pulumi.dev.yaml:14: config.dbstack:profiles[p].layers[api].env.TOKEN: is a secure: value");
    }
}
