package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.apply.Applier;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.cluster.RequestCounter.Type;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Planner;
import dev.dbstack.render.Labels;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning reads: one LIST per kind for the whole stack, in all namespaces, kept to the stack's own; the
 * claims its StatefulSets made (which carry no stack label) are seen; a kind RBAC forbids to list in all
 * namespaces is listed in each of the stack's instead, and {@code -v} is told.
 */
class LiveReaderTest {
    private static final String STACK_YAML = """
            config:
              dbstack:clusterGroups: [{name: g, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: db, type: postgresql, version: "17", storage: 1}
                    - {name: api, type: container, image: busybox, ports: [80], volume: {size: 1, mountPath: /data}, dependsOn: [db]}
              dbstack:apps:
                - {name: alpha, profile: p}
                - {name: beta, profile: p}
                - {name: gamma, profile: p}
            """;

    @TempDir
    Path dir;

    /** The stack rendered, applied to {@code sandbox}; and, outside its namespaces, objects that look like its own. */
    private RenderedStack applied(Sandbox sandbox) {
        TestProject project = TestProject.create(dir, STACK_YAML);
        RenderedStack stack = new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
        Plan plan = Planner.plan("p", TestProject.STACK, stack, Catalog.builtIn(), Planner.Known.nothing(),
                new Planner.Live(Map.of(), Set.of("standard"), "standard"), Planner.Options.NONE);
        Applier.Result r = new Applier(sandbox.client(), 4, Duration.ofSeconds(60), line -> { }).apply(plan, stack.graph(),
                dev.dbstack.testing.NoState.RECORDER);
        assertThat(r.ok()).as("%s", r.errors()).isTrue();
        KubernetesClient c = sandbox.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("elsewhere").endMetadata().build()).create();
        c.secrets().resource(new SecretBuilder().withNewMetadata().withName("db-credentials").withNamespace("elsewhere")
                .addToLabels(Labels.STACK, TestProject.STACK).endMetadata().build()).create();
        c.persistentVolumeClaims().resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-db-0")
                .withNamespace("elsewhere").addToLabels(Labels.APP, "alpha").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec().build()).create();
        return stack;
    }

    @Test
    void oneListPerKindForTheWholeStackKeptToItsNamespacesWithTheClaimsItsStatefulSetsMade() {
        try (Sandbox sandbox = Sandbox.start()) {
            RenderedStack stack = applied(sandbox);
            RequestCounter counter = new RequestCounter();
            try (KubernetesClient client = counter.counting(sandbox.client())) {
                List<String> notes = new ArrayList<>();
                Planner.Live live = LiveReader.read(client, TestProject.STACK, stack.allObjects(), Planner.Known.nothing(), notes::add);

                assertThat(counter.snapshot().byKey()).isEqualTo(Map.of("LIST namespaces", 1L, "LIST resourcequotas", 1L,
                        "LIST limitranges", 1L, "LIST secrets", 1L, "LIST services", 1L, "LIST statefulsets", 1L,
                        "LIST deployments", 1L, "LIST persistentvolumeclaims", 1L, "LIST networkpolicies", 1L,
                        "LIST storageclasses", 1L));
                assertThat(notes).isEmpty();
                Map<ObjectRef, JsonNode> objects = live.objects();
                for (HasMetadata o : stack.allObjects()) assertThat(objects).containsKey(ObjectRef.of(o));
                for (String ns : List.of("alpha", "beta", "gamma")) {
                    ObjectRef claim = new ObjectRef("v1", "PersistentVolumeClaim", ns, "data-db-0");
                    assertThat(objects).as("made by the StatefulSet, without the stack's label").containsKey(claim);
                    assertThat(objects.get(claim).path("metadata").path("labels").has(Labels.STACK)).isFalse();
                    assertThat(live.claimsOf(ns, "db", List.of("data"))).containsExactly(claim);
                }
                assertThat(objects.keySet()).as("nothing outside the stack's namespaces").noneMatch(r -> r.namespace().equals("elsewhere"));
                assertThat(objects).hasSize(stack.allObjects().size() + 3);
                assertThat(live.expandableStorageClasses()).containsExactly(Sandbox.DEFAULT_STORAGE_CLASS);
            }
        }
    }

    @Test
    void aKindRbacForbidsToListInAllNamespacesIsListedInEachOfTheStacksAndVerboseIsTold() {
        try (Sandbox sandbox = Sandbox.start()) {
            RenderedStack stack = applied(sandbox);
            Map<ObjectRef, JsonNode> whole = LiveReader.read(sandbox.client(), TestProject.STACK, stack.allObjects(),
                    Planner.Known.nothing()).objects();
            // Secrets first, so that the refused request is the LIST of Secrets in all namespaces.
            List<HasMetadata> secretsFirst = new ArrayList<>(stack.allObjects().stream().filter(o -> o.getKind().equals("Secret")).toList());
            stack.allObjects().stream().filter(o -> !o.getKind().equals("Secret")).forEach(secretsFirst::add);
            RequestCounter counter = new RequestCounter();
            try (KubernetesClient client = counter.counting(sandbox.client())) {
                List<String> notes = new ArrayList<>();
                sandbox.injectFaults(1, 403);
                Planner.Live live = LiveReader.read(client, TestProject.STACK, secretsFirst, Planner.Known.nothing(), notes::add);

                assertThat(live.objects().keySet()).isEqualTo(whole.keySet());
                assertThat(counter.snapshot().of(Type.LIST, "secrets")).as("the refused LIST, then one per namespace").isEqualTo(1 + 3);
                assertThat(counter.snapshot().of(Type.LIST, "statefulsets")).as("other kinds still in one").isEqualTo(1);
                assertThat(notes).singleElement().asString().startsWith("note: listing Secret in all namespaces with label "
                        + Labels.STACK + "=" + TestProject.STACK + " is forbidden (HTTP 403").endsWith(
                        "listed it in each of the stack's 3 namespaces instead");
            }
        }
    }
}
