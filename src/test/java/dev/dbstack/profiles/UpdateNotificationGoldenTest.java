package dev.dbstack.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.testing.TestProject;
import org.junit.jupiter.api.Test;

/**
 * The words of an update notification for a change set touching every kind of change: layers added, removed and
 * renamed; a minor and a major database version change; storage, settings, parameters, deployment, group and primary;
 * a container's image, replicas, ports, env and command; a manifest's objects and a patch. Golden: a change to these words is a change a reviewer sees.
 */
class UpdateNotificationGoldenTest {
    static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: shop
                  version: 1.0.0
                  layers:
                    - {name: pg, type: postgresql, version: "16", storage: 1, database: shop, parameters: {max_connections: 100}}
                    - {name: cache, type: redis, version: "7.2", storage: 1}
                    - {name: docs, type: mongodb, version: "7.0", storage: 1}
                    - {name: old, type: mongodb, version: "7.0", storage: 1}
                    - name: web
                      type: container
                      image: nginx:1.25
                      ports: [{name: http, port: 80}]
                      env: {A: one, B: two}
                      command: [nginx]
                    - name: ui
                      type: manifest
                      manifest: |
                        {apiVersion: v1, kind: ConfigMap, metadata: {name: ui}, data: {theme: light}}
                - name: shop
                  version: 1.1.0
                  layers:
                    - {name: pg, type: postgresql, version: "16", storage: 1, database: shop}
                    - {name: web, type: container, image: nginx:1.25}
                - name: shop
                  version: 2.0.0
                  layers:
                    - name: pg
                      type: postgresql
                      version: "17"
                      storage: 2
                      database: shop2
                      parameters: {max_connections: 200}
                      group: main
                      primary: true
                      patches: [{kind: StatefulSet, name: pg, patch: {metadata: {annotations: {team: shop}}}}]
                    - {name: cache, type: redis, version: "7.4", storage: 1, deployment: local}
                    - {name: documents, type: mongodb, version: "7.0", storage: 1, renamedFrom: docs}
                    - {name: queue, type: rabbitmq, storage: 1}
                    - name: web
                      type: container
                      image: nginx:1.27
                      replicas: 3
                      ports: [{name: http, port: 8080}]
                      env: {A: uno, C: "{{.spectro.app.$appDeploymentName.pg.USERNAME}}"}
                      command: [nginx, -g, daemon off;]
                    - name: ui
                      type: manifest
                      manifest: |
                        {apiVersion: v1, kind: ConfigMap, metadata: {name: ui}, data: {theme: dark}}
                - name: shop
                  version: 2.0.0-rc.1
                  layers:
                    - {name: pg, type: postgresql, version: "17", storage: 1}
              dbstack:apps:
                - {name: a, profile: shop@1.0.0}
                - {name: b, profile: shop@2.0.0}
            """;

    @Test
    void theNotificationNamesEveryChangeByLayer() {
        String text = TestProject.inTemporaryDirectory("test", STACK,
                p -> UpdatePrinter.text(ProfileUpdates.all(p.model(), p.catalog())));
        assertThat(text).isEqualTo("""
                Update available for app a: profile shop 1.0.0 → 2.0.0 (newer versions: 1.1.0, 2.0.0-rc.1, 2.0.0)
                  layer pg (postgresql): changed
                    version: 16 → 17  MAJOR (16 → 17), refused in place: PostgreSQL does not upgrade its data from 16 to 17 in place: the new server would not open it
                    storage: 1Gi → 2Gi  claims grow in place
                    setting database: shop → shop2
                    parameter max_connections: 100 → 200
                    group: added, main
                    primary: added, true
                    patches StatefulSet pg: added, merge patch {"metadata":{"annotations":{"team":"shop"}}}
                  layer cache (redis): changed
                    version: 7.2 → 7.4  MAJOR (7.2 → 7.4): the server upgrades its data to 7.4 on its first start; there is no way back to 7.2
                    deployment: dedicated → local
                  layer documents (mongodb): renamed from docs
                  layer queue (rabbitmq): added
                    version: 4.3
                    storage: 1Gi
                    replicas: 1
                    setting user: app
                    setting vhost: /
                    deployment: dedicated
                  layer web (container): changed
                    image: nginx:1.25 → nginx:1.27
                    replicas: 1 → 3
                    port http: 80 → 8080
                    env A: one → uno
                    env B: removed (was two)
                    command: nginx → nginx, -g, daemon off;
                    env C: added, {{.spectro.app.$appDeploymentName.pg.USERNAME}}
                  layer ui (manifest): changed
                    object ConfigMap ui data theme: light → dark
                  layer old (mongodb): removed
                    its data stays in the cluster unless `up --delete-data a/old` names it
                  Apply it to this app: dbstack app update a (then dbstack up)
                """);
    }
}
