package dev.dbstack.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.catalog.Component;
import dev.dbstack.cluster.KubeconfigCluster;
import dev.dbstack.cluster.LiveReader;
import dev.dbstack.cluster.RequestCounter;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.LiveVersion;
import dev.dbstack.plan.Planner;
import dev.dbstack.plan.SavedPlan;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Recorded;
import dev.dbstack.plan.Retained;
import dev.dbstack.plan.Step;
import dev.dbstack.plan.Targets;
import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.render.CredentialSource;
import dev.dbstack.render.GeneratedCredentials;
import dev.dbstack.render.RenderedStack;
import dev.dbstack.render.Renderer;
import dev.dbstack.state.StateBackend;
import dev.dbstack.state.StackState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deployment engine for one stack run: its state, its lock, its secrets key and its clusters (kubeconfig
 * contexts, the embedded sandbox kept under {@code .dbstack/sandbox}, further ones under {@code .dbstack/sandbox-<name>}),
 * one counted client per cluster of the stack's apps. Operations take
 * options and return values — plans, apply results, drift — for a front door (the CLI) to print.
 */
public final class Engine implements AutoCloseable {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** The documented passphrase of sandbox stacks that set none: their secrets are only obfuscated. */
    public static final String SANDBOX_PASSPHRASE = "";

    private final LoadedStack stack;
    private final StackState state;
    /**
     * The stack's clusters, by name ({@code sandbox}, {@code sandbox:<name>} or a kubeconfig context), in the order
     * of the stack's apps; empty for a run that contacts none. Each with a counted client of this run's own.
     */
    private final Map<String, Cluster> clusters;
    /** What the run's reads had to do differently, for {@code -v} (a cluster-wide LIST that RBAC forbids). */
    private final List<String> notes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final PassphraseCrypter crypter;
    /** The default sandbox ({@code .dbstack/sandbox}) when a cluster of the stack is it, for {@link #requestStats}. */
    private final Sandbox sandbox;
    private final StateBackend.Lock lock;
    /** The stack's state backend and what it started (a sandbox or a client of its own). */
    private final Backends.Opened backend;
    /** The configuration a plan made by this run is made from (see {@link #open}). */
    private final ConfigDigest config;

    private Engine(LoadedStack stack, StackState state, Map<String, Cluster> clusters, PassphraseCrypter crypter,
                   Sandbox sandbox, StateBackend.Lock lock, Backends.Opened backend, ConfigDigest config) {
        this.stack = stack;
        this.state = state;
        this.clusters = clusters;
        Map<String, String> where = new java.util.HashMap<>(state.appClusters());
        stack.model().apps().forEach(a -> where.put(a.name(), stack.model().clusterGroupOf(a).cluster()));
        this.appClusterNames = Map.copyOf(where);
        this.crypter = crypter;
        this.sandbox = sandbox;
        this.lock = lock;
        this.backend = backend;
        this.config = config;
    }

    /**
     * @param command non-null to take the stack's lock (commands that write), named in the lock
     * @param err     where warnings go
     */
    public static Engine open(LoadedStack stack, String command, PrintStream err) {
        return open(stack, command, err, true);
    }

    /**
     * The stack's state and secrets without a cluster (for render, which must give the credentials
     * `up` deployed, yet contacts nothing).
     */
    public static Engine offline(LoadedStack stack, PrintStream err) {
        return open(stack, null, err, false);
    }

    /**
     * One cluster of the stack and this run's counted client for it.
     *
     * @param sandbox the sandbox this run started for it (closed with the run), or null (a context, or the backend's)
     */
    private record Cluster(String name, String shown, KubernetesClient client, RequestCounter requests, Sandbox sandbox) {}

    private static Engine open(LoadedStack stack, String command, PrintStream err, boolean connect) {
        Path dir = stack.project().dir();
        String stackName = stack.model().stack();
        Map<String, ClusterGroup> groups = clusterGroups(stack);
        // A context missing from the kubeconfig is the user's error, said before anything runs: for every cluster group of
        // the stack (one naming no app's cluster yet included), the first such group's `cluster` line.
        if (connect) stack.model().clusterGroups().stream().filter(g -> !g.isSandbox()).forEach(KubeconfigCluster::checkContext);
        String passphrase = LoadedStack.passphrase();
        if (passphrase == null) {
            ClusterGroup real = groups.values().stream().filter(g -> !g.isSandbox()).findFirst().orElse(null);
            if (real != null) {
                throw UserInputException.of(new SourceRef(stack.model().stackFile(), 0), "",
                        "stack '" + stackName + "' runs on cluster '" + real.cluster() + "': set DBSTACK_CONFIG_PASSPHRASE"
                                + " (or PULUMI_CONFIG_PASSPHRASE) to encrypt its secrets in state");
            }
            err.println("warning: no passphrase set; stack " + stackName + " (sandbox) uses the empty passphrase, so its"
                    + " secrets in state are only obfuscated. Set DBSTACK_CONFIG_PASSPHRASE to protect them.");
            passphrase = SANDBOX_PASSPHRASE;
        }
        // A secure: value that cannot be read must never be replaced by a generated one in the cluster.
        if (command != null) stack.refuseUndecryptedSecrets();
        Backends.Opened backend = Backends.open(stack.project(), stackName, command);
        StateBackend.Lock lock = null;
        Map<String, Cluster> clusters = new java.util.LinkedHashMap<>();
        try {
            lock = command == null ? null : backend.backend.acquire(command);
            StackState state = StackState.open(backend.backend);
            refuseMovedApps(stack, state);
            // The key of the credentials in state: never a new salt for credentials that exist.
            ConfigDigest before = lock == null ? null : ConfigDigest.of(stack.project(), stackName);
            PassphraseCrypter crypter = StateSecrets.open(stack, state, passphrase, lock != null, err);
            // Opening may write the salt into the stack file (its first `up`, or a lost line put back). If that was
            // the only change since the files were read, a plan made now is made from the file as it is after it.
            ConfigDigest config = stack.config();
            if (before != null && before.equals(config)) config = ConfigDigest.of(stack.project(), stackName);
            Sandbox defaultSandbox = null;
            if (connect) {
                // The clusters of the configured apps, then those where apps state still holds (removed from the
                // configuration) were applied: they are read, and their objects deleted, where they live.
                Set<String> names = new LinkedHashSet<>(groups.keySet());
                state.appClusters().values().forEach(names::add);
                for (String name : names) {
                    ClusterGroup group = groups.get(name);
                    RequestCounter requests = new RequestCounter();
                    if (ClusterGroup.isSandbox(name)) {
                        String sub = ClusterGroup.sandboxDirectory(name);
                        boolean isDefault = ClusterGroup.SANDBOX.equals(name);
                        // The backend's sandbox when state lives there too: one process, one sandbox.
                        Sandbox started = isDefault && backend.sandbox != null ? null
                                : Sandbox.start(dir.resolve(".dbstack").resolve(sub), lock == null);
                        Sandbox s = started != null ? started : backend.sandbox;
                        if (isDefault) defaultSandbox = s;
                        // Registered before anything else can fail, so that close() stops it.
                        clusters.put(name, new Cluster(name, "cluster '" + name + "'", null, requests, started));
                        // A counted client of this run's own (the sandbox's is built inside it); see RequestCounter.
                        clusters.put(name, new Cluster(name, "cluster '" + name + "'", requests.counting(s.client()), requests,
                                started));
                        err.println("using the embedded sandbox cluster (.dbstack/" + sub + "): a Kubernetes API with no nodes;"
                                + " no containers run");
                    } else {
                        KubernetesClient client = group != null ? KubeconfigCluster.connect(group, requests)
                                : KubeconfigCluster.connect(name, new SourceRef(stack.model().stackFile(), 0),
                                "config.dbstack:clusterGroups", requests);
                        clusters.put(name, new Cluster(name, "cluster '" + name + "' (context " + name + ")", client, requests, null));
                    }
                }
            }
            return new Engine(stack, state, clusters, crypter, defaultSandbox, lock, backend, config);
        } catch (RuntimeException e) {
            try {
                closeClusters(clusters.values(), backend);
            } finally {
                try {
                    if (lock != null) lock.close();
                } finally {
                    backend.close();
                }
            }
            throw e;
        }
    }

