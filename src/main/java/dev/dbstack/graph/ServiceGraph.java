package dev.dbstack.graph;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.Template;
import dev.dbstack.model.UserInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DirectedAcyclicGraph;

/**
 * The services of every app deployment and who consumes whom. An edge points from a provider to
 * its consumer, so a topological order is an apply order and its reverse a destroy order.
 */
public final class ServiceGraph {
    /** At most this many dependency cycles are reported in one run; the rest are counted. */
    static final int MAX_CYCLES_REPORTED = 5;

    private final StackModel model;
    private final DirectedAcyclicGraph<ServiceId, Dependency> dag;
    private final List<List<ServiceId>> waves;

    private final Map<String, DatabaseGroups> groups;

    private ServiceGraph(StackModel model, DirectedAcyclicGraph<ServiceId, Dependency> dag, Map<String, DatabaseGroups> groups) {
        this.model = model;
        this.dag = dag;
        this.groups = groups;
        this.waves = computeWaves(dag, Comparator.comparing(ServiceId::app)
                .thenComparingInt(id -> model.layer(id).index()));
    }

    /**
     * An edge: {@code consumer} needs {@code provider} first. {@code variables} are the output
     * variables it reads; {@code explicit} when it came from {@code dependsOn}. A container's edge to a database
     * layer whose environment variables it receives ({@code autoEnv}) has neither.
     */
    public record Dependency(ServiceId provider, ServiceId consumer, Set<String> variables, boolean explicit) {}

    /**
     * Builds the graph and checks every reference: known layer, exposed variable, and Palette's
     * hierarchy (a layer consumes only layers below it). All problems are reported together.
     */
    public static ServiceGraph build(StackModel model, Catalog catalog) {
        List<Problem> problems = new ArrayList<>();
        // First a plain directed graph holding every edge, even illegal ones, so cycles can be named.
        Graph<ServiceId, Dependency> all = new DefaultDirectedGraph<>(null, null, false);
        Map<String, Dependency> byPair = new HashMap<>();
        Map<String, DatabaseGroups> groups = new HashMap<>();
        java.util.Set<Problem> profileProblems = new java.util.LinkedHashSet<>(); // a profile deployed twice, said once
        for (AppDeployment app : model.apps()) {
            AppProfile profile = model.profileOf(app);
            if (!groups.containsKey(profile.ref())) {
                List<Problem> found = new ArrayList<>();
                groups.put(profile.ref(), DatabaseGroups.of(profile, found));
                for (ServiceLayer layer : profile.layers()) {
                    if (layer instanceof dev.dbstack.model.ContainerLayer c) DatabaseGroups.autoEnvLayers(profile, c, found);
                }
                profileProblems.addAll(found);
            }
            for (ServiceLayer layer : profile.layers()) all.addVertex(new ServiceId(app.name(), layer.name()));
            for (ServiceLayer layer : profile.layers()) {
                ServiceId consumer = new ServiceId(app.name(), layer.name());
                for (ServiceLayer.LocatedReference ref : layer.references()) {
                    checkReference(app, profile, layer, ref, catalog, problems).ifPresent(provider ->
                            addEdge(all, byPair, provider, consumer, ref.reference().variable(), false));
                }
                for (String dep : layer.dependsOn()) {
                    checkDependsOn(profile, layer, dep, problems).ifPresent(provider ->
                            addEdge(all, byPair, new ServiceId(app.name(), provider.name()), consumer, null, true));
                }
                // The databases whose variables a container receives: it waits for them, and their policies admit it.
                if (layer instanceof dev.dbstack.model.ContainerLayer c) {
                    for (DatabaseLayer db : DatabaseGroups.autoEnvLayers(profile, c, null)) {
                        if (!DatabaseGroups.hasEnvironment(catalog, db)) continue;
                        addEdge(all, byPair, new ServiceId(app.name(), db.name()), consumer, null, false);
                    }
                }
            }
        }
        problems.addAll(profileProblems);
        reportCycles(all, model, problems);
        if (!problems.isEmpty()) throw new UserInputException(sorted(problems));

        DirectedAcyclicGraph<ServiceId, Dependency> dag = new DirectedAcyclicGraph<>(null, null, false);
        all.vertexSet().stream().sorted().forEach(dag::addVertex);
        all.edgeSet().stream()
                .sorted(Comparator.comparing(Dependency::consumer).thenComparing(Dependency::provider))
                .forEach(e -> dag.addEdge(e.provider(), e.consumer(), e));
        return new ServiceGraph(model, dag, Map.copyOf(groups));
    }

