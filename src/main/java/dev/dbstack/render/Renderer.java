package dev.dbstack.render;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.graph.DatabaseGroups;
import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.EnvVar;
import dev.dbstack.model.ManifestLayer;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.StackModel;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.function.BiFunction;

/**
 * The render stage: a service graph in, Kubernetes objects out. Pure and deterministic: no I/O,
 * no clock, no randomness except what {@link CredentialSource} hands in, sorted maps everywhere,
 * so the same configuration gives byte-identical objects.
 */
public final class Renderer {
    private final Catalog catalog;
    private final CredentialSource credentials;
    private final BiFunction<ServiceId, EnvVar, String> envSecrets;

    /**
     * @param envSecrets plaintext of a container's {@code secure:} env value (decrypted by the caller)
     */
    public Renderer(Catalog catalog, CredentialSource credentials, BiFunction<ServiceId, EnvVar, String> envSecrets) {
        this.catalog = catalog;
        this.credentials = credentials;
        this.envSecrets = envSecrets;
    }

    /** The Secret holding the credentials of the data named {@code dataName} (a layer's name or its earlier one). */
    public static String credentialsSecret(String dataName) {
        return DatabaseRenderer.secretName(dataName);
    }

    /** Where type {@code type}'s hook keeps credential {@code credential} of the data named {@code dataName}, if elsewhere. */
    public static java.util.Optional<String> hookCredentialSecret(String type, String dataName, String credential) {
        TypeHook hook = HOOKS.get(type);
        return hook == null ? java.util.Optional.empty() : hook.credentialSecret(dataName, credential);
    }

    /** The headless Service that gives the pods of the data named {@code dataName} stable DNS names. */
    public static String headlessService(String dataName) {
        return DatabaseRenderer.headlessName(dataName);
    }

    /** The claim that holds the data named {@code dataName} of a type without a server (SQLite). */
    public static String sharedClaimName(String dataName) {
        return DatabaseRenderer.sharedClaimName(dataName);
    }

    /**
     * Layers derive several object names from their own ({@code <layer>-headless}, {@code -credentials},
     * {@code -env}, {@code -data}), so a layer can be named like another layer's object. Two objects of one
     * kind and name in one namespace would overwrite each other: refuse, naming both layers.
     */
    private static void refuseNameCollisions(StackModel model, Collection<RenderedService> services) {
        Map<String, RenderedService> owners = new HashMap<>();
        Set<Problem> problems = new LinkedHashSet<>();
        for (RenderedService service : services) {
            for (HasMetadata o : service.objects()) {
                String name = o.getKind() + " " + service.namespace() + "/" + o.getMetadata().getName();
                String cluster = model.clusterGroupOf(model.app(service.id().app())).cluster();
                RenderedService owner = owners.putIfAbsent(cluster + " " + name, service);
                if (owner == null || owner == service) continue;
                AppProfile profile = model.profileOf(model.app(service.id().app()));
                problems.add(new Problem(service.layer().source(), "config.dbstack:profiles[" + profile.name()
                        + "].layers[" + service.layer().name() + "].name", "layer '" + service.layer().name()
                        + "' would create " + name + ", which layer '" + owner.layer().name() + "' creates too;"
                        + " rename one of them"));
            }
        }
        if (!problems.isEmpty()) throw new UserInputException(List.copyOf(problems));
    }

    private static String layerKey(AppProfile profile, ServiceLayer layer) {
        return "config.dbstack:profiles[" + profile.name() + "].layers[" + layer.name() + "]";
    }

    /** The types' hooks, by type: at most one each ({@link TypeHook}). */
    static final Map<String, TypeHook> HOOKS = loadHooks();

    private static Map<String, TypeHook> loadHooks() {
        Map<String, TypeHook> hooks = new TreeMap<>();
        for (TypeHook hook : ServiceLoader.load(TypeHook.class, Renderer.class.getClassLoader())) {
            TypeHook other = hooks.putIfAbsent(hook.type(), hook);
            if (other != null) {
                throw new IllegalStateException("two hooks for type " + hook.type() + ": " + other.getClass().getName()
                        + " and " + hook.getClass().getName());
            }
        }
        return Map.copyOf(hooks);
    }