    /** The stack's clusters, each with the first cluster group of an app that names it; refuses a stack of no apps. */
    private static Map<String, ClusterGroup> clusterGroups(LoadedStack stack) {
        Map<String, ClusterGroup> out = new java.util.LinkedHashMap<>();
        for (AppDeployment app : stack.model().apps()) {
            ClusterGroup g = stack.model().clusterGroupOf(app);
            out.putIfAbsent(g.cluster(), g);
        }
        if (out.isEmpty()) throw UserInputException.of(new SourceRef(stack.model().stackFile(), 0), "config.dbstack:apps", "no app deployments");
        return out;
    }

    /**
     * An app state records on one cluster whose cluster group now names another: its objects live on the first, and
     * ObjectRef (apiVersion/kind/namespace/name) cannot tell the two apart, so dbstack does not move it.
     */
    private static void refuseMovedApps(LoadedStack stack, StackState state) {
        Map<String, String> recorded = state.appClusters();
        for (AppDeployment app : stack.model().apps()) {
            String was = recorded.get(app.name());
            String now = stack.model().clusterGroupOf(app).cluster();
            if (was != null && !was.equals(now)) {
                throw UserInputException.of(app.source(), "config.dbstack:apps[" + app.name() + "].clusterGroup",
                        "app '" + app.name() + "' is applied on cluster '" + was + "' and its cluster group '" + app.clusterGroup()
                                + "' now names cluster '" + now + "': dbstack does not move an app between clusters. Put it"
                                + " back, or remove the app (`dbstack up` deletes it there, keeping its data) and add it again"
                                + " under another name or once it is gone");
            }
        }
    }

    private static void closeClusters(java.util.Collection<Cluster> clusters, Backends.Opened backend) {
        RuntimeException failed = null;
        for (Cluster c : clusters) {
            try {
                if (c.client() != null) c.client().close();
            } catch (RuntimeException e) {
                if (failed == null) failed = e;
            }
            try {
                if (c.sandbox() != null && c.sandbox() != backend.sandbox) c.sandbox().close();
            } catch (RuntimeException e) {
                if (failed == null) failed = e;
            }
        }
        if (failed != null) throw failed;
    }

    /**
     * Credentials kept in state, encrypted: generated the first time a service needs them, then the
     * same for the life of its data. A layer's own {@code secure:} value always wins. When state has
     * none but the cluster holds the service's credentials Secret (state lost: a fresh CI runner, a
     * deleted {@code .dbstack/}), those are taken over: new credentials would not open the data. What this run
     * generates or takes over is saved only by {@link #saveCredentials}, once its plan is applied.
     *
     * @param live the objects the plan read, or null when the run does not read the cluster
     */
    private CredentialSource credentials(Map<ObjectRef, JsonNode> live) {
        GeneratedCredentials generator = new GeneratedCredentials();
        return (ServiceId id, String name, Component.Credential spec, Optional<SecretValue> supplied) -> {
            if (supplied.isPresent() && supplied.get().isDecrypted()) return supplied.get();
            String key = id + "/" + name;
            String sealed = state.credential(key);
            if (sealed == null) sealed = unsaved.get(key); // generated earlier in this run, or carried by a saved plan
            if (sealed != null) {
                try {
                    return SecretValue.plain(crypter.decryptOrThrow(sealed));
                } catch (PassphraseCrypter.WrongPassphraseException | IllegalArgumentException e) {
                    // Never a replacement: the database behind it was initialised with the one that is unreadable.
                    throw UserInputException.of(new SourceRef(StackState.directory(Path.of(""), stack.model().stack()).toString(), 0),
                            "", "the state's credential for " + key + " does not open with the salt and passphrase this"
                                    + " state was written with; dbstack does not generate a replacement (see \"State, secrets"
                                    + " and the lock\" in the README)");
                }
            }
            SecretValue value = live == null ? null : liveCredential(live, id, name);
            if (value == null) value = generator.credential(id, name, spec, Optional.empty());
            if (lock != null) unsaved.put(key, crypter.encrypt(value.reveal()));
            return value;
        };
    }

