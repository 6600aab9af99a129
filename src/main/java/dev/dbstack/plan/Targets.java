package dev.dbstack.plan;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code --target APP} and {@code --target APP/LAYER} select of a plan: the steps a targeted run applies. A
 * layer brings the layers it consumes, transitively along the service graph, and the app-level objects (namespace,
 * quota, policies, backup schedule) of every app among them; an app brings all of its services, its app-level
 * objects, and the deletes of its layers removed from the configuration. {@link #ALL} selects everything (no
 * {@code --target}).
 *
 * @param named     the targets as given (deduplicated, in order): what a saved plan and the output say
 * @param apps      the apps whose app-level steps are selected
 * @param services  the services of the graph whose steps are selected
 * @param wholeApps the apps targeted as a whole: the steps of their removed layers are selected too
 */
public record Targets(List<String> named, Set<String> apps, Set<ServiceId> services, Set<String> wholeApps) {
    public static final Targets ALL = new Targets(List.of(), Set.of(), Set.of(), Set.of());
    private static final String OPTION = "--target";

    public Targets {
        named = List.copyOf(named);
        apps = Set.copyOf(apps);
        services = Set.copyOf(services);
        wholeApps = Set.copyOf(wholeApps);
    }

    /** No {@code --target}: every step is selected. */
    public boolean isAll() {
        return named.isEmpty();
    }

    public boolean includes(Step step) {
        if (isAll()) return true;
        if (step.service() == null) return apps.contains(step.app());
        // A service of the graph is selected by name; one the graph no longer has (a removed layer) by its whole app.
        return services.contains(step.service()) || wholeApps.contains(step.service().app());
    }

    /**
     * The targets {@code given} resolved against the stack's graph. An app that the configuration no longer has but
     * state still holds ({@code removedApps}) may be targeted as a whole: its deletes are then what the run applies.
     *
     * @throws UserInputException (exit 2) for a malformed target, an unknown app, or a layer its app does not have
     */
    public static Targets resolve(List<String> given, ServiceGraph graph, Collection<String> removedApps) {
        if (given == null || given.isEmpty()) return ALL;
        List<String> configured = graph.model().apps().stream().map(AppDeployment::name).toList();
        Set<String> knownApps = new TreeSet<>(configured);
        knownApps.addAll(removedApps);
        Set<String> named = new LinkedHashSet<>();
        Set<ServiceId> chosen = new LinkedHashSet<>();
        Set<String> wholeApps = new TreeSet<>();
        for (String raw : given) {
            String target = raw.trim();
            String[] parts = target.split("/", -1);
            if (target.isEmpty() || parts.length > 2 || parts[0].isEmpty() || parts.length == 2 && parts[1].isEmpty()) {
                throw refuse(Suggest.quote(raw) + " is not a target: name an app (APP) or one of its layers (APP/LAYER)");
            }
            String app = parts[0];
            if (!knownApps.contains(app)) {
                throw refuse("'" + app + "' is not an app of stack " + graph.model().stack() + Suggest.didYouMean(app, knownApps)
                        + " (apps: " + String.join(", ", knownApps) + ")");
            }
            named.add(target);
            List<ServiceId> ofApp = graph.applyOrder().stream().filter(id -> id.app().equals(app)).toList();
            if (parts.length == 1) {
                wholeApps.add(app);
                chosen.addAll(ofApp);
                continue;
            }
            String layer = parts[1];
            ServiceId id = new ServiceId(app, layer);
            if (!ofApp.contains(id)) {
                List<String> layers = ofApp.stream().map(ServiceId::layer).toList();
                throw refuse("app '" + app + "' has no layer '" + layer + "'" + Suggest.didYouMean(layer, layers)
                        + (layers.isEmpty() ? " (it is no longer in the configuration: target it as a whole, --target " + app + ")"
                        : " (layers: " + String.join(", ", layers) + ")"));
            }
            chosen.addAll(withProviders(graph, id));
        }
        Set<String> apps = new TreeSet<>(wholeApps);
        chosen.forEach(id -> apps.add(id.app()));
        return new Targets(new ArrayList<>(named), apps, chosen, wholeApps);
    }

    /** {@code id} and every service it consumes, directly or through others. */
    private static Set<ServiceId> withProviders(ServiceGraph graph, ServiceId id) {
        Set<ServiceId> out = new LinkedHashSet<>(List.of(id));
        ArrayDeque<ServiceId> queue = new ArrayDeque<>(out);
        while (!queue.isEmpty()) {
            for (ServiceGraph.Dependency d : graph.providersOf(queue.removeFirst())) {
                if (out.add(d.provider())) queue.addLast(d.provider());
            }
        }
        return out;
    }

    private static UserInputException refuse(String message) {
        return UserInputException.of(SourceRef.UNKNOWN, OPTION, message);
    }

    /**
     * One line for the output: {@code a/api (with what it consumes: a/db)}; the services beyond those named, so a
     * reviewer sees why they are in the plan.
     */
    public String describe() {
        List<String> extra = new ArrayList<>();
        for (ServiceId id : new TreeSet<>(services)) {
            if (!named.contains(id.toString()) && !wholeApps.contains(id.app())) extra.add(id.toString());
        }
        return String.join(", ", named) + (extra.isEmpty() ? ""
                : " (with what " + (named.size() == 1 ? "it consumes" : "they consume") + ": " + String.join(", ", extra) + ")");
    }
}