    /**
     * A cluster group that does not admit privileged pods ({@code privileged: false}) gets none: a layer
     * whose pods would need one is refused before anything is applied, rather than left pending.
     */
    private void refusePrivileged(StackModel model, Collection<RenderedService> services) {
        Set<Problem> problems = new LinkedHashSet<>();
        for (RenderedService service : services) {
            AppDeployment app = model.app(service.id().app());
            ClusterGroup group = model.clusterGroupOf(app);
            if (group.privileged()) continue;
            for (HasMetadata o : service.objects()) {
                PodSpec pod = o instanceof StatefulSet s
                        ? s.getSpec().getTemplate().getSpec()
                        : o instanceof Deployment d ? d.getSpec().getTemplate().getSpec() : null;
                if (pod == null) continue;
                List<String> privileged = Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream())
                        .filter(c -> c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()))
                        .map(Container::getName).toList();
                boolean hostNetwork = Boolean.TRUE.equals(pod.getHostNetwork());
                if (privileged.isEmpty() && !hostNetwork) continue;
                AppProfile profile = model.profileOf(app);
                // The type makes it so (its catalog file or hook), so the type is what the line points at.
                String title = service.layer() instanceof DatabaseLayer db
                        ? " (" + catalog.resolve(db.type(), db.engine(), db.version()).title() + ")" : "";
                List<String> needs = new ArrayList<>();
                if (!privileged.isEmpty()) needs.add("privileged containers (" + String.join(", ", privileged) + ")");
                if (hostNetwork) needs.add("the host's network");
                problems.add(new Problem(service.layer().source(), "config.dbstack:profiles[" + profile.name() + "].layers["
                        + service.layer().name() + "]" + (title.isEmpty() ? "" : ".type"), "layer '" + service.layer().name()
                        + "'" + title + " needs " + String.join(" and ", needs) + ", which cluster group '" + group.name()
                        + "' does not admit (privileged: false); run app '" + app.name() + "' in a cluster group that"
                        + " admits privileged pods"));
            }
        }
        if (!problems.isEmpty()) throw new UserInputException(List.copyOf(problems));
    }

    /**
     * The pods of the layers that consume {@code id} (output references and {@code dependsOn}): the graph
     * decides who may connect, so a new consumer changes the provider's policy in the same plan. A
     * database consumer's pods carry its data's name, which a rename keeps.
     */
    private static List<ServiceId> consumerPods(ServiceGraph graph, ServiceId id) {
        return graph.consumersOf(id).stream().map(ServiceGraph.Dependency::consumer)
                .map(c -> graph.model().layer(c) instanceof DatabaseLayer db ? new ServiceId(c.app(), db.dataName()) : c)
                .distinct().sorted().toList();
    }

    /**
     * What a disk backup of {@code app} does not give, per database layer whose catalog file says so
     * ({@code backup.caution}): the types whose disks a snapshot cannot make consistent, or cannot reach.
     */
    private void backupCautions(StackModel model, AppDeployment app, List<String> warnings) {
        for (ServiceLayer layer : model.profileOf(app).layers()) {
            if (!(layer instanceof DatabaseLayer db)) continue;
            var c = catalog.resolve(db.type(), db.engine(), db.version());
            if (c.backup().caution() == null) continue;
            warnings.add("disk backup of app '" + app.name() + "', layer '" + db.name() + "' (" + c.title() + "): "
                    + c.backup().caution().strip());
        }
    }

    /**
     * The Maestro-style variables {@code container} receives ({@link DatabaseGroups}): each database layer's families
     * in profile order, the first of a name winning. Each the container sets itself is said in {@code notes}.
     */
    private List<io.fabric8.kubernetes.api.model.EnvVar> automaticEnv(ServiceGraph graph, AppDeployment app,
            ContainerLayer container, Map<ServiceId, RenderedService> services, List<String> notes) {
        AppProfile profile = graph.model().profileOf(app);
        ClusterGroup group = graph.model().clusterGroupOf(app);
        Map<String, io.fabric8.kubernetes.api.model.EnvVar> env = new LinkedHashMap<>();
        Map<String, String> from = new HashMap<>();
        for (DatabaseLayer db : DatabaseGroups.autoEnvLayers(profile, container, null)) {
            RenderedService rendered = services.get(new ServiceId(app.name(), db.name()));
            if (rendered == null) continue;
            var c = catalog.resolve(db.type(), db.engine(), db.version());
            for (var e : DatabaseRenderer.clientEnv(db, c, app.namespace(), group.clusterDomain(),
                    graph.groups(profile).of(db), rendered.outputs())) {
                if (env.putIfAbsent(e.getName(), e) == null) from.put(e.getName(), db.name());
            }
        }
        for (EnvVar own : container.env()) {
            if (env.containsKey(own.name())) {
                notes.add("app '" + app.name() + "', layer '" + container.name() + "': env " + own.name()
                        + " is set explicitly and shadows the automatic " + own.name() + " of layer '"
                        + from.get(own.name()) + "'");
            }
        }
        return List.copyOf(env.values());
    }

    /** Types with several layers and no {@code primary: true}: no plain Service name and no variables without a group. */
    private static void unnamedPrimaries(ServiceGraph graph, AppDeployment app, List<String> notes) {
        graph.groups(graph.model().profileOf(app)).unnamedPrimaries().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).forEach(e -> notes.add("app '" + app.name() + "' has "
                        + e.getValue().size() + " " + e.getKey() + " layers (" + String.join(", ", e.getValue())
                        + ") and none is primary: true, so there is no Service '" + e.getKey() + "' and no "
                        + e.getKey() + " variables without a group; mark one of them primary: true"));
    }

    public RenderedStack render(ServiceGraph graph) {
        StackModel model = graph.model();
        Map<String, List<HasMetadata>> appObjects = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (AppDeployment app : model.apps()) {
            // The namespace first: the quota and defaults live in it, and must exist before any pod or claim.
            List<HasMetadata> objects = new ArrayList<>(List.of(new NamespaceBuilder()
                    .withNewMetadata().withName(app.namespace()).withLabels(Labels.app(model.stack(), app.name())).endMetadata()
                    .build(), VirtualCluster.quota(model.stack(), app), VirtualCluster.limitRange(model.stack(), app)));
            ClusterGroup group = model.clusterGroupOf(app);
            if (group.diskBackup().enabled()) {
                objects.add(DiskBackups.schedule(model.stack(), app, group.diskBackup()));
                backupCautions(model, app, warnings);
            }
            appObjects.put(app.name(), List.copyOf(objects));
            unnamedPrimaries(graph, app, warnings);
            if (!group.diskBackup().enabled() && model.profileOf(app).layers().stream().anyMatch(l -> l instanceof DatabaseLayer)) {
                warnings.add("cluster group '" + group.name() + "' does not back up disks (diskBackup: false): the data of"
                        + " app '" + app.name() + "' lives only on its PersistentVolumes");
            }
        }
        Map<ServiceId, RenderedService> services = new LinkedHashMap<>();
        for (ServiceId id : graph.applyOrder()) {
            AppDeployment app = model.app(id.app());
            AppProfile profile = model.profileOf(app);
            ServiceLayer layer = model.layer(id);
            RenderedService rendered;
            if (layer instanceof DatabaseLayer db) {
                ClusterGroup group = model.clusterGroupOf(app);
                rendered = DatabaseRenderer.render(model.stack(), id, app.namespace(), db, profile, group,
                        catalog.resolve(db.type(), db.engine(), db.version()), credentials, HOOKS.get(db.type()),
                        group.networkPolicy() ? consumerPods(graph, id) : null, graph.groups(profile).of(db));
            } else if (layer instanceof ManifestLayer m) {
                Set<String> reserved = new java.util.HashSet<>();
                appObjects.get(app.name()).forEach(o -> reserved.add(o.getKind() + " " + o.getMetadata().getName()));
                rendered = ManifestRenderer.render(model.stack(), id, app.namespace(), m, layerKey(profile, layer)
                        + (m.isInline() ? ".manifest" : ".file"), services::get, reserved);
            } else {
                ContainerLayer c = (ContainerLayer) layer;
                List<RenderedService.SharedVolume> mounts = graph.providersOf(id).stream()
                        .map(d -> services.get(d.provider()).volume()).filter(Objects::nonNull).distinct().toList();
                rendered = ContainerRenderer.render(model.stack(), id, app.namespace(), c, services::get,
                        name -> envSecrets.apply(id, c.env().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow()),
                        mounts, automaticEnv(graph, app, c, services, warnings));
            }
            services.put(id, Patches.apply(rendered, layerKey(profile, layer)));
        }
        refuseNameCollisions(model, services.values());
        refusePrivileged(model, services.values());
        return new RenderedStack(graph, appObjects, services, List.copyOf(warnings));
    }
}
