package dev.dbstack.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @Test
    void builtInCatalogHasThePaletteDatabases() {
        Catalog catalog = Catalog.builtIn();
        assertThat(catalog.types()).containsExactly("mongodb", "mysql", "postgresql", "redis");
        Component pg = catalog.get("postgresql");
        assertThat(pg.familyOf("16.4")).contains("16");
        assertThat(pg.familyOf("160")).isEmpty();
        assertThat(pg.storageFor("18.1").mountPath()).isEqualTo("/var/lib/postgresql");
        assertThat(pg.storageFor("17").mountPath()).isEqualTo("/var/lib/postgresql/data");
        assertThat(catalog.get("mongodb").familyOf("7.0.12")).contains("7.0");
    }

    @Test
    void aProjectCanAddATypeOrReplaceABuiltIn(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String redis = Files.readString(Path.of("components/redis.yaml"));
        Files.writeString(dir.resolve("components/valkey.yaml"), redis.replace("type: redis", "type: valkey")
                .replace("docker.io/library/redis", "docker.io/valkey/valkey").replace("title: Redis", "title: Valkey"));
        Files.writeString(dir.resolve("components/redis.yaml"), redis.replace("defaultVersion: \"8.2\"", "defaultVersion: \"7.4\""));

        Catalog catalog = Catalog.load(dir);

        assertThat(catalog.types()).contains("valkey", "redis");
        assertThat(catalog.get("valkey").image()).isEqualTo("docker.io/valkey/valkey");
        assertThat(catalog.get("redis").defaultVersion()).isEqualTo("7.4");
    }

    @Test
    void brokenComponentsAreReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String pg = Files.readString(Path.of("components/postgresql.yaml"));
        Files.writeString(dir.resolve("components/postgresql.yaml"), pg.replace("maxReplicas: 1", "maxReplica: 1"));
        UserInputException typo = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(typo.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("components/postgresql.yaml:15: maxReplica: unknown key; did you mean 'maxReplicas'? (allowed: args,");

        Files.writeString(dir.resolve("components/postgresql.yaml"), pg
                .replace("value: \"{{settings.user}}\", description: database user", "value: \"{{credentials.password}}\", description: database user")
                .replace("{{host}}:{{port}}/{{settings.database}}", "{{hots}}:{{port}}/{{settings.database}}"));
        UserInputException leaks = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(leaks.problems()).extracting(Problem::render).containsExactlyInAnyOrder(
                "components/postgresql.yaml: outputs.USERNAME: uses credentials.password and so must be secret: true",
                "components/postgresql.yaml: outputs.POSTGRES_URI: unknown template variable 'hots'; known: [credentials.password,"
                        + " headlessHost, host, layer, namespace, port, settings.database, settings.user, version]");
    }
}