    /** Credentials this run generated or took over, encrypted, until the run applies its plan. */
    private final Map<String, String> unsaved = new TreeMap<>();

    /** Keeps what this run generated or took over: called once the plan is going to be applied. */
    private void saveCredentials() {
        // The salt its credentials are (or will be) sealed with: state opens them whatever the stack file says later.
        // Known without deriving the key; recorded once, so a later no-op writes nothing.
        if (state.encryptionSalt() == null) state.putEncryptionSalt(crypter.encryptionSalt());
        unsaved.forEach(state::putCredential);
        unsaved.clear();
    }

    /**
     * Checks the passphrase now, deriving the stack's key, for a run that will need it (one saving a plan, whose
     * secrets are sealed with it) before it shows anything; otherwise the key is derived at the first secret.
     */
    public void unlockSecrets() {
        crypter.unlock();
    }

    /**
     * The credential as the service's live credentials Secret holds it: the secret output that is
     * exactly {@code {{credentials.<name>}}}; null when there is none.
     */
    private SecretValue liveCredential(Map<ObjectRef, JsonNode> live, ServiceId data, String name) {
        AppDeployment app = stack.model().apps().stream().filter(a -> a.name().equals(data.app())).findFirst().orElse(null);
        if (app == null) return null;
        DatabaseLayer layer = stack.model().profileOf(app).layers().stream()
                .filter(l -> l instanceof DatabaseLayer db && db.dataName().equals(data.layer()))
                .map(l -> (DatabaseLayer) l).findFirst().orElse(null);
        if (layer == null) return null;
        Optional<String> hookSecret = Renderer.hookCredentialSecret(layer.type(), data.layer(), name);
        if (hookSecret.isPresent()) {
            JsonNode held = live.get(new ObjectRef("v1", "Secret", app.namespace(), hookSecret.get()));
            return held == null ? null : decoded(held.path("data").path(name));
        }
        JsonNode secret = live.get(new ObjectRef("v1", "Secret", app.namespace(), Renderer.credentialsSecret(data.layer())));
        if (secret == null) return null;
        String whole = "{{credentials." + name + "}}";
        for (Component.Output o : stack.catalog().resolve(layer.type(), layer.engine(), layer.version()).outputs()) {
            JsonNode value = secret.path("data").path(o.name());
            if (o.secret() && o.value().replace(" ", "").equals(whole) && value.isTextual()) return decoded(value);
        }
        return null;
    }