    private static void addEdge(Graph<ServiceId, Dependency> g, Map<String, Dependency> byPair, ServiceId provider,
                                ServiceId consumer, String variable, boolean explicit) {
        String pair = provider + ">" + consumer;
        Dependency existing = byPair.get(pair);
        Set<String> vars = new TreeSet<>(existing == null ? Set.of() : existing.variables());
        if (variable != null) vars.add(variable);
        Dependency merged = new Dependency(provider, consumer, Set.copyOf(vars),
                explicit || (existing != null && existing.explicit()));
        if (existing != null) g.removeEdge(existing);
        g.addEdge(provider, consumer, merged);
        byPair.put(pair, merged);
    }

    /** Returns the provider when the reference is legal; otherwise records why not. */
    private static Optional<ServiceId> checkReference(AppDeployment app, AppProfile profile,
            ServiceLayer consumer, ServiceLayer.LocatedReference located, Catalog catalog, List<Problem> problems) {
        Template.Reference ref = located.reference();
        String key = keyOf(profile, consumer, located.key());
        SourceRef at = located.source();
        String who = "layer '" + consumer.name() + "' consumes " + ref.layer() + "." + ref.variable();
        if (!ref.isCurrentApp() && !ref.app().equals(app.name())) {
            problems.add(new Problem(at, key, who + " of app '" + ref.app() + "', but a layer can consume only its own"
                    + " app deployment: write {{.spectro.app.$appDeploymentName." + ref.layer() + "." + ref.variable() + "}}"));
            return Optional.empty();
        }
        Optional<ServiceLayer> provider = profile.layer(ref.layer());
        if (provider.isEmpty()) {
            List<String> below = profile.layers().subList(0, consumer.index()).stream().map(ServiceLayer::name).toList();
            problems.add(new Problem(at, key, who + ", but profile " + profile.ref() + " has no layer '" + ref.layer()
                    + "'" + Suggest.didYouMean(ref.layer(), profile.layers().stream().map(ServiceLayer::name).toList())
                    + (below.isEmpty() ? "" : " (layers below it: " + String.join(", ", below) + ")")));
            return Optional.empty();
        }
        ServiceLayer p = provider.get();
        if (p.name().equals(consumer.name())) {
            problems.add(new Problem(at, key, who + ": a layer cannot consume its own output variables"));
            return Optional.empty();
        }
        List<String> exposed = outputsOf(p, catalog);
        if (!exposed.contains(ref.variable())) {
            problems.add(new Problem(at, key, who + ", but layer '" + p.name() + "' (" + p.type() + ") does not expose "
                    + ref.variable() + Suggest.didYouMean(ref.variable(), exposed)
                    + (exposed.isEmpty() ? " (it exposes no output variables)"
                            : " (it exposes: " + String.join(", ", exposed) + ")")));
            return Optional.empty();
        }
        ServiceId providerId = new ServiceId(app.name(), p.name());
        if (p.index() > consumer.index()) {
            problems.add(new Problem(at, key, hierarchyMessage(who, consumer, p)));
        }
        // Upward edges stay in the graph until cycle detection has seen them.
        return Optional.of(providerId);
    }

