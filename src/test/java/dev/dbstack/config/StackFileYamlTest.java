package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.TestProject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stack files use all of YAML that Pulumi reads: anchors, aliases, merge keys, any number notation, JSON. */
class StackFileYamlTest {
    private static DatabaseLayer layer(StackModel model, String name) {
        return (DatabaseLayer) model.profiles().get(0).layer(name).orElseThrow();
    }

    @Test
    void anchorsAliasesAndMergeKeysShareSettingsBetweenLayers(@TempDir Path dir) {
        StackModel model = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - &db
                          name: pg-a
                          type: postgresql
                          version: "17"
                          storage: &size 10
                          resources: &res {cpu: 500m, memory: 1Gi}
                        - <<: *db
                          name: pg-b
                          storage: 20
                        - name: cache
                          type: redis
                          storage: *size
                          resources: *res
                  dbstack:apps: [{name: shop, profile: shop}]
                """).model();

        DatabaseLayer b = layer(model, "pg-b");
        assertThat(b.type()).isEqualTo("postgresql");
        assertThat(b.version()).isEqualTo("17");
        assertThat(b.storageGiB()).isEqualTo(20);
        assertThat(b.resources().cpu()).isEqualTo("500m");
        DatabaseLayer cache = layer(model, "cache");
        assertThat(cache.storageGiB()).isEqualTo(10);
        assertThat(cache.resources().memory()).isEqualTo("1Gi");
        assertThat(layer(model, "pg-a").storageGiB()).isEqualTo(10);
    }

    @Test
    void problemsInsideAnAliasedValuePointWhereItIsWrittenAndTheAliasWhereItIsUsed(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - name: pg
                          type: postgresql
                          storage: 1
                          resources: &res
                            cpu: lots
                        - name: cache
                          type: redis
                          storage: *res
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        UserInputException e = catchThrowableOfType(UserInputException.class, project::model);
        assertThat(e.problems()).extracting(Problem::render).containsExactlyInAnyOrder(
                "stacks/Pulumi.test.yaml:10: config.dbstack:profiles[shop].layers[pg].resources.cpu: 'lots' is not a quantity such as 250m or 2",
                "stacks/Pulumi.test.yaml:13: config.dbstack:profiles[shop].layers[cache].storage: storage in GiB must be a whole"
                        + " number from 1 to 65536, got a map");
    }

    @Test
    void numbersMayBeWrittenInAnyCoreSchemaNotation(@TempDir Path dir) {
        StackModel model = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: a, type: redis, storage: 0x10}
                        - {name: b, type: redis, storage: 1e1}
                        - {name: c, type: redis, storage: 0o10}
                        - {name: d, type: redis, storage: +3}
                        - {name: e, type: redis, storage: 4.0}
                  dbstack:apps: [{name: shop, profile: shop}]
                """).model();
        assertThat(model.profiles().get(0).layers()).extracting(l -> ((DatabaseLayer) l).storageGiB())
                .containsExactly(16, 10, 8, 3, 4);
    }

    @Test
    void numbersThatAreNotSizesAreProblemsNotCrashes(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: a, type: redis, storage: .inf}
                        - {name: b, type: redis, storage: .nan}
                        - {name: c, type: redis, storage: 1e999}
                        - {name: d, type: redis, storage: 2.5}
                        - {name: e, type: redis, storage: 99999999999999999999999}
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        UserInputException e = catchThrowableOfType(UserInputException.class, project::model);
        assertThat(e.problems()).hasSize(5).allSatisfy(p -> assertThat(p.render())
                .matches("stacks/Pulumi.test.yaml:\\d+: config.dbstack:profiles\\[shop]\\.layers\\[[a-e]]\\.storage: storage in"
                        + " GiB must be a whole number from 1 to 65536, got a number '.*'"));
    }

    @Test
    void aStackFileWrittenAsJsonWithTabsLoads(@TempDir Path dir) {
        StackModel model = TestProject.create(dir, """
                {
                \t"config": {
                \t\t"dbstack:clusterGroups": [{"name": "dev", "cluster": "sandbox"}],
                \t\t"dbstack:profiles": [{"name": "shop", "layers": [{"name": "db", "type": "redis", "storage": 2}]}],
                \t\t"dbstack:apps": [{"name": "shop", "profile": "shop"}]
                \t}
                }
                """).model();
        assertThat(layer(model, "db").storageGiB()).isEqualTo(2);
    }

    @Test
    void aStackFileThatIsNotUtf8IsOneProblemWithItsLine(@TempDir Path dir) throws IOException {
        TestProject project = TestProject.create(dir, "");
        Files.write(dir.resolve("stacks/Pulumi.test.yaml"), "config:\n  # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        UserInputException e = catchThrowableOfType(UserInputException.class, project::model);
        assertThat(e.getMessage()).startsWith("stacks/Pulumi.test.yaml:2: is not UTF-8 text: byte 0xE9");
    }

    @Test
    void projectFileProblemsNameTheFile(@TempDir Path dir) throws IOException {
        assertThat(catchThrowableOfType(UserInputException.class, () -> StackLoader.loadProject(dir)).getMessage())
                .isEqualTo("Pulumi.yaml: not found; run dbstack in a project directory or pass --cwd");
        Files.createDirectory(dir.resolve("Pulumi.yaml"));
        assertThat(catchThrowableOfType(UserInputException.class, () -> StackLoader.loadProject(dir)).getMessage())
                .isEqualTo("Pulumi.yaml: is a directory, not a file");
    }
}