    /** A Secret's base64 value; null when absent or not base64 (nothing a server was initialised with). */
    private static SecretValue decoded(JsonNode value) {
        if (!value.isTextual()) return null;
        try {
            return SecretValue.plain(new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Renders without the cluster: credentials from state, new ones for this run only (render, outputs). */
    public RenderedStack render() {
        return render(credentials(null));
    }

    private RenderedStack render(CredentialSource credentials) {
        return new Renderer(stack.catalog(), credentials,
                (id, env) -> env.secret().isDecrypted() ? env.secret().reveal() : "").render(stack.graph());
    }

    private static String key(ObjectRef ref) {
        return ref.apiVersion() + "|" + ref.kind() + "|" + ref.namespace() + "|" + ref.name();
    }

    private static ObjectRef ref(String key) {
        String[] p = key.split("\\|", -1);
        return new ObjectRef(p[0], p[1], p[2], p[3]);
    }

    private Map<ObjectRef, Recorded> recorded() {
        Map<ObjectRef, Recorded> out = new java.util.LinkedHashMap<>();
        state.objects().forEach((key, e) -> out.put(ref(key), new Recorded(ref(key), e.app(), serviceId(e.service()),
                e.lastApplied())));
        return out;
    }

    /** What state knows: applied objects, and the data kept of removed databases. */
    private Planner.Known known() {
        Map<ServiceId, Retained> retained = new TreeMap<>();
        state.retained().forEach((key, v) -> {
            ServiceId data = serviceId(key);
            retained.put(data, new Retained(data, v.path("namespace").asText(), serviceId(v.path("service").asText()),
                    v.path("type").asText(), v.path("engine").asText(null), v.path("version").asText(null),
                    strings(v.path("secrets")),
                    strings(v.path("claims"))));
        });
        return new Planner.Known(recorded(), retained);
    }

    private static ServiceId serviceId(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? null : new ServiceId(text.substring(0, slash), text.substring(slash + 1));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    /**
     * Records each applied step in the stack's state before the next begins: the desired object
     * (never a Secret's values), and what the step did to a database's kept data.
     */
    private Applier.Recorder recorder() {
        return new Applier.Recorder() {
            @Override
            public void applied(Step step, HasMetadata written) {
                JsonNode applied = Planner.withoutSecretData(SERIALIZATION.convertValue(step.desired(), JsonNode.class));
                state.putAppCluster(step.app(), clusterNameOf(step.app()));
                state.putObject(key(step.object()), step.app(), step.service() == null ? "" : step.service().toString(), applied);
                if (step.retention() != null) state.removeRetained(step.retention().data().data().toString());
            }

            @Override
            public void forgotten(Step step) {
                state.removeObject(key(step.object()));
                // A kept claim that is a database's data (SQLite's): state remembers it, so --delete-data can find it.
                if (step.retention() != null && step.retention().kind() == Step.Retention.Kind.KEEP) {
                    state.putRetained(step.retention().data().data().toString(), describe(step.retention().data()));
                }
            }

            @Override
            public void deleted(Step step) {
                state.removeObject(key(step.object()));
                Step.Retention retention = step.retention();
                if (retention == null) return;
                Retained data = retention.data();
                if (retention.kind() == Step.Retention.Kind.KEEP) {
                    // The Secrets stay in the cluster with the data; state remembers them here, not as objects to converge.
                    state.putRetained(data.data().toString(), describe(data));
                    data.secrets().forEach(s -> state.removeObject(key(new ObjectRef("v1", "Secret", data.namespace(), s))));
                } else if (retention.kind() == Step.Retention.Kind.RELEASE) {
                    state.removeRetained(data.data().toString());
                    state.removeCredentials(data.data().toString());
                }
            }
        };
    }

    private static JsonNode describe(Retained data) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("namespace", data.namespace()).put("service", data.service() == null ? "" : data.service().toString())
                .put("type", data.type()).put("engine", data.engine()).put("version", data.version());
        ArrayNode secrets = n.putArray("secrets");
        data.secrets().forEach(secrets::add);
        ArrayNode claims = n.putArray("claims");
        data.claims().forEach(claims::add);
        return n;
    }

    /**
     * Records desired objects that exist live exactly as desired but state does not attribute to
     * their service: written by a run killed before its record, or taken over by a renamed layer.
     * Without this a later removal from config would not find them.
     */
    private void recordUnrecorded(RenderedStack desired, Targets targets) {
        Map<ObjectRef, Recorded> recorded = recorded();
        Map<ObjectRef, JsonNode> live = plannedAgainst.objects();
        // A targeted run records only what it selected: the rest keeps its state as it was, for a later run.
        for (var entry : desired.appObjects().entrySet()) {
            if (!targets.isAll() && !targets.apps().contains(entry.getKey())) continue;
            for (HasMetadata o : entry.getValue()) recordIfLive(recorded, live, entry.getKey(), null, o);
        }
        for (ServiceId id : desired.graph().applyOrder()) {
            if (!targets.isAll() && !targets.services().contains(id)) continue;
            for (HasMetadata o : desired.service(id).objects()) recordIfLive(recorded, live, id.app(), id, o);
        }
    }

    private void recordIfLive(Map<ObjectRef, Recorded> recorded, Map<ObjectRef, JsonNode> live, String app, ServiceId service,
                              HasMetadata o) {
        ObjectRef ref = ObjectRef.of(o);
        Recorded r = recorded.get(ref);
        if (!live.containsKey(ref) || r != null && java.util.Objects.equals(r.service(), service)) return;
        state.putAppCluster(app, clusterNameOf(app));
        state.putObject(key(ref), app, service == null ? "" : service.toString(),
                Planner.withoutSecretData(SERIALIZATION.convertValue(o, JsonNode.class)));
    }

    /**
     * Reads every cluster of the stack, each once per kind (and namespace) as {@link LiveReader} does, over the objects
     * of its own apps: those it renders, and those state recorded for apps that live there. The reads are merged into
     * one {@link Planner.Live} (objects are named without their cluster: a namespace is unique in the stack). A cluster
     * that does not answer at all is noted in {@link #unreachable} and left out; any other failure stops the run.
     */
    private Planner.Live readLive(RenderedStack desired, Planner.Known known) {
        unreachable.clear();
        Map<ObjectRef, JsonNode> objects = new java.util.HashMap<>();
        Set<String> expandable = new java.util.HashSet<>();
        String defaultClass = null;
        Map<String, List<HasMetadata>> desiredByApp = new java.util.HashMap<>();
        if (desired != null) {
            desired.appObjects().forEach((app, list) -> desiredByApp.computeIfAbsent(app, a -> new java.util.ArrayList<>()).addAll(list));
            for (ServiceId id : desired.graph().applyOrder()) {
                desiredByApp.computeIfAbsent(id.app(), a -> new java.util.ArrayList<>()).addAll(desired.service(id).objects());
            }
        }
        for (Cluster c : clusters.values()) {
            List<HasMetadata> mine = new java.util.ArrayList<>();
            desiredByApp.forEach((app, list) -> {
                if (c.name().equals(clusterNameOf(app))) mine.addAll(list);
            });
            Planner.Known theirs = knownOf(known, app -> c.name().equals(clusterNameOf(app)));
            try {
                Planner.Live live = LiveReader.read(c.client(), stack.model().stack(), mine, theirs,
                        clusters.size() == 1 ? notes::add : note -> notes.add(c.name() + ": " + note));
                objects.putAll(live.objects());
                expandable.addAll(live.expandableStorageClasses());
                if (defaultClass == null) defaultClass = live.defaultStorageClass();
            } catch (RuntimeException e) {
                Optional<String> reason = unreachableReason(e);
                // A stack of one cluster has nothing else to plan: the run stops on it as it always did (exit 1).
                if (reason.isEmpty() || clusters.size() == 1) throw e;
                Set<String> apps = new java.util.TreeSet<>();
                stack.model().apps().forEach(a -> {
                    if (c.name().equals(clusterNameOf(a.name()))) apps.add(a.name());
                });
                known.objects().values().forEach(r -> {
                    if (c.name().equals(clusterNameOf(r.app()))) apps.add(r.app());
                });
                known.retained().keySet().forEach(d -> {
                    if (c.name().equals(clusterNameOf(d.app()))) apps.add(d.app());
                });
                unreachable.add(new Unreachable(c.name(), c.shown(), reason.get(), List.copyOf(apps)));
            }
        }
        return new Planner.Live(objects, expandable, defaultClass);
    }

    /** On each reachable cluster with a backed-up app: Velero's CRD and an Available storage location (2 GETs). */
    private void refuseWithoutVelero() {
        Set<String> down = new java.util.HashSet<>();
        unreachable.forEach(u -> down.add(u.cluster()));
        for (Cluster c : clusters.values()) {
            if (!down.contains(c.name())) dev.dbstack.cluster.VeleroCheck.refuseUnready(c.client(), stack.model(), c.name());
        }
    }

    /** What {@code known} holds of the apps {@code of} accepts. */
    private static Planner.Known knownOf(Planner.Known known, java.util.function.Predicate<String> of) {
        Map<ObjectRef, Recorded> objects = new java.util.LinkedHashMap<>();
        known.objects().forEach((ref, r) -> {
            if (of.test(r.app())) objects.put(ref, r);
        });
        Map<ServiceId, Retained> retained = new TreeMap<>();
        known.retained().forEach((id, r) -> {
            if (of.test(id.app())) retained.put(id, r);
        });
        return new Planner.Known(objects, retained);
    }

    /**
     * Why a read of a cluster got no answer at all (refused, timed out, unknown host, TLS), or empty when it got
     * one (an HTTP status such as 403 or 404 is an answer: that cluster is reachable, and the run stops on it).
     */
    static Optional<String> unreachableReason(Throwable e) {
        if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getCode() > 0) return Optional.empty();
        Throwable root = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.IOException || t instanceof java.util.concurrent.TimeoutException) root = t;
        }
        if (root == null) return Optional.empty();
        Throwable deepest = root;
        while (deepest.getCause() != null && deepest.getCause() != deepest) deepest = deepest.getCause();
        String why = deepest.getMessage() != null ? deepest.getMessage() : root.getMessage();
        String kind = deepest.getClass().getSimpleName();
        return Optional.of(why == null || why.isBlank() ? kind : why);
    }

