package dev.dbstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cluster.RequestCounter.Request;
import dev.dbstack.cluster.RequestCounter.Type;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Requests told apart by their method and path, as the API server would, and counted on the client. */
class RequestCounterTest {
    private static Request get(String path) {
        return RequestCounter.classify("GET", URI.create("https://k8s:6443" + path));
    }

    @Test
    void listsGetsWatchesDiscoveryAndWritesByResource() {
        assertThat(get("/api/v1/secrets?labelSelector=dbstack.dev%2Fstack%3Ddev")).isEqualTo(new Request(Type.LIST, "secrets"));
        assertThat(get("/api/v1/namespaces/shop/secrets")).isEqualTo(new Request(Type.LIST, "secrets"));
        assertThat(get("/api/v1/namespaces/shop/secrets/db-credentials")).isEqualTo(new Request(Type.GET, "secrets"));
        assertThat(get("/apis/apps/v1/statefulsets?labelSelector=a")).isEqualTo(new Request(Type.LIST, "statefulsets"));
        assertThat(get("/apis/apps/v1/namespaces/shop/statefulsets/db/status")).isEqualTo(new Request(Type.GET, "statefulsets"));
        assertThat(get("/api/v1/namespaces")).isEqualTo(new Request(Type.LIST, "namespaces"));
        assertThat(get("/api/v1/namespaces/shop")).isEqualTo(new Request(Type.GET, "namespaces"));
        assertThat(get("/api/v1/namespaces/shop/status")).isEqualTo(new Request(Type.GET, "namespaces"));
        assertThat(get("/apis/storage.k8s.io/v1/storageclasses")).isEqualTo(new Request(Type.LIST, "storageclasses"));
        assertThat(get("/apis/apps/v1/namespaces/shop/deployments?watch=true&resourceVersion=5"))
                .isEqualTo(new Request(Type.WATCH, "deployments"));
        assertThat(get("/apis/apps/v1")).isEqualTo(new Request(Type.DISCOVERY, ""));
        assertThat(get("/version")).isEqualTo(new Request(Type.DISCOVERY, ""));
        assertThat(RequestCounter.classify("PATCH", URI.create("https://k8s/apis/apps/v1/namespaces/shop/deployments/api")))
                .isEqualTo(new Request(Type.WRITE, "deployments"));
        assertThat(RequestCounter.classify("POST", URI.create("https://k8s/api/v1/namespaces")))
                .isEqualTo(new Request(Type.WRITE, "namespaces"));
    }

    @Test
    void countsWhatTheClientSendsAsTheServerServesIt() {
        try (Sandbox sandbox = Sandbox.start()) {
            RequestCounter counter = new RequestCounter();
            try (KubernetesClient client = counter.counting(sandbox.client())) {
                long reads = sandbox.readRequests();
                long writes = sandbox.writeRequests();
                client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("s")
                        .endMetadata().build()).create();
                client.secrets().inAnyNamespace().withLabel("x").list();
                client.secrets().inNamespace("default").withName("s").get();
                RequestCounter.Counts before = counter.snapshot();
                client.apps().statefulSets().inNamespace("default").list();
                RequestCounter.Counts counts = counter.snapshot();

                assertThat(before.byKey()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("WRITE secrets", 1L,
                        "LIST secrets", 1L, "GET secrets", 1L));
                assertThat(counts.minus(before).byKey()).containsExactlyEntriesOf(java.util.Map.of("LIST statefulsets", 1L));
                assertThat(counts.summary()).isEqualTo("API: 3 reads (2 lists), 1 writes");
                assertThat(sandbox.readRequests() - reads).isEqualTo(counts.reads());
                assertThat(sandbox.writeRequests() - writes).isEqualTo(counts.writes());
            }
        }
    }
}
