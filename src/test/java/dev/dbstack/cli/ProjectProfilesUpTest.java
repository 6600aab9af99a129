package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profiles defined once in Pulumi.yaml's project-level config and pinned by two stacks (dev and prod), through the
 * real CLI against the sandbox; a stack defining the same name@version differently is an error naming both places.
 */
class ProjectProfilesUpTest {
    static final String PROJECT = """
            name: shared
            runtime: java
            stackConfigDir: stacks
            config:
              dbstack:profiles:
                value:
                  - name: shop
                    version: 1.0.0
                    layers:
                      - {name: db, type: postgresql, storage: 1}
                      - {name: web, type: container, image: nginx:1.25}
                  - name: shop
                    version: 1.1.0
                    layers:
                      - {name: db, type: postgresql, storage: 2}
                      - {name: web, type: container, image: nginx:1.25}
            """;

    static String stack(String app, String pin, String ownProfiles) {
        return "config:\n  dbstack:clusterGroups: [{name: g, cluster: sandbox}]\n" + ownProfiles
                + "  dbstack:apps: [{name: " + app + ", profile: " + pin + "}]\n";
    }

    private static CliTest.Result run(Path dir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "-C");
        all.add(2, dir.toString());
        if (args[0].equals("up")) all.add("--yes");
        return CliTest.run(all.toArray(String[]::new));
    }

    private static void write(Path dir, String project, String dev, String prod) throws Exception {
        Files.writeString(dir.resolve("Pulumi.yaml"), project);
        Files.createDirectories(dir.resolve("stacks"));
        Files.writeString(dir.resolve("stacks/Pulumi.dev.yaml"), dev);
        if (prod != null) Files.writeString(dir.resolve("stacks/Pulumi.prod.yaml"), prod);
    }

    @Test
    void twoStacksPinTheSharedProfileAndEachComesUp(@TempDir Path dir) throws Exception {
        // prod repeats shop@1.0.0 word for word in its own file (allowed) and adds a profile of its own.
        String prodOwn = """
                  dbstack:profiles:
                    - name: shop
                      version: 1.0.0
                      layers: [{name: db, type: postgresql, storage: 1}, {name: web, type: container, image: "nginx:1.25"}]
                    - {name: tools, layers: [{name: cache, type: redis, storage: 1}]}
                """;
        write(dir, PROJECT, stack("shop-dev", "shop@1.0.0", ""), stack("shop-prod", "shop@1.1.0", prodOwn));
        for (String s : List.of("dev", "prod")) {
            CliTest.Result preview = run(dir, "preview", "--stack", s);
            assertThat(preview.exit()).as(preview.out() + preview.err()).isZero();
            assertThat(preview.out()).contains("+ create StatefulSet shop-" + s + "/db");
            CliTest.Result up = run(dir, "up", "--stack", s);
            assertThat(up.exit()).as(up.out() + up.err()).isZero();
        }
        assertThat(run(dir, "preview", "--stack", "dev").out()).contains("Update available for app shop-dev: profile shop 1.0.0 → 1.1.0")
                .contains("storage: 1Gi → 2Gi");
        assertThat(run(dir, "preview", "--stack", "prod").out()).doesNotContain("Update available");
        try (Sandbox s = Sandbox.start(dir.resolve(".dbstack/sandbox"), true)) {
            assertThat(s.client().apps().statefulSets().inNamespace("shop-dev").withName("db").get()).isNotNull();
            assertThat(s.client().apps().statefulSets().inNamespace("shop-prod").withName("db").get().getMetadata()
                    .getAnnotations()).containsEntry("dbstack.dev/profile", "shop@1.1.0");
        }
    }

    @Test
    void theSameVersionWithOtherContentIsAnErrorNamingBothPlaces(@TempDir Path dir) throws Exception {
        String other = """
                  dbstack:profiles:
                    - name: shop
                      version: 1.0.0
                      layers: [{name: db, type: postgresql, storage: 5}]
                """;
        write(dir, PROJECT, stack("a", "shop@1.0.0", other), null);
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: stacks/Pulumi.dev.yaml:4: config.dbstack:profiles[shop]: profile shop@1.0.0"
                + " is defined at stacks/Pulumi.dev.yaml:4 and at Pulumi.yaml:7 with different content; give one of them a new"
                + " version, or delete one");
    }

    @Test
    void pulumiYamlHoldsNoSecretsAndOnlyProfiles(@TempDir Path dir) throws Exception {
        String project = PROJECT.replace("{name: db, type: postgresql, storage: 1}",
                "{name: db, type: postgresql, storage: 1, password: {secure: v1:abc:def}}")
                + "  dbstack:apps: []\n";
        write(dir, project, stack("a", "shop@1.0.0", ""), null);
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: Pulumi.yaml:10: config.dbstack:profiles[0].layers[0].password: Pulumi.yaml is shared"
                + " by every stack and cannot hold secure: values")
                .contains("error: Pulumi.yaml:17: config.dbstack:apps: only dbstack:profiles may be shared in Pulumi.yaml;"
                        + " dbstack:apps belongs in each stack file");
    }

    @Test
    void theListMayBeWrittenDirectlyToo(@TempDir Path dir) throws Exception {
        String project = PROJECT.replace("    value:\n", "").replace("\n      ", "\n    ");
        write(dir, project, stack("a", "shop", ""), null);
        CliTest.Result r = run(dir, "preview");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("profile 'shop' has versions 1.0.0, 1.1.0; name one as shop@<version>");
    }
}