    /**
     * A cluster that did not answer the run's reads: its apps were left out of the plan, their state untouched.
     *
     * @param apps the apps that live there (configured, or recorded in state)
     */
    public record Unreachable(String cluster, String shown, String reason, List<String> apps) {
        public String message() {
            return shown + " is unreachable: " + reason + "; " + (apps.size() == 1 ? "app " : "apps ") + String.join(", ", apps)
                    + (apps.size() == 1 ? " was" : " were") + " not planned";
        }
    }

    /** The clusters the last read could not reach, in the stack's order; empty when every one answered. */
    private final List<Unreachable> unreachable = new java.util.ArrayList<>();

    /** The clusters this run could not reach: a front door reports each and exits 1 once the rest is done. */
    public List<Unreachable> unreachable() {
        return List.copyOf(unreachable);
    }

    private Set<String> unreachableApps() {
        Set<String> out = new java.util.HashSet<>();
        unreachable.forEach(u -> out.addAll(u.apps()));
        return out;
    }

    /** Raised where a run cannot go on because a cluster is unreachable (a saved plan); exits 1, nothing written. */
    public static final class ClustersUnreachable extends RuntimeException {
        public ClustersUnreachable(String message) {
            super(message);
        }
    }

    /**
     * The cluster {@code app} lives on: its cluster group's when the stack configures it, otherwise where state
     * recorded it; an app of neither (state written before clusters were recorded) on the stack's first cluster,
     * the one every app of such a state was applied to.
     */
    private String clusterNameOf(String app) {
        String known = appClusterNames.get(app);
        return known != null ? known : stack.model().clusterGroupOf(stack.model().apps().get(0)).cluster();
    }

    /** Where each app lives, as {@link #clusterNameOf} says: read once (state's records, then the configured apps). */
    private final Map<String, String> appClusterNames;

    /** The client (counted, this run's own) of the cluster {@code app} is deployed to; null for a run that connects none. */
    public KubernetesClient clusterOf(AppDeployment app) {
        Cluster c = clusters.get(clusterNameOf(app.name()));
        return c == null ? null : c.client();
    }

    /** The names of this run's clusters ({@code sandbox}, {@code sandbox:<name>}, contexts), in the stack's order. */
    public List<String> clusterNames() {
        return List.copyOf(clusters.keySet());
    }

    /** Leaves out of {@code plan} the steps of apps whose cluster could not be read (all creates: nothing was seen). */
    private Plan withoutUnreachable(Plan plan) {
        if (unreachable.isEmpty()) return plan;
        Set<String> skipped = unreachableApps();
        return new Plan(plan.project(), plan.stack(), plan.steps().stream().filter(st -> !skipped.contains(st.app())).toList(),
                plan.warnings(), plan.basis());
    }

    /** {@code known} without what state holds of apps on unreachable clusters: nothing of theirs is deleted or forgotten. */
    private Planner.Known reachable(Planner.Known known) {
        if (unreachable.isEmpty()) return known;
        Set<String> skipped = unreachableApps();
        return knownOf(known, app -> !skipped.contains(app));
    }

    /** The cluster as the last plan read it. */
    private Planner.Live plannedAgainst;

    /**
     * A run's desired stack, rendered against what the cluster holds, and its plan.
     *
     * @param savedId the id of the saved plan this is ({@link #loadPlan}), null for a plan made by this run
     */
    public record Planned(RenderedStack desired, Plan plan, String savedId) {
        public Planned(RenderedStack desired, Plan plan) {
            this(desired, plan, null);
        }
    }

    /**
     * Reads the cluster (what to read follows from the stack's shape, rendered without credentials),
     * renders the stack against it, and plans. The plan records what it was made against: each step the
     * live object's version, the whole plan state's serial and the configuration's digest.
     */
    public Planned preview(Planner.Options options) {
        return preview(options, List.of());
    }

    /**
     * {@link #preview(Planner.Options)} of the whole stack, its plan then split by {@code targets} ({@code --target APP}
     * or {@code APP/LAYER}; none: the whole stack): the steps they select, and the rest deferred. The whole stack is
     * planned, so every refusal still stops it and the deferred steps are exact. Only the credentials of selected
     * services are kept: a deferred database gets its own when a later run creates it.
     */
    public Planned preview(Planner.Options options, List<String> targets) {
        Targets selected = Targets.resolve(targets, stack.graph(), removedApps()); // a wrong target before anything is read
        Planned whole = previewWhole(options);
        if (selected.isAll()) return whole;
        unsaved.keySet().removeIf(key -> !credentialOf(selected, key));
        return new Planned(whole.desired(), whole.plan().target(selected), whole.savedId());
    }

    /** Apps state holds that the configuration no longer has: a target may name them, to delete them. */
    private Set<String> removedApps() {
        Set<String> out = new java.util.TreeSet<>();
        known().objects().values().forEach(r -> out.add(r.app()));
        stack.model().apps().forEach(a -> out.remove(a.name()));
        return out;
    }

    /** Whether the credential {@code key} ({@code app/data/name}) is of a database the targets select. */
    private boolean credentialOf(Targets targets, String key) {
        for (ServiceId id : targets.services()) {
            var layer = stack.model().profileOf(stack.model().app(id.app())).layer(id.layer()).orElse(null);
            String data = layer instanceof DatabaseLayer db ? db.dataName() : id.layer();
            if (key.startsWith(id.app() + "/" + data + "/")) return true;
        }
        return false;
    }