    private static Optional<ServiceLayer> checkDependsOn(AppProfile profile, ServiceLayer consumer,
                                                                   String dep, List<Problem> problems) {
        String key = keyOf(profile, consumer, "dependsOn");
        Optional<ServiceLayer> provider = profile.layer(dep);
        String who = "layer '" + consumer.name() + "' depends on '" + dep + "'";
        if (provider.isEmpty()) {
            problems.add(new Problem(consumer.source(), key, who + ", but profile " + profile.ref() + " has no such layer"
                    + Suggest.didYouMean(dep, profile.layers().stream().map(ServiceLayer::name).toList())));
            return Optional.empty();
        }
        if (dep.equals(consumer.name())) {
            problems.add(new Problem(consumer.source(), key, who + ": a layer cannot depend on itself"));
            return Optional.empty();
        }
        if (provider.get().index() > consumer.index()) {
            problems.add(new Problem(consumer.source(), key, hierarchyMessage(who, consumer, provider.get())));
        }
        return provider;
    }

    private static String hierarchyMessage(String who, ServiceLayer consumer, ServiceLayer provider) {
        return who + ", but '" + provider.name() + "' (layer " + (provider.index() + 1) + ") is above '"
                + consumer.name() + "' (layer " + (consumer.index() + 1) + "): a layer may consume only layers below"
                + " it in the profile; move '" + provider.name() + "' below '" + consumer.name() + "'";
    }

    /**
     * Reports dependency cycles in bounded time: one problem per strongly connected group of layers
     * (a self-loop counts as one), naming a shortest cycle through its first layer and how many more
     * layers are tangled with it, at most {@link #MAX_CYCLES_REPORTED} problems in all. Enumerating
     * every simple cycle instead is exponential: a dozen layers that all depend on each other have
     * more cycles than can ever be listed.
     */
    private static void reportCycles(Graph<ServiceId, Dependency> all, StackModel model, List<Problem> problems) {
        Map<String, Problem> cycles = new LinkedHashMap<>(); // one profile deployed twice has its cycles twice
        for (Set<ServiceId> group : new KosarajuStrongConnectivityInspector<>(all).stronglyConnectedSets()) {
            ServiceId first = group.stream().min(Comparator.naturalOrder()).orElseThrow();
            if (group.size() == 1 && !all.containsEdge(first, first)) continue;
            List<ServiceId> cycle = shortestCycle(all, group, first);
            AppProfile profile = model.profileOf(model.app(first.app()));
            StringBuilder message = new StringBuilder("dependency cycle in profile " + profile.ref() + ": "
                    + cycle.stream().map(ServiceId::layer).collect(Collectors.joining(" depends on ")));
            List<String> others = group.stream().filter(id -> !cycle.contains(id)).sorted().map(ServiceId::layer).toList();
            if (!others.isEmpty()) {
                message.append("; ").append(others.size()).append(others.size() == 1 ? " more layer is" : " more layers are")
                        .append(" in cycles with them: ").append(String.join(", ", others.subList(0, Math.min(others.size(), 10))))
                        .append(others.size() > 10 ? " and " + (others.size() - 10) + " more" : "");
            }
            Problem problem = new Problem(model.layer(first).source(), "config.dbstack:profiles[" + profile.name() + "]",
                    message.toString());
            cycles.putIfAbsent(problem.render(), problem);
        }
        List<Problem> found = sorted(new ArrayList<>(cycles.values()));
        int shown = Math.min(found.size(), MAX_CYCLES_REPORTED);
        for (int i = 0; i < shown; i++) {
            Problem p = found.get(i);
            int more = found.size() - shown;
            problems.add(i < shown - 1 || more == 0 ? p : new Problem(p.source(), p.key(), p.message()
                    + " (and " + more + " more dependency cycle" + (more == 1 ? "" : "s") + ")"));
        }
    }

