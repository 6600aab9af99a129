package dev.dbstack.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh in-memory sandbox per test, with the example stack's namespace. */
abstract class SandboxTestBase {
    protected Sandbox sandbox;
    protected KubernetesClient client;

    @BeforeEach
    void startSandbox() {
        sandbox = Sandbox.start();
        client = sandbox.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
    }

    @AfterEach
    void stopSandbox() {
        sandbox.close();
    }
}