    private Planned previewWhole(Planner.Options options) {
        ExternalCheck.refuseUnreachable(stack.model()); // external databases reachable from here, before anything else
        Planner.Known known = known();
        long serial = state.serial();
        if (rendersStateCredentials()) deriveKeyMeanwhile();
        plannedAgainst = readLive(stack.renderWithheld(), known);
        refuseWithoutVelero(); // diskBackup: Velero and its storage location, before anything is applied
        RenderedStack desired = render(credentials(plannedAgainst.objects()));
        // An unreachable cluster's apps: what state holds of them is left out (never a delete), and so are the creates
        // the planner makes of them against a cluster it could not see; credentials generated for them are not kept.
        Set<String> skipped = unreachableApps();
        unsaved.keySet().removeIf(k -> skipped.contains(k.substring(0, Math.max(0, k.indexOf('/')))));
        return new Planned(desired, withoutUnreachable(Planner.plan(stack.project().name(), stack.model().stack(), desired,
                stack.catalog(), reachable(known), plannedAgainst, options))
                .basedOn(new Plan.Basis(serial, config.digest(), config.files(), options)));
    }

    /**
     * Whether rendering this stack opens a credential state holds: a database of the stack whose credential was
     * generated (or taken over) and is not supplied as a secure: value. Then the key is needed for certain.
     */
    private boolean rendersStateCredentials() {
        Map<String, String> held = state.credentials();
        if (held.isEmpty()) return false;
        for (AppDeployment app : stack.model().apps()) {
            for (var layer : stack.model().profileOf(app).layers()) {
                if (!(layer instanceof DatabaseLayer db)) continue;
                String prefix = app.name() + "/" + db.dataName() + "/";
                for (String key : held.keySet()) {
                    if (!key.startsWith(prefix)) continue;
                    SecretValue supplied = db.credentials().get(key.substring(prefix.length()));
                    if (supplied == null || !supplied.isDecrypted()) return true;
                }
            }
        }
        return false;
    }

    /**
     * Derives the key (a CPU-bound second) on another thread while this one reads the cluster, for a render that
     * is certain to need it: it then waits only for what is left. A wrong passphrase is said by that first use.
     */
    private void deriveKeyMeanwhile() {
        Thread t = new Thread(() -> {
            try {
                crypter.unlock();
            } catch (RuntimeException e) {
                // The render's first decryption throws it again, as the one error of the run.
            }
        }, "dbstack-key");
        t.setDaemon(true);
        t.start();
    }

    // ---- saved plans ---------------------------------------------------------------------------

