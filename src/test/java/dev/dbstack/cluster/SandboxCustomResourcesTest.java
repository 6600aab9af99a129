package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbstack.testing.VeleroCrds;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CustomResourceDefinitions and their kinds, through the real fabric8 client. */
class SandboxCustomResourcesTest extends SandboxTestBase {

    static GenericKubernetesResource schedule(String name, String cron) {
        return new GenericKubernetesResourceBuilder().withApiVersion("velero.io/v1").withKind("Schedule")
                .withNewMetadata().withName(name).withNamespace(VeleroCrds.NAMESPACE).addToLabels("app", "shop").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("schedule", cron,
                        "template", Map.of("includedNamespaces", List.of("shop"), "ttl", "168h0m0s"))))
                .build();
    }

    private void veleroNamespace() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(VeleroCrds.NAMESPACE).endMetadata().build()).create();
    }

    @Test
    void crdsAreClusterScopedObjectsThatAreEstablishedAtOnce() {
        VeleroCrds.install(client);
        var crds = client.apiextensions().v1().customResourceDefinitions();
        assertThat(crds.list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("schedules.velero.io", "backups.velero.io", "restores.velero.io", "backupstoragelocations.velero.io");
        CustomResourceDefinition schedules = crds.withName("schedules.velero.io").get();
        assertThat(schedules.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Established");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(schedules.getStatus().getAcceptedNames().getKind()).isEqualTo("Schedule");
        assertThatThrownBy(() -> crds.resource(VeleroCrds.definitions().get(0)).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        CustomResourceDefinition misnamed = new CustomResourceDefinitionBuilder(VeleroCrds.definitions().get(0))
                .editMetadata().withName("wrong.velero.io").endMetadata().build();
        assertThatThrownBy(() -> crds.resource(misnamed).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("must be spec.names.plural+\".\"+spec.group");
                });
    }

    @Test
    void aScheduleIsCreatedReadListedPatchedAndDeletedThroughTheGenericClient() {
        VeleroCrds.install(client);
        veleroNamespace();
        var schedules = client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(VeleroCrds.NAMESPACE);
        GenericKubernetesResource created = schedules.resource(schedule("shop", "0 3 * * *")).create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);

        GenericKubernetesResource read = schedules.withName("shop").get();
        assertThat(read.<String>get("spec", "schedule")).isEqualTo("0 3 * * *");
        assertThat(client.genericKubernetesResources("velero.io/v1", "Schedule").inAnyNamespace().list().getItems())
                .extracting(s -> s.getMetadata().getName()).contains("shop");
        assertThat(schedules.withLabel("app", "shop").list().getItems()).hasSize(1);
        assertThat(schedules.withLabel("app", "other").list().getItems()).isEmpty();

        GenericKubernetesResource patched = schedules.withName("shop").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"schedule\":\"0 4 * * *\"}}");
        assertThat(patched.<String>get("spec", "schedule")).isEqualTo("0 4 * * *");
        assertThat(patched.getMetadata().getGeneration()).isGreaterThan(created.getMetadata().getGeneration());

        // The typeless client over an explicit context works the same way.
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("Schedule").withPlural("schedules").withNamespaced(true).build();
        assertThat(client.genericKubernetesResources(context).inNamespace(VeleroCrds.NAMESPACE).withName("shop").get()).isNotNull();
        // client.resource(...) of a generic object finds the kind by discovery.
        assertThat(client.resource(schedule("other", "@daily")).create().getMetadata().getName()).isEqualTo("other");

        assertThat(schedules.withName("shop").delete()).hasSize(1);
        assertThat(schedules.withName("shop").get()).isNull();
    }

    @Test
    void aKindWhoseCrdIsNotInstalledIsNotFound() {
        veleroNamespace();
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("Schedule").withPlural("schedules").withNamespaced(true).build();
        var schedules = client.genericKubernetesResources(context).inNamespace(VeleroCrds.NAMESPACE);
        assertThatThrownBy(() -> schedules.resource(schedule("shop", "@daily")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        VeleroCrds.install(client);
        ResourceDefinitionContext unknown = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("Widget").withPlural("widgets").withNamespaced(true).build();
        assertThat(client.genericKubernetesResources(unknown).inNamespace(VeleroCrds.NAMESPACE).withName("x").get()).isNull();
        assertThatThrownBy(() -> client.genericKubernetesResources(unknown).inNamespace(VeleroCrds.NAMESPACE).list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        ResourceDefinitionContext v2 = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v2")
                .withKind("Schedule").withPlural("schedules").withNamespaced(true).build();
        assertThatThrownBy(() -> client.genericKubernetesResources(v2).inNamespace(VeleroCrds.NAMESPACE).list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        // Built-in groups keep working without any CRD.
        assertThat(client.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    }

    @Test
    void writesArePrunedToTheCrdsSchemaAndWrongTypesAreRefused() {
        VeleroCrds.install(client);
        veleroNamespace();
        GenericKubernetesResource s = schedule("shop", "@daily");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = new java.util.HashMap<>((Map<String, Object>) s.getAdditionalProperties().get("spec"));
        spec.put("retention", "30d");
        s.setAdditionalProperty("spec", spec);
        s.setAdditionalProperty("extra", true);
        GenericKubernetesResource created = client.resource(s).create();
        assertThat(created.getAdditionalProperties()).doesNotContainKey("extra");
        assertThat(created.<Map<String, Object>>get("spec")).doesNotContainKey("retention").containsKey("schedule");

        spec.put("paused", "no");
        spec.remove("schedule");
        GenericKubernetesResource broken = schedule("broken", "@daily");
        broken.setAdditionalProperty("spec", spec);
        assertThatThrownBy(() -> client.resource(broken).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("Schedule.velero.io \"broken\" is invalid: [")
                            .contains("spec.schedule: Required value")
                            .contains("spec.paused: Invalid value: \"string\": spec.paused in body must be of type boolean: \"string\"");
                });
        assertThatThrownBy(() -> client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(VeleroCrds.NAMESPACE)
                .withName("shop").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"template\":{\"ttl\":720}}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }

    @Test
    void anObjectWrittenInOneVersionReadsInAnother() {
        CustomResourceDefinition gadgets = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("gadgets.example.dev").endMetadata()
                .withNewSpec().withGroup("example.dev").withScope("Namespaced")
                .withNewNames().withKind("Gadget").withPlural("gadgets").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion()
                .addNewVersion().withName("v1beta1").withServed(true).withStorage(false)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(gadgets).create();
        client.resource(new GenericKubernetesResourceBuilder().withApiVersion("example.dev/v1beta1").withKind("Gadget")
                .withNewMetadata().withName("g").withNamespace("shop").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("a", 1))).build()).create();
        GenericKubernetesResource v1 = client.genericKubernetesResources("example.dev/v1", "Gadget").inNamespace("shop").withName("g").get();
        assertThat(v1.getApiVersion()).isEqualTo("example.dev/v1");
        assertThat(v1.<Integer>get("spec", "a")).isEqualTo(1);
        assertThat(client.getApiGroup("example.dev").getPreferredVersion().getVersion()).isEqualTo("v1");
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("gadgets.example.dev").get()
                .getStatus().getStoredVersions()).containsExactly("v1");
    }

    @Test
    void deletingACrdDeletesItsObjects() {
        VeleroCrds.install(client);
        veleroNamespace();
        client.resource(schedule("shop", "@daily")).create();
        client.apiextensions().v1().customResourceDefinitions().withName("schedules.velero.io").delete();
        VeleroCrds.definitions().stream().filter(c -> c.getMetadata().getName().equals("schedules.velero.io"))
                .forEach(c -> client.apiextensions().v1().customResourceDefinitions().resource(c).create());
        assertThat(client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(VeleroCrds.NAMESPACE).list().getItems()).isEmpty();
    }

    @Test
    void discoveryListsTheCrdGroupsAndTheirResources() {
        assertThat(client.getApiGroup("velero.io")).isNull();
        VeleroCrds.install(client);
        assertThat(client.getApiGroups().getGroups()).extracting(APIGroup::getName).contains("velero.io", "apiextensions.k8s.io");
        APIGroup velero = client.getApiGroup("velero.io");
        assertThat(velero.getPreferredVersion().getGroupVersion()).isEqualTo("velero.io/v1");
        List<APIResource> resources = client.getApiResources("velero.io/v1").getResources();
        assertThat(resources).extracting(APIResource::getName)
                .containsExactlyInAnyOrder("schedules", "backups", "restores", "backupstoragelocations");
        assertThat(resources).filteredOn(r -> r.getName().equals("backupstoragelocations")).singleElement()
                .satisfies(r -> {
                    assertThat(r.getKind()).isEqualTo("BackupStorageLocation");
                    assertThat(r.getNamespaced()).isTrue();
                    assertThat(r.getShortNames()).contains("bsl");
                });
    }

    @Test
    void theStatusSubresourceOnlyWhereTheCrdDeclaresIt() {
        CustomResourceDefinition widgets = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("widgets.example.dev").endMetadata()
                .withNewSpec().withGroup("example.dev").withScope("Cluster")
                .withNewNames().withKind("Widget").withPlural("widgets").withSingular("widget").withListKind("WidgetList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(widgets).create();
        var all = client.genericKubernetesResources("example.dev/v1", "Widget");
        GenericKubernetesResource w = new GenericKubernetesResourceBuilder().withApiVersion("example.dev/v1").withKind("Widget")
                .withNewMetadata().withName("w").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("size", 1), "status", Map.of("ready", true))).build();
        GenericKubernetesResource created = all.resource(w).create();
        assertThat(created.getMetadata().getNamespace()).isNull();

        // A write to the object keeps the stored status; a write to /status changes only the status.
        created.setAdditionalProperty("status", Map.of("ready", false));
        created.setAdditionalProperty("spec", Map.of("size", 2));
        GenericKubernetesResource updated = all.resource(created).update();
        GenericKubernetesResource after = all.withName("w").get();
        assertThat(after.<Integer>get("spec", "size")).isEqualTo(2);
        assertThat(after.getAdditionalProperties()).doesNotContainKey("status");
        after.setAdditionalProperty("status", Map.of("ready", true));
        after.setAdditionalProperty("spec", Map.of("size", 3));
        all.resource(after).updateStatus();
        GenericKubernetesResource last = all.withName("w").get();
        assertThat(last.<Boolean>get("status", "ready")).isTrue();
        assertThat(last.<Integer>get("spec", "size")).isEqualTo(2);
        assertThat(updated).isNotNull();

        // Velero's Schedule declares no status subresource: /status is not served.
        VeleroCrds.install(client);
        veleroNamespace();
        GenericKubernetesResource s = client.resource(schedule("shop", "@daily")).create();
        s.setAdditionalProperty("status", Map.of("phase", "Enabled"));
        assertThatThrownBy(() -> client.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(VeleroCrds.NAMESPACE)
                .resource(s).updateStatus())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void crdsAndCustomResourcesSurviveARestart(@TempDir Path dir) {
        String uid;
        try (Sandbox first = Sandbox.start(dir)) {
            var c = first.client();
            VeleroCrds.installWithDefaultLocation(c); // a sandbox kept on disk comes with them: then nothing to do
            uid = c.resource(schedule("shop", "0 3 * * *")).create().getMetadata().getUid();
        }
        try (Sandbox second = Sandbox.start(dir)) {
            var c = second.client();
            assertThat(c.apiextensions().v1().customResourceDefinitions().list().getItems()).hasSize(4);
            GenericKubernetesResource s = c.genericKubernetesResources("velero.io/v1", "Schedule").inNamespace(VeleroCrds.NAMESPACE)
                    .withName("shop").get();
            assertThat(s).isNotNull();
            assertThat(s.getMetadata().getUid()).isEqualTo(uid);
            assertThat(c.getApiResources("velero.io/v1").getResources()).extracting(APIResource::getName).contains("schedules");
        }
    }
}
