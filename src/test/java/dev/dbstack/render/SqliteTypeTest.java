package dev.dbstack.render;

import static dev.dbstack.render.InfluxdbTypeTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite as rendered: no server, only a claim that the consuming containers mount, and outputs that
 * name the file; the JDBC and URI forms opened by the real SQLite (sqlite-jdbc) on a real file.
 */
class SqliteTypeTest {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox, clusterDomain: cluster.example}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: files, type: sqlite, storage: 2, file: orders.db}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0
                      autoEnv: false
                      env:
                        DATABASE_URL: "{{.spectro.app.$appDeploymentName.files.SQLITE_JDBC_URL}}"
                    - {name: worker, type: container, image: ghcr.io/acme/worker:1.0, dependsOn: [files], autoEnv: false}
                    - {name: web, type: container, image: ghcr.io/acme/web:1.0, autoEnv: false}
              dbstack:apps: [{name: a, profile: p}]
            """;

    private static RenderedStack render(TestProject project) {
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static PodSpec pod(RenderedStack stack, String layer) {
        return service(stack, layer).objects().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow().getSpec().getTemplate().getSpec();
    }

    @Test
    void theLayerIsOnlyAClaimThatItsConsumersMount(@TempDir Path dir) {
        RenderedStack stack = render(TestProject.create(dir, STACK));
        assertThat(service(stack, "files").objects()).singleElement().isInstanceOfSatisfying(PersistentVolumeClaim.class, c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("data-files");
            assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("2Gi");
        });
        for (String consumer : new String[] {"api", "worker"}) { // by output reference and by dependsOn alone
            Deployment d = service(stack, consumer).objects().stream().filter(Deployment.class::isInstance)
                    .map(Deployment.class::cast).findFirst().orElseThrow();
            // One ReadWriteOnce volume: the old pod must let go of it before the new one starts.
            assertThat(d.getSpec().getStrategy().getType()).as(consumer).isEqualTo("Recreate");
            PodSpec pod = pod(stack, consumer);
            assertThat(pod.getVolumes()).singleElement().satisfies(v ->
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-files"));
            assertThat(pod.getContainers().get(0).getVolumeMounts()).singleElement()
                    .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/sqlite/files"));
            assertThat(pod.getSecurityContext().getFsGroup()).as("writable whatever user the image runs as").isEqualTo(1000L);
        }
        assertThat(pod(stack, "web").getVolumes()).isEmpty();
        assertThat(pod(stack, "web").getSecurityContext().getFsGroup()).isNull();
        assertThat(pod(stack, "api").getContainers().get(0).getEnv()).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("jdbc:sqlite:/var/lib/sqlite/files/orders.db"));
    }

    @Test
    void outputsNameTheFileInEveryFormClientsTake(@TempDir Path dir) {
        Map<String, OutputValue> out = service(render(TestProject.create(dir, STACK)), "files").outputs();
        assertThat(out.keySet()).containsExactly("SQLITE_PATH", "SQLITE_URL", "SQLITE_JDBC_URL", "SQLALCHEMY_URL");
        assertThat(out.values()).noneMatch(OutputValue::isSecret);
        assertThat(out.get("SQLITE_PATH").value()).isEqualTo("/var/lib/sqlite/files/orders.db");
        assertThat(out.get("SQLITE_URL").value()).isEqualTo("file:/var/lib/sqlite/files/orders.db");
        assertThat(out.get("SQLITE_JDBC_URL").value()).isEqualTo("jdbc:sqlite:/var/lib/sqlite/files/orders.db");
        // SQLAlchemy: sqlite:/// then the absolute path, four slashes in all.
        assertThat(out.get("SQLALCHEMY_URL").value()).isEqualTo("sqlite:////var/lib/sqlite/files/orders.db");
    }

    /**
     * The catalog's own file with only its mount path moved into a temporary directory (as the volume would
     * be mounted there): the rendered JDBC URL and URI filename open one real database.
     */
    @Test
    void theRenderedUrlsOpenARealDatabaseFile(@TempDir Path dir) throws IOException, SQLException {
        Path mount = dir.resolve("mnt");
        Files.createDirectories(dir.resolve("components"));
        String catalog = Files.readString(Path.of("components/sqlite.yaml"));
        assertThat(catalog).contains("mountPath: /var/lib/sqlite\n");
        Files.writeString(dir.resolve("components/sqlite.yaml"), catalog.replace("mountPath: /var/lib/sqlite\n",
                "mountPath: " + mount + "\n"));
        Map<String, OutputValue> out = service(render(TestProject.create(dir, STACK)), "files").outputs();
        Files.createDirectories(mount.resolve("files")); // the consumer's mount of the claim

        try (Connection c = DriverManager.getConnection(out.get("SQLITE_JDBC_URL").value()); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)");
            s.executeUpdate("INSERT INTO orders (item) VALUES ('tea')");
        }
        assertThat(Path.of(out.get("SQLITE_PATH").value())).isRegularFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out.get("SQLITE_URL").value());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, item FROM orders")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo("tea");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void nothingOfItRunsAsAServer(@TempDir Path dir) {
        RenderedStack stack = render(TestProject.create(dir, STACK));
        for (HasMetadata o : service(stack, "files").objects()) {
            assertThat(o.getKind()).isEqualTo("PersistentVolumeClaim");
        }
        assertThat(service(stack, "files").volume()).isEqualTo(
                new RenderedService.SharedVolume("data-files", "/var/lib/sqlite/files", 1000L));
    }
}