    /**
     * Writes a plan {@link #preview} made to {@code file} (atomically): with it go the credentials this run
     * generated, sealed with the stack's key, for {@code up} of that file to keep. Needs the lock (the key
     * must be state's, and state must not move while the plan is made).
     */
    public void savePlan(Planned planned, Path file) {
        if (lock == null) throw new IllegalStateException("a plan is saved by a run holding the stack's lock");
        // A plan made while a cluster was unreachable leaves that cluster's apps out: applied later it would look like
        // the whole stack's plan, yet converge only part of it. Refused rather than saved with the gap recorded: a
        // plan file stays "exactly what up will do", and the remedy (preview again once the cluster answers) is simple.
        if (!unreachable.isEmpty()) {
            throw new ClustersUnreachable("the plan was not saved: " + unreachable.stream().map(Unreachable::message)
                    .collect(java.util.stream.Collectors.joining("; ")) + ". A saved plan must cover every app of the stack;"
                    + " run `dbstack preview --out " + file + "` again once the cluster answers");
        }
        String text = SavedPlan.write(planned.plan(), Map.copyOf(unsaved), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                sealer());
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the plan to " + file, e);
        }
    }

    /** A plan of ten thousand objects is a few MiB; past this a file is not a plan (and is not read into memory). */
    private static final long MAX_PLAN_BYTES = 256L * 1024 * 1024;

    /**
     * Reads a saved plan file and checks that it is whole and unchanged (nothing else: the stack it names is
     * loaded next, then {@link #loadPlan} decides whether it still holds).
     *
     * @param shownAs the file as the user named it, for messages
     */
    public static SavedPlan.Checked readPlan(Path file, String shownAs) {
        byte[] bytes;
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw UserInputException.of(new SourceRef(shownAs, 0), "", "is not a file; `dbstack preview --out` writes a plan to one");
            }
            if (Files.exists(file) && Files.size(file) > MAX_PLAN_BYTES) {
                throw UserInputException.of(new SourceRef(shownAs, 0), "", "is " + Files.size(file) / (1024 * 1024) + " MiB,"
                        + " far larger than any plan `dbstack preview --out` writes: it is not one");
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw UserInputException.of(new SourceRef(shownAs, 0), "", "no such plan file; `dbstack preview --out " + shownAs
                    + "` writes one");
        } catch (IOException e) {
            throw UserInputException.of(new SourceRef(shownAs, 0), "", "cannot be read (" + e.getMessage() + ")");
        }
        try {
            return SavedPlan.check(bytes);
        } catch (SavedPlan.Unreadable e) {
            throw UserInputException.of(new SourceRef(shownAs, 0), "", e.getMessage() + (e.newer()
                    ? ". Apply it with that dbstack, or make it again with this one: " + again(null, shownAs)
                    : ". " + capitalize(again(null, shownAs))));
        }
    }

    /**
     * The saved plan, if it still describes this stack: refused (exit 2, nothing written) when it is of
     * another project or stack, was already applied, the configuration changed since (digest), state
     * changed since (serial: another {@code up}, {@code destroy} or {@code refresh} ran), or any object it
     * was planned against changed in the cluster (one LIST per kind, as preview reads). The credentials it
     * carries are kept in memory until {@link #up}; the desired stack is rendered with them.
     */
    public Planned loadPlan(SavedPlan.Checked checked, String shownAs) {
        SourceRef where = new SourceRef(shownAs, 0);
        String stackName = stack.model().stack();
        refuseForeign(stack, checked, shownAs);
        String appliedAt = state.planAppliedAt(checked.id());
        if (appliedAt != null) {
            throw UserInputException.of(where, "", "was already applied (at " + appliedAt + "); a plan is applied once. "
                    + capitalize(again(stackName, shownAs)) + " to see what is left to do");
        }
        unlockSecrets(); // a wrong passphrase is said as such, not as a plan that does not open
        ExternalCheck.refuseUnreachable(stack.model());
        SavedPlan.Contents contents;
        try {
            contents = SavedPlan.open(checked, sealer());
        } catch (SavedPlan.Unreadable e) {
            throw UserInputException.of(where, "", e.getMessage() + ". " + capitalize(again(stackName, shownAs)));
        }
        Plan plan = contents.plan();
        List<String> changedFiles = config.changedSince(plan.basis().configFiles());
        if (!config.digest().equals(plan.basis().configDigest())) {
            throw stale(where, (changedFiles.isEmpty() ? "the stack's configuration" : String.join(", ", changedFiles))
                    + " changed since the plan was made", stackName, shownAs);
        }
        if (state.serial() != plan.basis().stateSerial()) {
            throw stale(where, "the stack's state changed since the plan was made (another `dbstack up`, `destroy` or"
                    + " `refresh` ran: state serial " + plan.basis().stateSerial() + ", now " + state.serial() + ")", stackName, shownAs);
        }
        Planner.Known known = known();
        plannedAgainst = readLive(stack.renderWithheld(), known);
        // Its steps cannot be checked, nor applied, on a cluster that does not answer: nothing of it is applied (nothing
        // half-applied), and it stays unspent for when the cluster is back.
        if (!unreachable.isEmpty()) {
            throw new ClustersUnreachable(unreachable.stream().map(u -> u.shown() + " is unreachable: " + u.reason())
                    .collect(java.util.stream.Collectors.joining("; ")) + ". Nothing of " + shownAs + " was applied; run `dbstack up "
                    + shownAs + "` again once the cluster answers");
        }
        List<String> changed = changedObjects(plan, plannedAgainst.objects());
        if (!changed.isEmpty()) {
            throw stale(where, String.join("; ", changed.size() > 5 ? changed.subList(0, 5) : changed)
                    + (changed.size() > 5 ? "; and " + (changed.size() - 5) + " more" : ""), stackName, shownAs);
        }
        unsaved.clear();
        unsaved.putAll(contents.sealedCredentials());
        RenderedStack desired = render(credentials(null));
        return new Planned(desired, plan, contents.id());
    }

    /**
     * Refuses a plan of another project or stack — before anything is opened, so that nothing (not even
     * the other stack's secrets key) is written for it.
     */
    public static void refuseForeign(LoadedStack stack, SavedPlan.Checked checked, String shownAs) {
        String project = stack.project().name();
        String stackName = stack.model().stack();
        if (!checked.project().equals(project) || !checked.stack().equals(stackName)) {
            throw UserInputException.of(new SourceRef(shownAs, 0), "", "is a plan of stack '" + checked.stack() + "' of project '"
                    + checked.project() + "'; this is stack '" + stackName + "' of project '" + project + "'. To plan this stack:"
                    + " `dbstack preview --stack " + stackName + " --out " + shownAs + "`");
        }
    }

    /** The objects of a plan that are not as it was planned against, each said in words. */
    private static List<String> changedObjects(Plan plan, Map<ObjectRef, JsonNode> live) {
        List<String> out = new java.util.ArrayList<>();
        for (Step s : plan.steps()) {
            describeChange(s.object(), s.write().against(), live.get(s.object())).ifPresent(out::add);
            for (Step.Claim c : s.write().claims()) {
                ObjectRef claim = new ObjectRef("v1", "PersistentVolumeClaim", s.object().namespace(), c.name());
                describeChange(claim, c.against(), live.get(claim)).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<String> describeChange(ObjectRef ref, LiveVersion planned, JsonNode live) {
        if (planned == null) return live == null ? Optional.empty() : Optional.of(ref + " exists now; the plan was made when it did not");
        if (live == null) return Optional.of(ref + " was deleted since the plan was made");
        if (planned.sameObject(live)) return Optional.empty();
        return Optional.of(ref + " changed in the cluster since the plan was made (resourceVersion " + planned.resourceVersion()
                + ", now " + live.path("metadata").path("resourceVersion").asText() + ")");
    }

    private static UserInputException stale(SourceRef where, String why, String stackName, String shownAs) {
        return UserInputException.of(where, "", "is stale: " + why + ". " + capitalize(again(stackName, shownAs)));
    }

    /** The way back from a plan that cannot be applied: make it again. */
    static String again(String stackName, String shownAs) {
        return "run `dbstack preview" + (stackName == null ? "" : " --stack " + stackName) + " --out " + shownAs + "` again";
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Secret values in a plan file, sealed with the stack's key as state's credentials are. */
    private SavedPlan.Secrets sealer() {
        return new SavedPlan.Secrets() {
            @Override
            public String seal(String plaintext) {
                return crypter.encrypt(plaintext);
            }

            @Override
            public String open(String sealed) {
                try {
                    return crypter.decryptOrThrow(sealed);
                } catch (PassphraseCrypter.WrongPassphraseException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            }
        };
    }

    /** Everything the stack applied, to delete; data kept unless {@code --delete-data} names it. */
    public Plan destroyPlan(Planner.Options options) {
        Planner.Known known = known();
        plannedAgainst = readLive(null, known);
        return Planner.destroy(stack.project().name(), stack.model().stack(), stack.catalog(), reachable(known), plannedAgainst, options);
    }

    /**
     * Applies a plan {@link #preview} made or {@link #loadPlan} read: keeps the credentials it generated or
     * took over, then executes the steps exactly, each recorded before the next. An empty plan only records
     * what exists live as desired but was never recorded. An object changed since the plan stops the run
     * ({@link Applier.PlanStale}).
     */
    public Applier.Result up(Planned planned, int parallel, Duration timeout, Progress progress) {
        // A saved plan is applied once: from here on, whatever happens, it is spent.
        if (planned.savedId() != null) state.planApplied(planned.savedId(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        saveCredentials();
        Applier.Result result;
        try {
            result = apply(planned.plan(), parallel, timeout, progress);
        } finally {
            if (!planned.plan().isEmpty()) state.forgetUnusedAppClusters(); // an app removed from the configuration
        }
        Targets targets = planned.plan().targets();
        if (result.ok()) recordUnrecorded(planned.desired(), targets);
        // Services a targeted run did not select did nothing: they are not reported as succeeded.
        if (!targets.isAll()) result = new Applier.Result(selected(result.services(), targets), selected(result.errors(), targets),
                result.writes());
        return withUnreachable(result);
    }

    private static <V> Map<ServiceId, V> selected(Map<ServiceId, V> byService, Targets targets) {
        Map<ServiceId, V> out = new java.util.LinkedHashMap<>();
        byService.forEach((id, v) -> {
            if (targets.services().contains(id) || targets.wholeApps().contains(id.app())) out.put(id, v);
        });
        return out;
    }

    /** Executes a plan {@link #destroyPlan} made. */
    public Applier.Result destroy(Plan plan, int parallel, Duration timeout, Progress progress) {
        try {
            return withUnreachable(apply(plan, parallel, timeout, progress));
        } finally {
            state.forgetUnusedAppClusters();
        }
    }

    /**
     * Applies {@code plan} over the stack's clusters with one {@link Applier}: each step written through the client of
     * its app's cluster, one schedule over the whole graph: services on different clusters run in parallel (up to
     * {@code --parallel}, as on one cluster), a failure skips only its consumers (all of its own app), and a step
     * that cannot be recorded stops the whole run, as on one cluster.
     */
    private Applier.Result apply(Plan plan, int parallel, Duration timeout, Progress progress) {
        if (plan.isEmpty()) return new Applier.Result(Map.of(), Map.of(), 0);
        java.util.function.Function<String, KubernetesClient> clientOf = app -> clusters.get(clusterNameOf(app)).client();
        return new Applier(clientOf, parallel, timeout, progress, dev.dbstack.apply.ReadinessChecks.builtIn())
                .apply(plan, stack.graph(), recorder());
    }

    /** {@code result} with the services of apps on unreachable clusters failed, saying why. */
    private Applier.Result withUnreachable(Applier.Result result) {
        if (unreachable.isEmpty()) return result;
        Map<ServiceId, Applier.Outcome> services = new java.util.LinkedHashMap<>(result.services());
        Map<ServiceId, String> errors = new java.util.LinkedHashMap<>(result.errors());
        for (Unreachable u : unreachable) {
            for (ServiceId id : stack.graph().applyOrder()) {
                if (!u.apps().contains(id.app())) continue;
                services.put(id, Applier.Outcome.FAILED);
                errors.put(id, u.shown() + " is unreachable: " + u.reason());
            }
        }
        return new Applier.Result(services, errors, result.writes());
    }

    /** What refresh found: objects gone from the cluster (now forgotten) and objects that drifted. */
    public record Refreshed(int recorded, List<ObjectRef> gone, List<Planner.Drift> drifted) {}

    /** Reads the cluster and brings state up to date: forgets what is gone, reports what drifted. */
    public Refreshed refresh() {
        Planner.Known known = known();
        Map<ObjectRef, JsonNode> live = readLive(stack.renderWithheld(), known).objects();
        // An object of an unreachable cluster is not gone: it was not seen. Only what was read is compared.
        Planner.Known read = reachable(known);
        List<ObjectRef> gone = Planner.gone(read, live);
        gone.forEach(ref -> state.removeObject(key(ref)));
        if (!gone.isEmpty()) state.forgetUnusedAppClusters();
        return new Refreshed(known.objects().size(), gone, Planner.drift(read, live));
    }

    public LoadedStack stack() {
        return stack;
    }

    /** Whether this stack has recorded nothing yet. */
    /**
     * Per app with objects in state, the profile refs ({@code dbstack.dev/profile}, set on a database's workload) of the
     * objects last applied for it: empty for an app whose objects carry none (containers only).
     */
    public Map<String, java.util.SortedSet<String>> deployedProfiles() {
        Map<String, java.util.SortedSet<String>> out = new java.util.TreeMap<>();
        for (StackState.ObjectEntry e : state.objects().values()) {
            if (e.app() == null) continue;
            java.util.SortedSet<String> refs = out.computeIfAbsent(e.app(), a -> new java.util.TreeSet<>());
            com.fasterxml.jackson.databind.JsonNode ref = e.lastApplied() == null ? null
                    : e.lastApplied().path("metadata").path("annotations").get(dev.dbstack.render.Labels.PROFILE);
            if (ref != null && ref.isTextual()) refs.add(ref.asText());
        }
        return out;
    }

    public boolean stateIsEmpty() {
        return state.isEmpty();
    }

    /** The API requests this run sent to the stack's cluster so far, per type and resource. */
    public RequestCounter.Counts requests() {
        RequestCounter.Counts sum = new RequestCounter.Counts(Map.of());
        for (Cluster c : clusters.values()) sum = sum.plus(c.requests().snapshot());
        return sum;
    }

    /** The API requests this run sent to the cluster {@code name} ({@code sandbox}, {@code sandbox:east}, a context). */
    public RequestCounter.Counts requests(String name) {
        Cluster c = clusters.get(name);
        return c == null ? new RequestCounter.Counts(Map.of()) : c.requests().snapshot();
    }

    /**
     * What {@code -v} prints after a run: how its reads had to fall back, the requests it sent to the stack's
     * cluster ({@code API: 7 reads (7 lists), 0 writes} and per resource), and on the sandbox what the sandbox
     * served (the state backend's requests included when it lives there too).
     */
    public List<String> verboseLines() {
        List<String> out = new java.util.ArrayList<>(notes);
        if (clusters.size() == 1) {
            out.add(clusters.values().iterator().next().requests().snapshot().detail());
        } else {
            for (Cluster c : clusters.values()) out.add(c.name() + ": " + c.requests().snapshot().detail());
        }
        String served = requestStats();
        if (served != null) out.add(served);
        return out;
    }

    /** On the sandbox, the requests it served (this run's, state's included): for the idempotency tests. */
    public String requestStats() {
        return sandbox == null ? null : "api requests: " + sandbox.readRequests() + " reads, " + sandbox.writeRequests() + " writes"
                + " (served by the sandbox, state included)";
    }

    @Override
    public void close() {
        try {
            if (lock != null) state.checkpoint(); // only the lock holder writes state
        } finally {
            try {
                if (lock != null) lock.close(); // a Lease is released through the backend's client: before it closes
            } finally {
                try {
                    closeClusters(clusters.values(), backend);
                } finally {
                    backend.close();
                }
            }
        }
    }
}
