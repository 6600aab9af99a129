package dev.dbstack.pulumi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pulumi.core.Output;
import com.pulumi.core.internal.OutputData;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.Resource;
import com.pulumi.test.internal.PulumiTestInternal;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackLoader;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.StackModel;
import dev.dbstack.render.OutputValue;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.CatalogLayers;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.ShopStack;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pulumi program run under the Pulumi Java SDK's test harness (mocked engine, no CLI) on the shop
 * fixture ({@link ShopStack}), on every type and version family of the catalog, and on stacks that exercise
 * secrets and explicit dependencies; every
 * expectation is derived from dbstack's own graph and renderer, so the two paths cannot drift apart.
 */
class PulumiProgramTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSPHRASE = "pulumi-test";

    /** A database and a container with its own secure env value, a supplied DB password and a bare dependsOn. */
    private static TestProject secretsProject(Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        return TestProject.create(dir, "dev", """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups:
                    - name: prod
                      cluster: prod-context
                      diskBackup: true
                  dbstack:profiles:
                    - name: billing
                      version: 2.0.0
                      layers:
                        - name: ledger
                          type: postgresql
                          version: "16"
                          storage: 3
                          password: {secure: "%s"}
                        - name: worker
                          type: container
                          image: ghcr.io/acme/worker:3
                          env:
                            DATABASE_URL: "{{.spectro.app.$appDeploymentName.ledger.POSTGRES_URI}}"
                            API_TOKEN: {secure: "%s"}
                        - name: reporter
                          type: container
                          image: ghcr.io/acme/reporter:1
                          dependsOn: [worker]
                  dbstack:apps:
                    - name: billing
                      profile: billing@2.0.0
                      clusterGroup: prod
                """.formatted(c.encryptionSalt(), c.encrypt("ledger pass/with:odd@chars"), c.encrypt("tok-123")));
    }

    @Test
    void oneComponentPerLayerTypedByServiceInGraphOrder(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();

        assertThat(run.registered.stream().filter(r -> r.type().startsWith("dbstack:")).map(r -> r.type() + " " + r.name()))
                .containsExactly(
                        "dbstack:index:AppDeployment shop",
                        "dbstack:index:PostgresqlService shop/postgresql-1",
                        "dbstack:index:RedisService shop/redis-1",
                        "dbstack:index:ContainerService shop/api");
        ServiceGraph graph = project.graph("dev");
        assertThat(components(run).keySet()).containsExactlyElementsOf(graph.applyOrder());
    }

    @Test
    void childrenAreTheRenderedObjectsAndCredentialsWithTheirParents(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        RenderedStack rendered = nativeRender(project, "dev", null);
        Map<ServiceId, ServiceComponent> components = components(run);

        for (RenderedService service : rendered.services().values()) {
            Set<String> expected = new TreeSet<>();
            service.objects().forEach(o -> expected.add(token(o) + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()));
            if (service.layer() instanceof DatabaseLayer) {
                expected.add(RandomPassword.TOKEN + " " + service.id().app() + "/" + service.id().layer() + "/password");
            }
            Set<String> children = components.get(service.id()).pulumiChildResources().stream()
                    .map(r -> r.pulumiResourceType() + " " + r.pulumiResourceName()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(children).as("children of %s", service.id()).isEqualTo(expected);
        }

        ComponentResource app = (ComponentResource) run.result.resources().stream()
                .filter(r -> r.pulumiResourceType().equals(PulumiProgram.APP_TYPE)).findFirst().orElseThrow();
        assertThat(app.pulumiChildResources()).extracting(r -> r.pulumiResourceType() + " " + r.pulumiResourceName())
                .containsExactlyInAnyOrder("kubernetes:core/v1:Namespace shop",
                        "kubernetes:core/v1:ResourceQuota shop/dbstack-virtual-cluster",
                        "kubernetes:core/v1:LimitRange shop/dbstack-virtual-cluster", "dbstack:index:PostgresqlService shop/postgresql-1",
                        "dbstack:index:RedisService shop/redis-1", "dbstack:index:ContainerService shop/api");

        // every Kubernetes object and credential has exactly one parent, and it is a dbstack component
        for (Resource r : run.result.resources()) {
            if (!(r instanceof KubernetesObject || r instanceof RandomPassword)) continue;
            long parents = run.result.resources().stream().filter(p -> p.pulumiChildResources().contains(r)).count();
            assertThat(parents).as("parents of %s %s", r.pulumiResourceType(), r.pulumiResourceName()).isEqualTo(1);
        }
    }

    @Test
    void registeredObjectsEqualWhatDbstackRenders(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        assertParity(PulumiRun.of(dir, "dev"), nativeRender(project, "dev", null));
    }

    /**
     * Profiles shared in Pulumi.yaml's project config: Pulumi hands the program the stack's own dbstack:profiles, which
     * replace the project's whole, so the program reads Pulumi.yaml itself; both tools see the union. One stack sets
     * none of its own (Pulumi passes the project's list), the other adds one.
     */
    @Test
    void parityHoldsForProjectLevelProfiles(@TempDir Path dir) throws Exception {
        TestProject project = TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - {name: tools, layers: [{name: cache, type: redis, storage: 1}]}
                  dbstack:apps: [{name: shop, profile: shop@1.1.0}, {name: tools, profile: tools}]
                """);
        java.nio.file.Files.writeString(dir.resolve("stacks/Pulumi.prod.yaml"), """
                config:
                  dbstack:clusterGroups: [{name: prod, cluster: sandbox}]
                  dbstack:apps: [{name: shop, profile: shop@1.0.0}]
                """);
        java.nio.file.Files.writeString(dir.resolve("Pulumi.yaml"), """
                name: test-project
                runtime: java
                stackConfigDir: stacks
                config:
                  dbstack:profiles:
                    value:
                      - name: shop
                        version: 1.0.0
                        layers:
                          - {name: db, type: postgresql, storage: 1}
                          - {name: api, type: container, image: ghcr.io/acme/api:1, env: {DB: "{{.spectro.app.$appDeploymentName.db.USERNAME}}"}}
                      - name: shop
                        version: 1.1.0
                        layers:
                          - {name: db, type: postgresql, storage: 2}
                          - {name: api, type: container, image: ghcr.io/acme/api:2}
                """);
        for (String stack : List.of("dev", "prod")) {
            PulumiRun run = PulumiRun.of(dir, stack);
            assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
            assertParity(run, nativeRender(project, stack, null));
        }
        assertThat(PulumiRun.of(dir, "dev").registered).anyMatch(r -> r.name().contains("tools"));
    }

    /** Maestro-style variables and group Services through pulumi up, a container above SQLite (no workload) included. */
    @Test
    void parityHoldsForDatabaseGroupsAndAContainerAboveSqlite(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: main-db, type: mysql, storage: 1, group: main, primary: true}
                        - {name: spare-db, type: mysql, storage: 1, group: spare}
                        - {name: files, type: sqlite, storage: 1}
                        - {name: api, type: container, image: ghcr.io/acme/api:1}
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        assertParity(run, nativeRender(project, "dev", null));
    }

    /**
     * Every type and engine of the catalog that replicates, at three replicas (or its most): the read Services, the
     * hooks' extra objects (a keyfile Secret, a Job, ConfigMaps) and their secrets through pulumi up as through render.
     */
    @Test
    void parityHoldsForReplicasOfEveryTypeThatHasThem(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        StringBuilder layers = new StringBuilder();
        for (String type : catalog.types()) {
            List<String> engines = catalog.get(type).engines().isEmpty() ? java.util.Collections.singletonList(null)
                    : catalog.get(type).engines();
            for (String engine : engines) {
                var c = catalog.find(type, engine).orElseThrow();
                if (c.maxReplicas() < 2) continue;
                layers.append("            - {name: ").append(engine == null ? type : type + "-" + engine).append(", type: ")
                        .append(type).append(engine == null ? "" : ", engine: " + engine).append(", storage: 1, replicas: ")
                        .append(Math.min(3, c.maxReplicas())).append("}\n");
            }
        }
        assertThat(layers).as("types that replicate").isNotEmpty();
        TestProject project = TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                """ + layers + """
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        assertParity(run, nativeRender(project, "dev", null));
    }

    /** Every database type of the catalog in every version family: one component each, its objects as dbstack renders them. */
    @Test
    void parityHoldsForEveryTypeAndVersionFamily(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        TestProject project = TestProject.create(dir, "dev", CatalogLayers.stack(catalog, 1));
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        assertParity(run, nativeRender(project, "dev", null));
        assertThat(components(run).keySet()).extracting(ServiceId::layer)
                .containsExactlyInAnyOrderElementsOf(CatalogLayers.of(catalog).stream().map(CatalogLayers.Variant::layer).toList());
    }

    @Test
    void parityHoldsWithSuppliedSecretsAndSecretKeysStaySecret(@TempDir Path dir) {
        TestProject project = secretsProject(dir);
        PulumiRun run = PulumiRun.of(dir, "dev", PASSPHRASE);
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        assertThat(run.secretKeys).containsExactly("dbstack:profiles");
        assertParity(run, nativeRender(project, "dev", PASSPHRASE));

        // the supplied password is used, not a generated one, and the secure env value went into a Secret
        assertThat(run.ofType(RandomPassword.TOKEN)).isEmpty();
        assertThat(decode(run.get("kubernetes:core/v1:Secret", "billing/worker-env"), "API_TOKEN")).isEqualTo("tok-123");
        assertThat(JSON.valueToTree(run.get("kubernetes:apps/v1:Deployment", "billing/worker").inputs()).toString())
                .doesNotContain("tok-123").doesNotContain("ledger pass");
        // consuming a secret output depends on the Secret object, so the consumer's spec itself is not a secret
        KubernetesObject worker = (KubernetesObject) run.result.resources().stream()
                .filter(r -> r.pulumiResourceName().equals("billing/worker") && r instanceof KubernetesObject k
                        && k.pulumiResourceType().equals("kubernetes:apps/v1:Deployment")).findFirst().orElseThrow();
        assertThat(PulumiTestInternal.extractOutputData(worker.args().field("spec")).isSecret()).isFalse();
        assertThat(PulumiTestInternal.extractOutputData(((KubernetesObject) run.result.resources().stream()
                .filter(r -> r.pulumiResourceName().equals("billing/ledger-credentials")).findFirst().orElseThrow())
                .args().field("data")).isSecret()).isTrue();
        // a named kubeconfig context gets its own provider, pinned like every resource
        assertThat(run.get("pulumi:providers:kubernetes", "prod").inputs()).containsEntry("context", "prod-context");
    }

    /** diskBackup: the app's Velero Schedule, in Velero's namespace, registered under the app like its namespace. */
    @Test
    void aBackedUpAppRegistersItsVeleroScheduleAsDbstackRendersIt(@TempDir Path dir) {
        TestProject project = secretsProject(dir);
        PulumiRun run = PulumiRun.of(dir, "dev", PASSPHRASE);
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        var schedule = JSON.valueToTree(run.get("kubernetes:velero.io/v1:Schedule", "velero/billing").inputs());
        assertThat(schedule.at("/spec/schedule").asText()).isEqualTo("0 3 * * *");
        assertThat(schedule.at("/spec/template/includedNamespaces/0").asText()).isEqualTo("billing");
        assertThat(schedule.at("/spec/template/ttl").asText()).isEqualTo("720h0m0s");
        assertThat(schedule.at("/spec/useOwnerReferencesInBackup").asBoolean(true)).isFalse();
        assertParity(run, nativeRender(project, "dev", PASSPHRASE));
    }

    /** References in command and args: the same objects as dbstack renders, the same edges, no secret in the spec. */
    @Test
    void parityHoldsForReferencesInCommandAndArgs(@TempDir Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        TestProject project = TestProject.create(dir, "dev", """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups:
                    - {name: dev, cluster: sandbox}
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: db, type: postgresql, version: "17", storage: 1, password: {secure: "%s"}}
                        - {name: cache, type: redis, version: "8.2", storage: 1}
                        - name: migrate
                          type: container
                          image: ghcr.io/acme/migrate:1
                          command: ["/bin/sh", "-c", "migrate --url postgres://app:{{.spectro.app.$appDeploymentName.db.PASSWORD}}@{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}/app --at $(date)"]
                          args: ["{{.spectro.app.$appDeploymentName.cache.REDIS_URI}}", "--host={{.spectro.app.$appDeploymentName.cache.REDISMSTR_SVC}}"]
                  dbstack:apps:
                    - {name: shop, profile: shop}
                """.formatted(c.encryptionSalt(), c.encrypt("supplied-pg-pass")));
        PulumiRun run = PulumiRun.of(dir, "dev", PASSPHRASE);
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        RenderedStack rendered = nativeRender(project, "dev", PASSPHRASE);
        assertParity(run, rendered);
        assertEdges(run, rendered.graph());

        Map<?, ?> spec = (Map<?, ?>) run.get("kubernetes:apps/v1:Deployment", "shop/migrate").inputs().get("spec");
        String deployment = JSON.valueToTree(spec).toString();
        assertThat(deployment).contains("$(DBSTACK_DB_PASSWORD)", "$(DBSTACK_CACHE_REDIS_URI)", "--host=cache.shop.svc.cluster.local",
                "$$(date)").doesNotContain("supplied-pg-pass").doesNotContain("s3cr3t");
    }

    /**
     * Manifest layers (inline, with a Secret built from a secret output, a Role and RoleBinding, and in a file) and
     * patches on a database, a container and a manifest layer: pulumi up registers what dbstack renders.
     */
    @Test
    void parityHoldsForManifestLayersAndPatches(@TempDir Path dir) throws java.io.IOException {
        TestProject project = TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - name: db
                          type: postgresql
                          version: "17"
                          storage: 1
                          patches:
                            - kind: StatefulSet
                              name: db
                              patch: {spec: {template: {spec: {tolerations: [{key: dedicated, operator: Exists}]}}}}
                            - kind: StatefulSet
                              name: db
                              operations: [{op: add, path: /spec/template/spec/containers/-, value: {name: exporter, image: "prom/postgres-exporter:v0.15.0"}}]
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          ports: [8080]
                          patches: [{kind: Deployment, name: api, patch: {metadata: {annotations: {team: web}}}}]
                        - name: extras
                          type: manifest
                          manifest: |
                            apiVersion: v1
                            kind: Secret
                            metadata: {name: extras-dsn}
                            stringData: {DSN: "postgres://app:{{.spectro.app.$appDeploymentName.db.PASSWORD}}@{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}/app"}
                            ---
                            apiVersion: rbac.authorization.k8s.io/v1
                            kind: Role
                            metadata: {name: reader}
                            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
                            ---
                            apiVersion: rbac.authorization.k8s.io/v1
                            kind: RoleBinding
                            metadata: {name: reader}
                            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
                            subjects: [{kind: ServiceAccount, name: default}]
                          patches: [{kind: Role, name: reader, operations: [{op: add, path: /rules/0/verbs/-, value: watch}]}]
                        - {name: ui, type: manifest, file: manifests/ui.yaml}
                  dbstack:apps: [{name: shop, profile: shop}]
                """);
        java.nio.file.Files.createDirectories(dir.resolve("stacks/manifests"));
        java.nio.file.Files.writeString(dir.resolve("stacks/manifests/ui.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ui}
                data: {api: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"}
                """);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        RenderedStack rendered = nativeRender(project, "dev", null);
        assertParity(run, rendered);
        assertEdges(run, rendered.graph());
        Map<?, ?> role = run.get("kubernetes:rbac.authorization.k8s.io/v1:Role", "shop/reader").inputs();
        assertThat(JSON.valueToTree(role.get("rules")).toString()).contains("watch");
        Map<?, ?> sts = (Map<?, ?>) run.get("kubernetes:apps/v1:StatefulSet", "shop/db").inputs().get("spec");
        assertThat(JSON.valueToTree(sts).toString()).contains("prom/postgres-exporter:v0.15.0", "dedicated");
    }

    /** External databases: the EndpointSlice's own top-level fields reach the provider, as dbstack renders them. */
    /** An external database nothing listens for fails `pulumi up` before anything is registered, as it fails dbstack up. */
    @Test
    void anUnreachableExternalDatabaseFailsTheRunWithNothingRegistered(@TempDir Path dir) throws java.io.IOException {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        TestProject.create(dir, "dev", """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: db, type: postgresql, deployment: external, external: {host: 127.0.0.1, port: %d},
                           password: {secure: "%s"}}
                        - {name: cache, type: redis, storage: 1}
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(c.encryptionSalt(), closed, c.encrypt("external-pg-pass")));
        PulumiRun run = PulumiRun.of(dir, "dev", PASSPHRASE);
        assertThat(run.result.exitCode()).isNotZero();
        assertThat(String.join("\n", run.result.errors())).contains("127.0.0.1:" + closed).contains("nothing was applied");
        assertThat(run.registered).isEmpty();
    }

    @Test
    void parityHoldsForExternalDatabases(@TempDir Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create(PASSPHRASE);
        TestProject project = TestProject.create(dir, "dev", """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups:
                    - {name: dev, cluster: sandbox}
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: db, type: postgresql, deployment: external, external: {host: 10.1.2.3, check: false},
                           password: {secure: "%s"}}
                        - {name: cache, type: redis, deployment: external, external: {host: cache.example.com, check: false},
                           password: {secure: "%s"}}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          env: {DB: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"}
                  dbstack:apps:
                    - {name: shop, profile: shop}
                """.formatted(c.encryptionSalt(), c.encrypt("external-pg-pass"), c.encrypt("external-redis-pass")));
        PulumiRun run = PulumiRun.of(dir, "dev", PASSPHRASE);
        assertThat(run.result.exitCode()).as("errors: %s", run.result.errors()).isZero();
        assertParity(run, nativeRender(project, "dev", PASSPHRASE));
        assertThat(run.get("kubernetes:discovery.k8s.io/v1:EndpointSlice", "shop/db-external").inputs())
                .containsKeys("addressType", "endpoints", "ports");
    }

    @Test
    void componentDependenciesAreTheGraphsEdges(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        assertEdges(PulumiRun.of(dir, "dev"), project.graph("dev"));
    }

    @Test
    void explicitDependsOnAndSecretConsumptionAreEdgesToo(@TempDir Path dir) {
        TestProject project = secretsProject(dir);
        assertEdges(PulumiRun.of(dir, "dev", PASSPHRASE), nativeRender(project, "dev", PASSPHRASE).graph());
    }

    @Test
    void everyOutputVariableIsAComponentAndStackOutputWithSecretsMarked(@TempDir Path dir) {
        TestProject project = ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        RenderedStack rendered = nativeRender(project, "dev", null);
        Map<ServiceId, ServiceComponent> components = components(run);

        Set<String> expectedStackOutputs = new TreeSet<>();
        for (RenderedService service : rendered.services().values()) {
            ServiceComponent component = components.get(service.id());
            assertThat(component.outputs().keySet()).as("outputs of %s", service.id())
                    .containsExactlyElementsOf(service.outputs().keySet());
            for (OutputValue out : service.outputs().values()) {
                String name = service.id().app() + "." + service.id().layer() + "." + out.name();
                expectedStackOutputs.add(name);
                for (Output<?> output : List.of(component.outputs().get(out.name()), run.result.outputs().get(name))) {
                    OutputData<?> data = PulumiTestInternal.extractOutputData(output);
                    assertThat(data.isSecret()).as("%s secret", name).isEqualTo(out.isSecret());
                    assertThat(data.getValueNullable()).as(name).isEqualTo(nativeValue(service, out));
                }
            }
        }
        assertThat(new TreeSet<>(run.result.outputs().keySet())).isEqualTo(expectedStackOutputs);
        assertThat(run.result.outputs()).containsKeys("shop.postgresql-1.PASSWORD", "shop.postgresql-1.POSTGRESMSTR_SVC");
    }

    /**
     * The provider's deletion propagation annotation acts on destroy as much as on replace: "orphan"
     * left database pods running without an owner after `pulumi destroy`. Without it the provider's
     * default cascade deletes the pods; the claims stay because no StatefulSet owns its claims.
     */
    @Test
    void statefulSetsLeaveNoOrphanedPodsWhenPulumiDeletesThem(@TempDir Path dir) {
        ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        List<PulumiRun.Registered> statefulSets = run.ofType("kubernetes:apps/v1:StatefulSet");
        assertThat(statefulSets).hasSize(ShopStack.count("StatefulSet"));
        for (PulumiRun.Registered sts : statefulSets) {
            Map<?, ?> metadata = (Map<?, ?>) sts.inputs().get("metadata");
            assertThat(((Map<?, ?>) metadata.get("annotations")).containsKey("pulumi.com/deletionPropagationPolicy"))
                    .as(sts.name()).isFalse();
            Map<?, ?> spec = (Map<?, ?>) sts.inputs().get("spec");
            assertThat(spec.get("persistentVolumeClaimRetentionPolicy")).as("claims are retained by default").isNull();
        }
    }

    /** A rename keeps the data's names, so Pulumi keeps the workload and the generated password. */
    @Test
    void aRenamedDatabaseKeepsItsWorkloadAndCredentials(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, "dev", """
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - {name: sessions, renamedFrom: cache, type: redis, version: "8.2", storage: 1}
                        - name: api
                          type: container
                          image: nginx:1.27
                          env: {REDIS: "{{.spectro.app.$appDeploymentName.sessions.REDIS_URI}}"}
                  dbstack:apps:
                    - {name: shop, profile: shop}
                """);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertParity(run, nativeRender(project, "dev", null));
        assertThat(run.ofType(RandomPassword.TOKEN)).extracting(PulumiRun.Registered::name).containsExactly("shop/cache/password");
        assertThat(run.ofType("kubernetes:apps/v1:StatefulSet")).extracting(PulumiRun.Registered::name).containsExactly("shop/cache");
        assertThat(run.ofType("dbstack:index:RedisService")).extracting(PulumiRun.Registered::name).containsExactly("shop/sessions");
    }

    @Test
    void planWarningsBecomePulumiWarnings(@TempDir Path dir) {
        ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        assertThat(run.warnings).contains("cluster group 'dev' does not back up disks (diskBackup: false): the data of"
                + " app 'shop' lives only on its PersistentVolumes");
        assertThat(run.warnings).anyMatch(w -> w.contains("uses dbstack's sandbox"));
    }

    /** As in apply, a database's pods start only once the NetworkPolicy that protects them exists. */
    @Test
    void aDatabasesWorkloadWaitsForItsNetworkPolicy(@TempDir Path dir) {
        ShopStack.project(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        KubernetesObject policy = null;
        KubernetesObject workload = null;
        for (Resource child : components(run).get(new ServiceId("shop", "postgresql-1")).pulumiChildResources()) {
            if (!(child instanceof KubernetesObject k)) continue;
            if (k.pulumiResourceType().endsWith(":NetworkPolicy")) policy = k;
            if (k.pulumiResourceType().endsWith(":StatefulSet")) workload = k;
        }
        assertThat(policy).isNotNull();
        assertThat(workload).isNotNull();
        assertThat(PulumiTestInternal.extractOutputData(workload.args().field("spec")).getResources()).contains(policy);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Map<ServiceId, ServiceComponent> components(PulumiRun run) {
        Map<ServiceId, ServiceComponent> out = new LinkedHashMap<>();
        for (Resource r : run.result.resources()) {
            if (r instanceof ServiceComponent c) {
                String[] name = c.pulumiResourceName().split("/");
                out.put(new ServiceId(name[0], name[1]), c);
            }
        }
        return out;
    }

    /** What {@code dbstack render} produces, with the harness's credentials: supplied ones, else FixedCredentials. */
    private static RenderedStack nativeRender(TestProject project, String stack, String passphrase) {
        StackModel model = new StackLoader(project.catalog(), passphrase).load(StackLoader.loadProject(project.dir()), stack);
        FixedCredentials fixed = new FixedCredentials();
        return new Renderer(project.catalog(),
                (id, name, spec, supplied) -> supplied.isPresent() ? supplied.get() : fixed.credential(id, name, spec, supplied),
                (id, env) -> env.secret().reveal()).render(ServiceGraph.build(model, project.catalog()));
    }

    private static void assertParity(PulumiRun run, RenderedStack rendered) {
        Map<String, Object> expected = new TreeMap<>();
        for (HasMetadata o : rendered.allObjects()) {
            Map<String, Object> fields = JSON.convertValue(o, new TypeReference<LinkedHashMap<String, Object>>() {});
            fields.remove("status");
            expected.put(token(o) + " " + name(o), normalize(fields));
        }
        Map<String, Object> actual = new TreeMap<>();
        for (PulumiRun.Registered r : run.registered) {
            if (r.type().startsWith("kubernetes:")) actual.put(r.type() + " " + r.name(), normalize(r.inputs()));
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        assertThat(actual).isEqualTo(expected);
    }

    /** For every component, the components its children's inputs depend on must be the graph's providers. */
    private static void assertEdges(PulumiRun run, ServiceGraph graph) {
        Map<ServiceId, ServiceComponent> components = components(run);
        Map<Resource, ServiceId> owner = new HashMap<>();
        components.forEach((id, c) -> c.pulumiChildResources().forEach(child -> owner.put(child, id)));
        for (ServiceId id : graph.applyOrder()) {
            Set<ServiceId> dependsOn = new TreeSet<>();
            for (Resource child : components.get(id).pulumiChildResources()) {
                if (!(child instanceof KubernetesObject k)) continue;
                for (String field : List.of("metadata", "spec", "data", "stringData", "type", "immutable")) {
                    Output<Object> input = k.args().field(field);
                    if (input == null) continue;
                    for (Resource r : PulumiTestInternal.extractOutputData(input).getResources()) {
                        ServiceId from = owner.get(r);
                        if (from != null && !from.equals(id)) dependsOn.add(from);
                    }
                }
            }
            Set<ServiceId> providers = graph.providersOf(id).stream().map(ServiceGraph.Dependency::provider)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(dependsOn).as("dependencies of %s", id).isEqualTo(providers);
        }
        assertThat(graph.edges()).as("the stack has edges to check").isNotEmpty();
    }

    private static Object nativeValue(RenderedService service, OutputValue out) {
        if (!out.isSecret()) return out.value();
        Secret secret = (Secret) service.objects().stream()
                .filter(o -> o instanceof Secret && o.getMetadata().getName().equals(out.secretName())).findFirst().orElseThrow();
        return new String(Base64.getDecoder().decode(secret.getData().get(out.secretKey())), StandardCharsets.UTF_8);
    }

    private static String decode(PulumiRun.Registered secret, String key) {
        Map<?, ?> data = (Map<?, ?>) secret.inputs().get("data");
        return new String(Base64.getDecoder().decode((String) data.get(key)), StandardCharsets.UTF_8);
    }

    private static String token(HasMetadata o) {
        return KubernetesObject.typeToken(o.getApiVersion(), o.getKind());
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getNamespace() == null ? o.getMetadata().getName()
                : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Numbers compared by value: the engine's wire format has only doubles. */
    private static Object normalize(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put((String) k, normalize(v)));
            return out;
        }
        if (value instanceof List<?> list) return list.stream().map(PulumiProgramTest::normalize).toList();
        if (value instanceof Number n) return n.doubleValue();
        return value;
    }
}