    /**
     * A shortest cycle through {@code first} within {@code group}, read as people say it: {@code first}
     * depends on the next, ... which depends on {@code first}. Breadth-first over providers, each
     * layer's providers in order, so the answer is stable.
     */
    private static List<ServiceId> shortestCycle(Graph<ServiceId, Dependency> all, Set<ServiceId> group, ServiceId first) {
        Map<ServiceId, ServiceId> reachedFrom = new HashMap<>();
        ArrayDeque<ServiceId> queue = new ArrayDeque<>(List.of(first));
        while (!queue.isEmpty()) {
            ServiceId at = queue.removeFirst();
            List<ServiceId> providers = all.incomingEdgesOf(at).stream().map(Dependency::provider)
                    .filter(group::contains).sorted().toList();
            for (ServiceId provider : providers) {
                if (provider.equals(first)) {
                    List<ServiceId> cycle = new ArrayList<>();
                    for (ServiceId id = at; id != null; id = reachedFrom.get(id)) cycle.add(0, id);
                    cycle.add(first);
                    return cycle;
                }
                if (reachedFrom.containsKey(provider)) continue;
                reachedFrom.put(provider, at);
                queue.addLast(provider);
            }
        }
        throw new IllegalStateException(first + " is in a strongly connected group but on no cycle");
    }

    /** The same key path the config loader reports, so every message about a layer reads alike. */
    private static String keyOf(AppProfile profile, ServiceLayer layer, String key) {
        return "config.dbstack:profiles[" + profile.name() + "].layers[" + layer.name() + "]." + key;
    }

    /** Output variables a layer exposes: its component's, none for containers. */
    public static List<String> outputsOf(ServiceLayer layer, Catalog catalog) {
        if (layer instanceof DatabaseLayer db) return catalog.find(db.type()).isEmpty() ? List.of()
                : catalog.resolve(db.type(), db.engine(), db.version()).outputNames();
        return List.of();
    }

    private static List<Problem> sorted(List<Problem> problems) {
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparing((Problem p) -> p.source().file()).thenComparingInt(p -> p.source().line()));
        return out;
    }

    /** Wave n holds the services whose providers are all in earlier waves; within a wave, in profile order. */
    private static List<List<ServiceId>> computeWaves(DirectedAcyclicGraph<ServiceId, Dependency> dag,
                                                      Comparator<ServiceId> order) {
        Map<ServiceId, Integer> level = new HashMap<>();
        for (ServiceId id : dag) { // iteration order of a DirectedAcyclicGraph is topological
            int l = dag.incomingEdgesOf(id).stream().mapToInt(e -> level.get(e.provider()) + 1).max().orElse(0);
            level.put(id, l);
        }
        int count = level.values().stream().mapToInt(i -> i + 1).max().orElse(0);
        List<List<ServiceId>> waves = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int wave = i;
            waves.add(level.entrySet().stream().filter(e -> e.getValue() == wave).map(Map.Entry::getKey).sorted(order).toList());
        }
        return List.copyOf(waves);
    }

    /** The database groups and Maestro Service names of {@code profile}. */
    public DatabaseGroups groups(AppProfile profile) {
        return groups.get(profile.ref());
    }

    public StackModel model() {
        return model;
    }

    /** Groups of services that can be applied together, in order. */
    public List<List<ServiceId>> waves() {
        return waves;
    }

    /** Every service in apply order (wave by wave). */
    public List<ServiceId> applyOrder() {
        return waves.stream().flatMap(List::stream).toList();
    }

    /** Every service in destroy order: consumers before what they consume. */
    public List<ServiceId> destroyOrder() {
        List<ServiceId> order = new ArrayList<>(applyOrder());
        java.util.Collections.reverse(order);
        return order;
    }

    public Set<ServiceId> services() {
        return new TreeSet<>(dag.vertexSet());
    }

    /** Edges into {@code id}: what it consumes. */
    public List<Dependency> providersOf(ServiceId id) {
        return dag.incomingEdgesOf(id).stream().sorted(Comparator.comparing(Dependency::provider)).toList();
    }

    /** Edges out of {@code id}: who consumes it. */
    public List<Dependency> consumersOf(ServiceId id) {
        return dag.outgoingEdgesOf(id).stream().sorted(Comparator.comparing(Dependency::consumer)).toList();
    }

    public List<Dependency> edges() {
        return dag.edgeSet().stream()
                .sorted(Comparator.comparing(Dependency::consumer).thenComparing(Dependency::provider)).toList();
    }
}
