package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.LayerRender;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parameters:} rendered the way each image reads them: PostgreSQL's {@code -c name=value}, Redis's and
 * MongoDB's {@code --name value} after the catalog's own arguments, MySQL's (and each engine's) option file from a
 * ConfigMap; a checksum on the pod template that follows the values; and nothing at all for a layer without them.
 */
class ParametersRenderTest {
    private static String stack(String layers) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(layers.indent(8).stripTrailing());
    }

    private static LayerRender render(Path dir, String layers, String layer) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return LayerRender.of(TestProject.create(dir, stack(layers)), new FixedCredentials(), "shop", layer);
    }

    private static String checksum(LayerRender r) {
        Map<String, String> a = r.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();
        return a == null ? null : a.get(Labels.CONFIG_CHECKSUM);
    }

    @Test
    void postgresqlTakesEachParameterAsDashCAfterTheImagesDefaults(@TempDir Path dir) {
        LayerRender r = render(dir, """
                - name: pg
                  type: postgresql
                  storage: 1
                  parameters: {shared_buffers: 256MB, max_connections: 200, synchronous_commit: "off", random_page_cost: 1.1}
                """, "pg");
        assertThat(r.server().getArgs()).containsExactly("-c", "max_connections=200", "-c", "random_page_cost=1.1",
                "-c", "shared_buffers=256MB", "-c", "synchronous_commit=off");
        assertThat(r.service().objects()).noneMatch(o -> o instanceof ConfigMap);
        assertThat(checksum(r)).matches("[0-9a-f]{64}");
        assertThat(r.statefulSet().getMetadata().getAnnotations()).containsEntry(Labels.PARAMETERS,
                "{\"max_connections\":\"200\",\"random_page_cost\":\"1.1\",\"shared_buffers\":\"256MB\",\"synchronous_commit\":\"off\"}");
        assertValid(r.service().objects());
    }

    @Test
    void redisAndMongodbTakeFlagsAfterTheCatalogsArguments(@TempDir Path dir) {
        String layers = """
                - name: cache
                  type: redis
                  storage: 1
                  parameters: {maxmemory: 100mb, maxmemory-policy: allkeys-lru, appendonly: false}
                - name: docs
                  type: mongodb
                  storage: 1
                  parameters: {wiredTigerCacheSizeGB: 0.5, maxConns: 500}
                """;
        LayerRender redis = render(dir.resolve("r"), layers, "cache");
        List<String> args = redis.server().getArgs();
        assertThat(args.subList(args.size() - 6, args.size())).containsExactly("--appendonly", "no", "--maxmemory", "100mb",
                "--maxmemory-policy", "allkeys-lru");
        assertThat(args.get(0)).isEqualTo("--requirepass"); // the catalog's arguments come first, ours win
        LayerRender mongo = render(dir.resolve("m"), layers, "docs");
        assertThat(mongo.server().getArgs()).containsExactly("--maxConns", "500", "--wiredTigerCacheSizeGB", "0.5");
    }

    @Test
    void everyMysqlEngineReadsAnOptionFileFromTheConfigMapWhereItsImageIncludesIt(@TempDir Path dir) {
        Map<String, String> paths = Map.of("mysql", "/etc/mysql/conf.d/dbstack.cnf", "percona", "/etc/my.cnf.d/dbstack.cnf",
                "mariadb", "/etc/mysql/conf.d/dbstack.cnf");
        for (String engine : Catalog.builtIn().get("mysql").engines()) {
            String extra = engine.equals("mariadb") ? ", thread_handling: pool-of-threads" : "";
            LayerRender r = render(dir.resolve(engine), """
                    - name: sql
                      type: mysql
                      engine: %s
                      storage: 1
                      parameters: {max_connections: 300, innodb_buffer_pool_size: 512M, slow_query_log: true%s}
                    """.formatted(engine, extra), "sql");
            ConfigMap cm = r.object(ConfigMap.class);
            assertThat(cm.getMetadata().getName()).isEqualTo("sql-config");
            assertThat(cm.getData()).containsOnlyKeys("dbstack.cnf");
            assertThat(cm.getData().get("dbstack.cnf")).isEqualTo("# Rendered by dbstack from the layer's parameters:\n"
                    + "[mysqld]\ninnodb_buffer_pool_size = 512M\nmax_connections = 300\nslow_query_log = ON\n"
                    + (engine.equals("mariadb") ? "thread_handling = pool-of-threads\n" : ""));
            VolumeMount mount = r.server().getVolumeMounts().stream()
                    .filter(m -> m.getName().equals(DatabaseRenderer.CONFIG_VOLUME)).findFirst().orElseThrow();
            assertThat(mount.getMountPath()).as(engine).isEqualTo(paths.get(engine));
            assertThat(mount.getSubPath()).isEqualTo("dbstack.cnf");
            assertThat(mount.getReadOnly()).isTrue();
            Volume v = r.pod().getVolumes().stream().filter(x -> x.getName().equals(DatabaseRenderer.CONFIG_VOLUME))
                    .findFirst().orElseThrow();
            assertThat(v.getConfigMap().getName()).isEqualTo("sql-config");
            assertThat(checksum(r)).matches("[0-9a-f]{64}");
            // The ConfigMap before the StatefulSet, so apply creates the file before the pods that mount it.
            List<HasMetadata> objects = r.service().objects();
            assertThat(objects.indexOf(cm)).isLessThan(objects.indexOf(r.statefulSet()));
            assertValid(objects);
        }
    }

    @Test
    void theChecksumFollowsTheValuesAndALayerWithoutParametersRendersAsBefore(@TempDir Path dir) {
        String a = checksum(render(dir.resolve("a"), "- {name: sql, type: mysql, storage: 1, parameters: {max_connections: 100}}", "sql"));
        String a2 = checksum(render(dir.resolve("a2"), "- {name: sql, type: mysql, storage: 1, parameters: {max_connections: 100}}", "sql"));
        String b = checksum(render(dir.resolve("b"), "- {name: sql, type: mysql, storage: 1, parameters: {max_connections: 200}}", "sql"));
        assertThat(a).isEqualTo(a2).isNotEqualTo(b);

        for (String type : serverTypes()) {
            LayerRender plain = render(dir.resolve("plain-" + type), "- {name: db, type: " + type + ", storage: 1}", "db");
            LayerRender empty = render(dir.resolve("empty-" + type), "- {name: db, type: " + type + ", storage: 1, parameters: {}}", "db");
            assertThat(plain.service().objects()).as(type).noneMatch(o -> o instanceof ConfigMap && o.getMetadata().getName().equals("db-config"));
            assertThat(checksum(plain)).as(type).isNull();
            assertThat(plain.statefulSet().getMetadata().getAnnotations()).as(type).doesNotContainKey(Labels.PARAMETERS);
            assertThat(empty.specsYaml()).as(type).isEqualTo(plain.specsYaml());
        }
    }

    @Test
    void everyDeclaredParameterIsRenderableWithAValueOfItsType(@TempDir Path dir) {
        // Each type's catalog list, each parameter with a value of its type: rendering all of them is accepted.
        for (String type : serverTypes()) {
            Component c = Catalog.builtIn().get(type);
            if (!c.parameters().any()) continue;
            StringBuilder values = new StringBuilder();
            c.parameters().accepts().forEach((name, p) -> values.append(values.length() == 0 ? "" : ", ")
                    .append('"').append(name).append("\": ").append(sample(p)));
            LayerRender r = render(dir.resolve(type), "- {name: db, type: " + type + ", storage: 1, parameters: {" + values + "}}", "db");
            assertThat(r.statefulSet().getMetadata().getAnnotations().get(Labels.PARAMETERS)).as(type)
                    .contains(c.parameters().accepts().keySet().iterator().next());
        }
    }

    /** The catalog's types that run a server (a type without one takes no parameters). */
    private static List<String> serverTypes() {
        return Catalog.builtIn().types().stream().filter(t -> Catalog.builtIn().get(t).hasServer()).sorted().toList();
    }

    private static void assertValid(List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            assertThat(KubernetesSchema.load().validate(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }

    private static String sample(Component.Parameter p) {
        return switch (p.type()) {
            case "integer", "number" -> p.min() != null ? p.min().toPlainString() : "1";
            case "size", "duration" -> "1" + p.units().get(0);
            case "enum" -> "\"" + p.values().get(0) + "\"";
            default -> "true";
        };
    }
}
