package dev.dbstack.engine;

import dev.dbstack.cluster.KubeconfigCluster;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.model.Project;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.state.BackendUrl;
import dev.dbstack.state.FileBackend;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.StackLock;
import dev.dbstack.state.StackState;
import dev.dbstack.state.StateBackend;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * Which backend a stack's state lives in, the Pulumi way: {@code DBSTACK_BACKEND_URL} if set, else
 * {@code backend.url} in {@code Pulumi.yaml}, else {@code file://} (the project's {@code .dbstack/}).
 * {@code PULUMI_BACKEND_URL} is deliberately not read: it names the Pulumi CLI's own backend
 * ({@code s3://}, {@code https://api.pulumi.com}...), which dbstack cannot use, and the same CI job
 * often runs both.
 */
public final class Backends {
    public static final String ENV = "DBSTACK_BACKEND_URL";

    private Backends() {}

    /** The backend URL in force for {@code project}, with where it was said. */
    public static BackendUrl url(Project project) {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            try {
                return BackendUrl.parse(env);
            } catch (IllegalArgumentException e) {
                throw UserInputException.of(new SourceRef("", 0), ENV, e.getMessage());
            }
        }
        if (project.backendUrl() == null) return BackendUrl.DEFAULT;
        return BackendUrl.parse(project.backendUrl()); // validated when Pulumi.yaml was read
    }

    /** A stack's backend and what it needed started: close in reverse (see {@link #close}). */
    public static final class Opened implements AutoCloseable {
        public final StateBackend backend;
        /** The sandbox started for a {@code kubernetes://sandbox/} backend, or null. */
        public final Sandbox sandbox;
        /** The client made for a {@code kubernetes://<context>/} backend, or null. */
        private final KubernetesClient client;
        /** For the sandbox: the project-local lock that makes this process the sandbox's only writer. */
        private final StackLock localLock;

        Opened(StateBackend backend, Sandbox sandbox, KubernetesClient client, StackLock localLock) {
            this.backend = backend;
            this.sandbox = sandbox;
            this.client = client;
            this.localLock = localLock;
        }

        @Override
        public void close() {
            try {
                if (sandbox != null) sandbox.close();
                if (client != null) client.close();
            } finally {
                if (localLock != null) localLock.close();
            }
        }
    }

    /**
     * Opens the backend of {@code stack}.
     *
     * @param command non-null for a run that writes (the embedded sandbox is then started writable, behind the
     *                project-local lock file, because it is a process of its own kept in {@code .dbstack/sandbox})
     */
    public static Opened open(Project project, String stack, String command) {
        BackendUrl url = url(project);
        if (!url.isKubernetes()) {
            Path root = url.path() == null || url.path().isEmpty() ? project.dir() : project.dir().resolve(url.path());
            return new Opened(new FileBackend(StackState.directory(root, stack), stack), null, null, null);
        }
        if (url.isSandbox()) {
            StackLock local = command == null ? null : StackLock.acquire(StackState.directory(project.dir(), stack), stack, command);
            try {
                Sandbox sandbox = Sandbox.start(project.dir().resolve(".dbstack").resolve("sandbox"), command == null);
                return new Opened(kubernetes(sandbox.client(), url, project, stack, command != null), sandbox, null, local);
            } catch (RuntimeException e) {
                if (local != null) local.close();
                throw e;
            }
        }
        SourceRef source = project.backendSource() != null && System.getenv(ENV) == null
                ? project.backendSource() : new SourceRef("", 0);
        String key = System.getenv(ENV) == null ? "backend.url" : ENV;
        KubernetesClient client = KubeconfigCluster.connect(url.context(), source, key);
        try {
            return new Opened(kubernetes(client, url, project, stack, command != null), null, client, null);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Opens the backend of {@code stack} for {@code dbstack cancel}, which removes the lock whoever holds it:
     * the embedded sandbox is started writable without its local lock, which {@link #breakLocalLock} removes.
     */
    public static Opened openToBreak(Project project, String stack) {
        BackendUrl url = url(project);
        if (url.isSandbox()) {
            Sandbox sandbox = Sandbox.start(project.dir().resolve(".dbstack").resolve("sandbox"), false);
            return new Opened(kubernetes(sandbox.client(), url, project, stack, false), sandbox, null, null);
        }
        return open(project, stack, null);
    }

    /** For a sandbox backend, the local lock a dead run left (see {@link #open}); empty otherwise. */
    public static java.util.Optional<Path> localLockDir(Project project, String stack) {
        return url(project).isSandbox() ? java.util.Optional.of(StackState.directory(project.dir(), stack)) : java.util.Optional.empty();
    }

    private static StateBackend kubernetes(KubernetesClient client, BackendUrl url, Project project, String stack,
                                           boolean writes) {
        KubernetesBackend backend = new KubernetesBackend(client, url, project.name(), stack);
        if (writes) backend.ensureNamespace();
        return backend;
    }
}
