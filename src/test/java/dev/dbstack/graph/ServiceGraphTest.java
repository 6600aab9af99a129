package dev.dbstack.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.model.ServiceId;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceGraphTest {
    private static ServiceId id(String app, String layer) {
        return new ServiceId(app, layer);
    }

    @Test
    void exampleStackHasDatabasesInTheFirstWaveAndTheApiAfterThem() {
        ServiceGraph graph = TestProject.repository().graph("dev");

        assertThat(graph.waves()).containsExactly(
                List.of(id("shop", "postgresql-1"), id("shop", "redis-1"), id("shop", "mongodb-1"), id("shop", "mysql-1")),
                List.of(id("shop", "api")));
        assertThat(graph.providersOf(id("shop", "api")))
                .extracting(ServiceGraph.Dependency::provider, ServiceGraph.Dependency::variables)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(id("shop", "mongodb-1"), Set.of("MONGO_URI")),
                        org.assertj.core.groups.Tuple.tuple(id("shop", "mysql-1"), Set.of("MYSQLMSTR_SVC", "ROOT_PASSWORD")),
                        org.assertj.core.groups.Tuple.tuple(id("shop", "postgresql-1"),
                                Set.of("USERNAME", "PASSWORD", "POSTGRESMSTR_SVC", "POSTGRESMSTR_SVC_PORT")),
                        org.assertj.core.groups.Tuple.tuple(id("shop", "redis-1"),
                                Set.of("PASSWORD", "REDISMSTR_SVC", "REDISMSTR_SVC_PORT")));
        assertThat(graph.destroyOrder()).first().isEqualTo(id("shop", "api"));
    }

    @Test
    void chainsMakeOneWavePerStepAndIndependentAppsShareWaves(@TempDir Path dir) {
        ServiceGraph graph = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups:
                    - {name: dev, cluster: sandbox}
                  dbstack:profiles:
                    - name: chain
                      layers:
                        - {name: db, type: postgresql, storage: 1}
                        - {name: cache, type: redis, storage: 1}
                        - name: migrate
                          type: container
                          image: ghcr.io/acme/migrate:1
                          env: {DB: "{{.spectro.app.$appDeploymentName.db.POSTGRES_URI}}"}
                        - name: web
                          type: container
                          image: ghcr.io/acme/web:1
                          dependsOn: [migrate]
                          env: {CACHE: "{{.spectro.app.$appDeploymentName.cache.REDIS_URI}}"}
                  dbstack:apps:
                    - {name: blue, profile: chain}
                    - {name: green, profile: chain}
                """).graph();

        assertThat(graph.waves()).containsExactly(
                List.of(id("blue", "db"), id("blue", "cache"), id("green", "db"), id("green", "cache")),
                List.of(id("blue", "migrate"), id("green", "migrate")),
                List.of(id("blue", "web"), id("green", "web")));
        ServiceGraph.Dependency explicit = graph.providersOf(id("blue", "web")).stream()
                .filter(d -> d.provider().equals(id("blue", "migrate"))).findFirst().orElseThrow();
        assertThat(explicit.explicit()).isTrue();
        assertThat(explicit.variables()).isEmpty();
        assertThat(graph.consumersOf(id("green", "db"))).extracting(ServiceGraph.Dependency::consumer)
                .containsExactly(id("green", "migrate"));
        assertThat(graph.edges()).hasSize(6);
    }
}
