package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.model.ServiceId;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest layers (inline and in a file, with template variables, checked against the Kubernetes schema, kept to the
 * app's namespace) and {@code patches:} on any layer.
 */
class ManifestRenderTest {
    private static final String HOST = "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}";
    private static final String PASSWORD = "{{.spectro.app.$appDeploymentName.db.PASSWORD}}";

    /** A profile: a PostgreSQL layer {@code db} with {@code dbExtra} under it, then {@code layers}. */
    static String stack(String dbExtra, String layers) {
        return """
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: shop
                      layers:
                        - name: db
                          type: postgresql
                          version: "17"
                          storage: 1
                %s
                %s
                  dbstack:apps: [{name: shop, profile: shop}]
                """.formatted(dbExtra.indent(10).stripTrailing(), layers.indent(8).stripTrailing());
    }

    private static RenderedStack render(Path dir, String dbExtra, String layers) {
        TestProject project = TestProject.create(dir, stack(dbExtra, layers));
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static <T extends HasMetadata> T object(RenderedStack stack, String layer, Class<T> type, String name) {
        return stack.service(new ServiceId("shop", layer)).objects().stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private static String problems(Path dir, String dbExtra, String layers) {
        try {
            TestProject project = TestProject.create(dir, stack(dbExtra, layers));
            new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        } catch (UserInputException e) {
            return e.getMessage();
        }
        throw new AssertionError("no problem reported");
    }

    private static final String INLINE = """
            - name: ui
              type: manifest
              manifest: |
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: ui-settings
                  labels: {team: web}
                data:
                  DB_HOST: "%s"
                  greeting: hello
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: ui-db}
                stringData:
                  DSN: "postgres://%s:5432/?password=%s"
            """.formatted(HOST, HOST, PASSWORD);

    @Test
    void inlineManifestGetsOutputsNamespaceAndLabelsAndPassesTheSchema(@TempDir Path dir) {
        RenderedStack stack = render(dir, "", INLINE);
        ConfigMap settings = object(stack, "ui", ConfigMap.class, "ui-settings");
        assertThat(settings.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(settings.getData()).containsEntry("DB_HOST", "db.shop.svc.cluster.local").containsEntry("greeting", "hello");
        assertThat(settings.getMetadata().getLabels()).containsEntry("team", "web").containsEntry(Labels.APP, "shop")
                .containsEntry(Labels.LAYER, "ui").containsEntry(Labels.STACK, TestProject.STACK)
                .containsEntry(Labels.MANAGED_BY, "dbstack").containsEntry(Labels.TYPE, "manifest");
        Secret secret = object(stack, "ui", Secret.class, "ui-db");
        assertThat(secret.getStringData()).isNullOrEmpty();
        String dsn = new String(Base64.getDecoder().decode(secret.getData().get("DSN")), StandardCharsets.UTF_8);
        assertThat(dsn).startsWith("postgres://db.shop.svc.cluster.local:5432/?password=").doesNotContain("{{");
        // The graph orders it after the database it consumes.
        assertThat(stack.graph().providersOf(new ServiceId("shop", "ui"))).extracting(d -> d.provider().layer())
                .containsExactly("db");
        for (HasMetadata o : stack.service(new ServiceId("shop", "ui")).objects()) {
            assertThat(KubernetesSchema.load().validate(o)).isEmpty();
        }
        // render withholds the Secret's values as it does for every Secret
        assertThat(Manifests.toYaml(Manifests.withholdSecretValues(stack.service(new ServiceId("shop", "ui")).objects())))
                .doesNotContain(secret.getData().get("DSN"));
    }

    @Test
    void fileManifestIsReadNextToTheStackFile(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("stacks/manifests"));
        Files.writeString(dir.resolve("stacks/manifests/ui.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: from-file}
                data: {host: "%s"}
                """.formatted(HOST));
        RenderedStack stack = render(dir, "", "- {name: ui, type: manifest, file: manifests/ui.yaml}");
        assertThat(object(stack, "ui", ConfigMap.class, "from-file").getData()).containsEntry("host", "db.shop.svc.cluster.local");
    }

    @Test
    void fileOutsideTheProjectOrMissingIsRefused(@TempDir Path dir) {
        assertThat(problems(dir, "", "- {name: ui, type: manifest, file: ../../etc/passwd}"))
                .contains("stacks/Pulumi.test.yaml:").contains("layers[ui].file").contains("is outside the project");
        assertThat(problems(dir, "", "- {name: ui, type: manifest, file: manifests/none.yaml}"))
                .contains("layers[ui].file").contains("'manifests/none.yaml' not found");
    }

    @Test
    void manifestFilesAreReadAsSafelyAsTheStackFile(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("stacks/manifests"));
        Files.write(dir.resolve("stacks/manifests/latin1.yaml"), "data: {name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(problems(dir, "", "- {name: ui, type: manifest, file: manifests/latin1.yaml}"))
                .startsWith("stacks/manifests/latin1.yaml:1: config.dbstack:profiles[shop].layers[ui].file: ")
                .contains("UTF-8");
        Files.writeString(dir.resolve("stacks/manifests/tagged.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                + "data: {x: !vault secret/x}\n");
        assertThat(problems(dir, "", "- {name: ui, type: manifest, file: manifests/tagged.yaml}"))
                .startsWith("stacks/manifests/tagged.yaml:4: config.dbstack:profiles[shop].layers[ui].file: ")
                .contains("!vault");
    }

    @Test
    void schemaErrorsNamespacesClusterScopedAndCustomKindsAreRefused(@TempDir Path dir) {
        String bad = problems(dir, "", """
                - name: ui
                  type: manifest
                  manifest: |
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    data: {n: 1}
                    spec: {}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: b, namespace: kube-system}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: c}
                    ---
                    apiVersion: monitoring.coreos.com/v1
                    kind: ServiceMonitor
                    metadata: {name: d}
                    ---
                    apiVersion: v1
                    kind: ResourceQuota
                    metadata: {name: dbstack-virtual-cluster}
                """);
        assertThat(bad).contains("stacks/Pulumi.test.yaml:14: config.dbstack:profiles[shop].layers[ui].manifest: ConfigMap 'a'"
                        + " does not match the Kubernetes schema: ConfigMap.data.n: expected a string")
                .contains("ConfigMap.spec: unknown field")
                .contains("ConfigMap 'b' names namespace 'kube-system'")
                .contains("ClusterRole 'c': ClusterRole is cluster-scoped")
                .contains("ServiceMonitor is not a kind built into Kubernetes")
                .contains("ResourceQuota 'dbstack-virtual-cluster' is an object dbstack makes for app 'shop' itself");
    }

    @Test
    void secretOutputsOnlyInASecretsStringData(@TempDir Path dir) {
        assertThat(problems(dir, "", """
                - name: ui
                  type: manifest
                  manifest: |
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    data: {pw: "%s"}
                """.formatted(PASSWORD)))
                .contains("layers[ui].manifest: data.pw: db.PASSWORD is a secret output: use it only in a Secret's stringData");
    }

    @Test
    void namesOtherLayersRenderAreRefused(@TempDir Path dir) {
        assertThat(problems(dir, "", """
                - name: ui
                  type: manifest
                  manifest: |
                    apiVersion: v1
                    kind: Service
                    metadata: {name: db}
                    spec: {ports: [{port: 80}]}
                """)).contains("layer 'ui' would create Service shop/db, which layer 'db' creates too");
    }

    @Test
    void patchAddsASidecarAnAnnotationAndATolerationToAStatefulSet(@TempDir Path dir) {
        RenderedStack stack = render(dir, """
                patches:
                  - kind: StatefulSet
                    name: db
                    patch:
                      metadata: {annotations: {team: data}}
                      spec:
                        template:
                          spec:
                            tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
                  - kind: StatefulSet
                    name: db
                    operations:
                      - {op: add, path: /spec/template/spec/containers/-, value: {name: exporter, image: "prom/postgres-exporter:v0.15.0"}}
                      - {op: test, path: /spec/serviceName, value: db-headless}
                """, "");
        StatefulSet sts = object(stack, "db", StatefulSet.class, "db");
        assertThat(sts.getMetadata().getAnnotations()).containsEntry("team", "data");
        assertThat(sts.getSpec().getTemplate().getSpec().getTolerations()).extracting("key").containsExactly("dedicated");
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers()).extracting("name").endsWith("exporter").hasSize(2);
        assertThat(KubernetesSchema.load().validate(sts)).isEmpty();
        String yaml = Manifests.toYaml(sts);
        assertThat(yaml).contains("prom/postgres-exporter:v0.15.0");
    }

    @Test
    void patchOnAManifestLayer(@TempDir Path dir) {
        RenderedStack stack = render(dir, "", """
                - name: ui
                  type: manifest
                  manifest: |
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    data: {x: "1"}
                  patches:
                    - {kind: ConfigMap, name: a, patch: {data: {x: null, y: "2"}}}
                """);
        assertThat(object(stack, "ui", ConfigMap.class, "a").getData()).isEqualTo(java.util.Map.of("y", "2"));
    }

    @Test
    void patchTargetingNothingGuardedFieldsAndFailedOperationsAreRefused(@TempDir Path dir) {
        String bad = problems(dir, """
                patches:
                  - {kind: StatefulSet, name: postgres, patch: {metadata: {annotations: {a: b}}}}
                  - {kind: StatefulSet, name: db, patch: {spec: {serviceName: other}}}
                  - kind: StatefulSet
                    name: db
                    operations: [{op: remove, path: /spec/volumeClaimTemplates/0}]
                  - kind: StatefulSet
                    name: db
                    operations: [{op: test, path: /spec/replicas, value: 3}]
                  - kind: Service
                    name: db
                    operations: [{op: replace, path: /spec/nothing/here, value: 1}]
                  - {kind: Secret, name: db-credentials, patch: {data: {PASSWORD: eA==}}}
                  - {kind: StatefulSet, name: db, patch: {spec: {replicas: many}}}
                """, "");
        assertThat(bad)
                .contains("stacks/Pulumi.test.yaml:11: config.dbstack:profiles[shop].layers[db].patches[0]: targets nothing:"
                        + " layer 'db' renders no StatefulSet postgres; it renders ")
                .contains("StatefulSet db, ")
                .contains("patches[1]: changes spec.serviceName of StatefulSet db, which dbstack guards")
                .contains("patches[2]: changes spec.volumeClaimTemplates of StatefulSet db")
                .contains("patches[3].operations[0]: test /spec/replicas on StatefulSet db failed: Expected value 3 but found value 1")
                .contains("patches[4].operations[0]: replace /spec/nothing/here on Service db failed: Missing field \"nothing\"")
                .contains("patches[5]: changes data of Secret db-credentials")
                .contains("patches[6]: the patched StatefulSet db does not match the Kubernetes schema: StatefulSet.spec.replicas:"
                        + " expected an integer");
    }

    @Test
    void patchFormIsCheckedWhenLoading(@TempDir Path dir) {
        String bad = problems(dir, """
                patches:
                  - {kind: StatefulSet, name: db}
                  - {kind: StatefulSet, name: db, operations: [{op: ad, path: /x}, {op: add, path: x, value: 1}, {op: move, path: /x}]}
                  - {kind: StatefulSet, name: db, patch: {metadata: {annotations: {a: "%s"}}}}
                """.formatted(HOST), "");
        assertThat(bad).contains("patches[0].patch: missing: give patch:")
                .contains("patches[1].operations[0].op: unknown operation 'ad'; did you mean 'add'?")
                .contains("patches[1].operations[1].path: 'x' is not a JSON pointer")
                .contains("patches[1].operations[2].from: missing")
                .contains("patches[2].patch: metadata.annotations.a: output references are not allowed in patches");
    }

    @Test
    void laterLayersMayDependOnAManifestLayerButItExposesNoOutputs(@TempDir Path dir) {
        String above = INLINE + """
                - {name: api, type: container, image: "ghcr.io/acme/api:1", autoEnv: false, dependsOn: [ui]}
                """;
        RenderedStack stack = render(dir, "", above);
        assertThat(stack.graph().providersOf(new ServiceId("shop", "api"))).extracting(d -> d.provider().layer())
                .containsExactly("ui");
        assertThat(problems(dir, "", INLINE + """
                - name: api
                  type: container
                  image: "ghcr.io/acme/api:1"
                  env: {X: "{{.spectro.app.$appDeploymentName.ui.HOST}}"}
                """)).contains("layer 'api' consumes ui.HOST, but layer 'ui' (manifest) does not expose HOST (it exposes no"
                + " output variables)");
    }

    @Test
    void workloadPodsCarryTheLayersSelectorLabelsSoDatabasePoliciesAdmitThem(@TempDir Path dir) {
        RenderedStack stack = render(dir, "", """
                - name: ui
                  type: manifest
                  manifest: |
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: web}
                    spec:
                      selector: {matchLabels: {app: web}}
                      template:
                        metadata: {labels: {app: web}}
                        spec:
                          containers:
                            - name: web
                              image: nginx:1.27
                              env: [{name: DB, value: "%s"}]
                """.formatted(HOST));
        io.fabric8.kubernetes.api.model.apps.Deployment web = object(stack, "ui", io.fabric8.kubernetes.api.model.apps.Deployment.class, "web");
        assertThat(web.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry(Labels.APP, "shop").containsEntry(Labels.LAYER, "ui");
        assertThat(web.getSpec().getSelector().getMatchLabels()).isEqualTo(java.util.Map.of("app", "web"));
        assertThat(KubernetesSchema.load().validate(web)).isEmpty();
        io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy = object(stack, "db",
                io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, "db-ingress");
        assertThat(policy.getSpec().getIngress().toString()).contains("dbstack.dev/layer=ui");
    }

    @Test
    void renderIsDeterministic(@TempDir Path dir) {
        List<HasMetadata> a = render(dir, "", INLINE).service(new ServiceId("shop", "ui")).objects();
        List<HasMetadata> b = render(dir, "", INLINE).service(new ServiceId("shop", "ui")).objects();
        assertThat(Manifests.toYaml(a)).isEqualTo(Manifests.toYaml(b));
    }
}
