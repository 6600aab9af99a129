package dev.dbstack.cluster;

import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * dbstack's embedded Kubernetes API for machines with no cluster: fabric8's mock server in CRUD
 * mode on loopback, reached over HTTP through the real fabric8 client, with the API rules of
 * {@link SandboxDispatcher} and the controller behaviour of {@link SandboxControllers}. It runs no
 * containers.
 */
public final class Sandbox implements AutoCloseable {
    public static final String DEFAULT_STORAGE_CLASS = "standard";
    /**
     * The mock web server narrates every connection through java.util.logging; dbstack's output is
     * its own. Held in a field because JUL forgets the level of a logger nobody references.
     */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final SandboxDispatcher dispatcher;
    private final KubernetesClient client;
    private final KubernetesClient controllerClient;
    private final SandboxControllers controllers;
    private SandboxStore store;

    private Sandbox(KubernetesMockServer server, SandboxDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.client = server.createClient();
        this.controllerClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                        .withUserAgent(SandboxDispatcher.CONTROLLER_AGENT).build()).build();
        this.controllers = new SandboxControllers(controllerClient, dispatcher);
    }

    /** The controllers' last failure, if any (they retry on every tick). */
    public RuntimeException controllerError() {
        return controllers.lastError();
    }

    /**
     * Starts the sandbox kept in {@code dir}: what earlier runs left there is loaded, and every
     * write is journalled there before it is acknowledged, so a killed process loses nothing the
     * API confirmed, like a real cluster.
     */
    public static Sandbox start(java.nio.file.Path dir) {
        return start(dir, false);
    }

    /**
     * @param readOnly load what is kept in {@code dir} but never write there (for preview, which
     *                 holds no lock and must not disturb a concurrent {@code up})
     */
    public static Sandbox start(java.nio.file.Path dir, boolean readOnly) {
        SandboxStore store = new SandboxStore(dir);
        Sandbox sandbox = startServer();
        sandbox.dispatcher.restoring(true);
        store.restore(sandbox.controllerClient);
        sandbox.dispatcher.restoring(false);
        if (!readOnly) {
            store.compact(sandbox.dispatcher.storedObjects());
            sandbox.dispatcher.afterWrite(store::record);
            sandbox.store = store;
        }
        // Finishes whatever cascade the last run left pending (a close or a kill can interrupt one).
        sandbox.dispatcher.collectGarbage();
        sandbox.controllers.start();
        return sandbox;
    }

    /** Starts an empty, in-memory sandbox with a default StorageClass that allows volume expansion. */
    public static Sandbox start() {
        Sandbox sandbox = startServer();
        sandbox.controllers.start();
        return sandbox;
    }

    /** The API server with its default StorageClass; the controllers are not started yet. */
    private static Sandbox startServer() {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        SandboxDispatcher dispatcher = new SandboxDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        try {
            server.init(InetAddress.getLoopbackAddress(), 0);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the sandbox API server on loopback", e);
        }
        Sandbox sandbox = new Sandbox(server, dispatcher);
        sandbox.controllerClient.storage().v1().storageClasses().resource(new StorageClassBuilder()
                .withNewMetadata().withName(DEFAULT_STORAGE_CLASS)
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner("sandbox.dbstack.dev/hostpath")
                .withAllowVolumeExpansion(true)
                .withReclaimPolicy("Retain")
                .build()).createOr(existing -> existing.update());
        return sandbox;
    }

    /** A fabric8 client talking HTTP to this sandbox. */
    public KubernetesClient client() {
        return client;
    }

    /** Write requests served so far (POST, PUT, PATCH, DELETE). */
    public long writeRequests() {
        return dispatcher.writes();
    }

    /** Makes the next {@code count} requests (not the controllers') fail with HTTP {@code code}: for retry tests. */
    public void injectFaults(int count, int code) {
        dispatcher.injectFaults(count, code);
    }

    /**
     * For tests and benchmarks: the StatefulSet or Deployment {@code namespace/name} (now or created
     * later) reports no ready or available replicas until {@code readyAfter} accepts how long ago the
     * controllers first saw it, e.g. {@code age -> age.toMillis() >= 2000} for a slow database, or
     * {@code age -> released.get()} for one a test lets go.
     */
    public void holdReadiness(String namespace, String name, java.util.function.Predicate<java.time.Duration> readyAfter) {
        controllers.holdReadiness(namespace, name, readyAfter);
    }

    /**
     * Makes the next {@code count} writes (not the controllers') happen and then lose their answer: the
     * client sees 504, as when a proxy times out after the API server did the work. For retry tests.
     */
    public void loseAnswers(int count) {
        dispatcher.loseAnswers(count);
    }

    public long readRequests() {
        return dispatcher.reads();
    }

    @Override
    public void close() {
        controllers.close();
        if (store != null) store.compact(dispatcher.storedObjects());
        controllerClient.close();
        client.close();
        server.destroy();
    }
}
