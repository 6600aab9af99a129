package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;

/**
 * dbstack's embedded Kubernetes API for machines with no cluster: an API server of its own
 * ({@link SandboxApi} over the indexed {@link SandboxObjects}) served on loopback by
 * {@link SandboxHttp} and reached through the real fabric8 client, with the controller behaviour of
 * {@link SandboxControllers}. It runs no containers.
 */
public final class Sandbox implements AutoCloseable {
    public static final String DEFAULT_STORAGE_CLASS = "standard";
    /**
     * How long the sandbox's StatefulSets and Deployments take to report ready replicas after the
     * controllers first see them, as a duration ({@code 2s}, {@code 500ms}); default 0, at once. Set in
     * the environment ({@code DBSTACK_SANDBOX_READY_AFTER}) or as a system property
     * ({@code dbstack.sandbox.readyAfter}): to watch progress and {@code --timeout} without a cluster.
     */
    public static final String READY_AFTER = "DBSTACK_SANDBOX_READY_AFTER";

    private final SandboxApi api;
    private final SandboxControllers controllers;
    private final SandboxStore store;
    private SandboxHttp http;
    private KubernetesClient client;

    private Sandbox(SandboxStore store) {
        this.api = new SandboxApi(new SandboxObjects());
        this.controllers = new SandboxControllers(api);
        this.store = store;
    }

    /** {@link #READY_AFTER}, read once per sandbox; a value that is not a duration is an error that says so. */
    static java.time.Duration readyAfter() {
        String value = System.getProperty("dbstack.sandbox.readyAfter", System.getenv(READY_AFTER));
        if (value == null || value.isBlank()) return java.time.Duration.ZERO;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)").matcher(value.trim());
        if (!m.matches()) {
            throw dev.dbstack.model.UserInputException.of(new dev.dbstack.model.SourceRef("", 0), READY_AFTER,
                    "must be a duration such as 500ms, 2s or 1m, not '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            default -> java.time.Duration.ofMinutes(n);
        };
    }

    /** The controllers' last failure, if any. */
    public RuntimeException controllerError() {
        return controllers.lastError();
    }

    /**
     * Starts the sandbox kept in {@code dir}: what earlier runs left there is loaded, and every
     * write is journalled there before it is acknowledged, so a killed process loses nothing the
     * API confirmed, like a real cluster.
     */
    public static Sandbox start(Path dir) {
        return start(dir, false);
    }

    /**
     * @param readOnly load what is kept in {@code dir} but never write there (for preview, which
     *                 holds no lock and must not disturb a concurrent {@code up})
     */
    public static Sandbox start(Path dir, boolean readOnly) {
        SandboxStore store = new SandboxStore(dir);
        Sandbox sandbox = new Sandbox(readOnly ? null : store);
        boolean fresh = !store.restore(sandbox.api);
        if (!readOnly) sandbox.api.objects().listen(store::record);
        // A new sandbox comes with Velero, as a cluster with backups would (kept like every object, so a sandbox whose
        // Velero was removed stays without it); read-only, only in memory, until the first `up` keeps it.
        if (fresh) SandboxVelero.install(sandbox.api);
        sandbox.serve();
        if (fresh) sandbox.awaitDefaultLocation();
        return sandbox;
    }

    /** Until the simulated Velero has validated the new storage location (at once, on the controllers' thread). */
    private void awaitDefaultLocation() {
        SandboxVelero velero = new SandboxVelero(api);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!api.objects().locked(() -> velero.available(SandboxVelero.NAMESPACE, SandboxVelero.DEFAULT_LOCATION))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the sandbox's Velero did not validate its storage location");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Starts an empty, in-memory sandbox with a default StorageClass that allows volume expansion. */
    public static Sandbox start() {
        return new Sandbox(null).serve();
    }

    private Sandbox serve() {
        ensureStorageClass();
        // Finishes whatever cascade the last run left pending (a kill can interrupt one).
        api.collectGarbage();
        controllers.start();
        http = new SandboxHttp(api);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(http.url())
                .withNamespace("test").withHttp2Disable(true).withRequestRetryBackoffLimit(0).build()).build();
        return this;
    }

    /** The default StorageClass, created once: a start that finds it writes nothing. */
    private void ensureStorageClass() {
        ApiPath classes = new ApiPath("storage.k8s.io", "v1", null, "storageclasses", null, null);
        if (api.get(classes.named(DEFAULT_STORAGE_CLASS)).ok()) return;
        ObjectNode sc = SandboxApi.JSON.createObjectNode().put("apiVersion", "storage.k8s.io/v1").put("kind", "StorageClass");
        sc.putObject("metadata").put("name", DEFAULT_STORAGE_CLASS).putObject("annotations")
                .put("storageclass.kubernetes.io/is-default-class", "true");
        sc.put("provisioner", "sandbox.dbstack.dev/hostpath").put("allowVolumeExpansion", true).put("reclaimPolicy", "Retain");
        api.create(classes, sc);
    }

    /** A fabric8 client talking HTTP to this sandbox. */
    public KubernetesClient client() {
        return client;
    }

    /** Write requests served so far (POST, PUT, PATCH, DELETE). */
    public long writeRequests() {
        return http.writes();
    }

    public long readRequests() {
        return http.reads();
    }

    /** Makes the next {@code count} requests fail with HTTP {@code code}: for retry tests. */
    public void injectFaults(int count, int code) {
        http.injectFaults(count, code);
    }

    /**
     * For tests and benchmarks: the StatefulSet, Deployment or Velero Restore {@code namespace/name} (now or created
     * later) reports no ready or available replicas until {@code readyAfter} accepts how long ago the
     * controllers first saw it, e.g. {@code age -> age.toMillis() >= 2000} for a slow database, or
     * {@code age -> released.get()} for one a test lets go.
     */
    public void holdReadiness(String namespace, String name, java.util.function.Predicate<java.time.Duration> readyAfter) {
        controllers.holdReadiness(namespace, name, readyAfter);
    }

    /**
     * For tests: fires the Velero Schedule {@code namespace/name} now, as its cron would, and returns the
     * name of the Backup it made ({@code <schedule>-<yyyyMMddHHmmss>}, labelled {@code velero.io/schedule-name}),
     * which then completes like any other. Needs Velero's CRDs installed.
     */
    public String runSchedule(String namespace, String name) {
        return controllers.runSchedule(namespace, name);
    }

    /**
     * Makes the next {@code count} writes happen and then lose their answer: the client sees 504, as
     * when a proxy times out after the API server did the work. For retry tests.
     */
    public void loseAnswers(int count) {
        http.loseAnswers(count);
    }

    @Override
    public void close() {
        controllers.close();
        client.close();
        http.close();
        if (store != null) {
            store.compact(api.objects(), false);
            store.closeJournal();
        }
    }
}
