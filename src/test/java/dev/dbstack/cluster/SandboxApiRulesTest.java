package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.testing.ShopStack;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The sandbox answers like a real API server where dbstack depends on it; through the real client. */
class SandboxApiRulesTest extends SandboxTestBase {
    private StatefulSet renderedStatefulSet() {
        return ShopStack.objects("postgresql-1").stream()
                .filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast).findFirst().orElseThrow();
    }

    @Test
    void immutableStatefulSetFieldsAreRejectedWithTheApiServersMessage() {
        client.resource(renderedStatefulSet()).create();
        // Let the controllers settle first: their status writes would otherwise make a change a 409, as on a real cluster.
        StatefulSet created = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").waitUntilCondition(
                s -> s.getStatus() != null && s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration()),
                10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();

        for (var change : java.util.List.<java.util.function.UnaryOperator<StatefulSet>>of(
                s -> new StatefulSetBuilder(s).editSpec().withServiceName("other").endSpec().build(),
                s -> new StatefulSetBuilder(s).editSpec().withPodManagementPolicy("Parallel").endSpec().build(),
                s -> new StatefulSetBuilder(s).editSpec().editSelector().addToMatchLabels("x", "y").endSelector().endSpec().build(),
                s -> new StatefulSetBuilder(s).editSpec().editFirstVolumeClaimTemplate().editSpec().editResources()
                        .addToRequests("storage", new Quantity("20Gi")).endResources().endSpec().endVolumeClaimTemplate().endSpec().build())) {
            StatefulSet live = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get();
            KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                    () -> client.resource(change.apply(live)).update());
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getStatus().getMessage()).isEqualTo("StatefulSet.apps \"postgresql-1\" is invalid: " + SandboxApi.STS_FORBIDDEN);
        }
        StatefulSet after = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get();
        assertThat(after.getSpec()).isEqualTo(created.getSpec());

        StatefulSet scaled = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\":{\"replicas\":2}}");
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scaled.getMetadata().getGeneration()).isGreaterThan(created.getMetadata().getGeneration() == null
                ? 0L : created.getMetadata().getGeneration());
    }

    @Test
    void claimsGrowOnlyOnExpandableClassesAndNeverShrink() {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("fixed").endMetadata()
                .withProvisioner("x").withAllowVolumeExpansion(false).build()).create();
        client.resource(claim("grows", null, "10Gi")).create();
        client.resource(claim("stuck", "fixed", "10Gi")).create();

        var grows = client.persistentVolumeClaims().inNamespace("shop").withName("grows");
        assertThat(grows.edit(c -> claim("grows", null, "15Gi")).getSpec().getResources().getRequests().get("storage"))
                .isEqualTo(new Quantity("15Gi"));
        KubernetesClientException shrink = catchThrowableOfType(KubernetesClientException.class,
                () -> grows.edit(c -> claim("grows", null, "5Gi")));
        assertThat(shrink.getCode()).isEqualTo(422);
        assertThat(shrink.getStatus().getMessage()).contains("field can not be less than");

        KubernetesClientException fixed = catchThrowableOfType(KubernetesClientException.class,
                () -> client.persistentVolumeClaims().inNamespace("shop").withName("stuck").edit(c -> claim("stuck", "fixed", "20Gi")));
        assertThat(fixed.getCode()).isEqualTo(403);
        assertThat(client.persistentVolumeClaims().inNamespace("shop").withName("stuck").get()
                .getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("10Gi"));
    }

    @Test
    void mergePatchesReplaceListsAndNullRemoves() {
        client.resource(renderedStatefulSet()).create();
        String patch = "{\"metadata\":{\"labels\":{\"app.kubernetes.io/part-of\":null}},"
                + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"postgresql\",\"image\":\"postgres:17.6\"}]}}}}";
        StatefulSet patched = client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch);
        assertThat(patched.getSpec().getTemplate().getSpec().getContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo("postgres:17.6"));
        assertThat(patched.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/part-of");
        assertThat(patched.getSpec().getVolumeClaimTemplates()).hasSize(1);
    }

    @Test
    void secretStringDataBecomesBase64Data() {
        client.resource(new SecretBuilder().withNewMetadata().withName("s").withNamespace("shop").endMetadata()
                .addToStringData("PASSWORD", "hunter2").build()).create();
        var stored = client.secrets().inNamespace("shop").withName("s").get();
        assertThat(stored.getStringData()).isNullOrEmpty();
        assertThat(new String(Base64.getDecoder().decode(stored.getData().get("PASSWORD")), StandardCharsets.UTF_8)).isEqualTo("hunter2");
    }

    @Test
    void aWriteCarryingAnOutdatedResourceVersionIsAConflictAndChangesNothing() {
        var map = client.configMaps().inNamespace("shop").withName("settings");
        String v1 = client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("settings")
                .withNamespace("shop").endMetadata().addToData("mode", "a").build()).create().getMetadata().getResourceVersion();
        var merge = io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE);

        String v2 = map.patch(merge, "{\"metadata\":{\"resourceVersion\":\"" + v1 + "\"},\"data\":{\"mode\":\"b\"}}")
                .getMetadata().getResourceVersion();
        assertThat(v2).as("the version it was read at: accepted").isNotEqualTo(v1);

        KubernetesClientException stale = catchThrowableOfType(KubernetesClientException.class,
                () -> map.patch(merge, "{\"metadata\":{\"resourceVersion\":\"" + v1 + "\"},\"data\":{\"mode\":\"c\"}}"));
        assertThat(stale.getCode()).isEqualTo(409);
        assertThat(stale.getStatus().getReason()).isEqualTo("Conflict");
        assertThat(stale.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on configmaps \"settings\": the object"
                + " has been modified; please apply your changes to the latest version and try again");
        assertThat(stale.getStatus().getDetails().getName()).isEqualTo("settings");
        assertThat(stale.getStatus().getDetails().getKind()).isEqualTo("configmaps");

        StatefulSet sts = client.resource(renderedStatefulSet()).create();
        KubernetesClientException apps = catchThrowableOfType(KubernetesClientException.class,
                () -> client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").patch(merge,
                        "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":3}}"));
        assertThat(apps.getStatus().getMessage()).startsWith("Operation cannot be fulfilled on statefulsets.apps \"postgresql-1\":");
        assertThat(apps.getStatus().getDetails().getGroup()).isEqualTo("apps");

        assertThat(map.get().getData()).containsEntry("mode", "b");
        assertThat(map.get().getMetadata().getResourceVersion()).isEqualTo(v2);
        assertThat(client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get().getSpec().getReplicas())
                .isEqualTo(sts.getSpec().getReplicas());
    }

    @Test
    void aCreateOfAnObjectThatExistsIsAlreadyExists() {
        client.resource(renderedStatefulSet()).create();
        KubernetesClientException exists = catchThrowableOfType(KubernetesClientException.class,
                () -> client.resource(renderedStatefulSet()).create());
        assertThat(exists.getCode()).isEqualTo(409);
        assertThat(exists.getStatus().getReason()).isEqualTo("AlreadyExists");
        assertThat(exists.getStatus().getMessage()).isEqualTo("statefulsets.apps \"postgresql-1\" already exists");
    }

    @Test
    void aDeleteWhosePreconditionsDoNotHoldIsAConflictAndDeletesNothing() {
        var created = client.resource(new SecretBuilder().withNewMetadata().withName("s").withNamespace("shop").endMetadata()
                .addToStringData("PASSWORD", "hunter2").build()).create();
        String version = created.getMetadata().getResourceVersion();
        client.secrets().inNamespace("shop").withName("s").edit(x -> new SecretBuilder(x).addToStringData("USER", "u").build());

        var secret = (io.fabric8.kubernetes.client.extension.ExtensibleResource<io.fabric8.kubernetes.api.model.Secret>)
                client.secrets().inNamespace("shop").withName("s");
        KubernetesClientException stale = catchThrowableOfType(KubernetesClientException.class,
                () -> secret.withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                        .lockResourceVersion(version).delete());
        assertThat(stale.getCode()).isEqualTo(409);
        assertThat(stale.getStatus().getReason()).isEqualTo("Conflict");
        String now = client.secrets().inNamespace("shop").withName("s").get().getMetadata().getResourceVersion();
        assertThat(stale.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on secrets \"s\": Precondition failed:"
                + " ResourceVersion in precondition: " + version + ", ResourceVersion in object meta: " + now);
        assertThat(client.secrets().inNamespace("shop").withName("s").get()).as("not deleted").isNotNull();

        // Orphan propagation releases dependents inside the DELETE: never when its preconditions fail.
        StatefulSet sts = client.resource(renderedStatefulSet()).create();
        var pod = client.pods().inNamespace("shop").withName("postgresql-1-0").waitUntilCondition(
                p -> p != null && p.getMetadata().getOwnerReferences() != null, 10, java.util.concurrent.TimeUnit.SECONDS);
        var orphaning = (io.fabric8.kubernetes.client.extension.ExtensibleResource<StatefulSet>)
                client.apps().statefulSets().inNamespace("shop").withName("postgresql-1");
        assertThat(catchThrowableOfType(KubernetesClientException.class, () -> orphaning
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN).lockResourceVersion("1")
                .delete()).getCode()).isEqualTo(409);
        assertThat(client.pods().inNamespace("shop").withName("postgresql-1-0").get().getMetadata().getOwnerReferences())
                .isEqualTo(pod.getMetadata().getOwnerReferences());
        assertThat(client.apps().statefulSets().inNamespace("shop").withName("postgresql-1").get().getMetadata().getUid())
                .isEqualTo(sts.getMetadata().getUid());

        assertThat(secret.withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                .lockResourceVersion(now).delete()).isNotEmpty();
        assertThat(client.secrets().inNamespace("shop").withName("s").get()).isNull();
    }

    private static PersistentVolumeClaim claim(String name, String storageClass, String size) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withStorageClassName(storageClass).withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
    }
}
