package dev.dbstack.graph;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.Suggest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Database groups and their Service names, Cloud 66 Maestro style, for one profile.
 *
 * <p>The layers of one type in a profile are its database groups. A layer's group is its {@code group:}; a layer
 * that names none, among several of its type, is in the group of its own name less a leading {@code <type>-}
 * ({@code postgresql-2} → {@code 2}), so profiles written before groups keep working. Each group gets a client
 * Service {@code <type>-<group>} ({@code mysql-main}); the primary ({@code primary: true}, or the only layer of its
 * type) also gets the plain {@code <type>} Service ({@code mysql}). A sole layer that names no group gets only the
 * plain name. These Services select the layer's pods besides its own client Service: no data object moves, so
 * switching the primary changes Services only. When several layers of a type mark none primary, there is no plain
 * name and no variables without a group ({@link #unnamedPrimaries}, which preview reports).
 *
 * <p>{@code <type>} is the catalog type, whatever the engine: MariaDB and Percona Server are {@code mysql}.
 */
public final class DatabaseGroups {

    /**
     * The Maestro names of one database layer.
     *
     * @param groupService {@code <type>-<group>}, or null for a sole layer without a group
     * @param group        the group ({@code spare}); null with {@code groupService}
     * @param plainService {@code <type>} for the primary, else null
     */
    public record Names(DatabaseLayer layer, String group, String groupService, String plainService) {
        /** The Services to render besides the layer's own client Service (which may already have one of the names). */
        public List<String> extraServices() {
            List<String> out = new ArrayList<>();
            for (String s : new String[] {groupService, plainService}) {
                if (s != null && !s.equals(layer.name())) out.add(s);
            }
            return out;
        }
    }

    private final Map<String, Names> byLayer;
    private final Map<String, List<String>> unnamedPrimaries;

    private DatabaseGroups(Map<String, Names> byLayer, Map<String, List<String>> unnamedPrimaries) {
        this.byLayer = byLayer;
        this.unnamedPrimaries = unnamedPrimaries;
    }

    /** The names of a database layer of the profile. */
    public Names of(DatabaseLayer layer) {
        return byLayer.get(layer.name());
    }

    /** Per type that has several layers and no primary: the layers, in profile order. */
    public Map<String, List<String>> unnamedPrimaries() {
        return unnamedPrimaries;
    }

    /** The groups of {@code profile}; what is wrong with them goes to {@code problems} (one each). */
    public static DatabaseGroups of(AppProfile profile, List<Problem> problems) {
        Map<String, List<DatabaseLayer>> byType = new LinkedHashMap<>();
        for (ServiceLayer l : profile.layers()) {
            if (l instanceof DatabaseLayer db) byType.computeIfAbsent(db.type(), t -> new ArrayList<>()).add(db);
        }
        Map<String, Names> byLayer = new LinkedHashMap<>();
        Map<String, List<String>> unnamed = new LinkedHashMap<>();
        Map<String, String> serviceOwners = new LinkedHashMap<>(); // Maestro Service → layer
        for (Map.Entry<String, List<DatabaseLayer>> e : byType.entrySet()) {
            String type = e.getKey();
            List<DatabaseLayer> layers = e.getValue();
            DatabaseLayer primary = null;
            for (DatabaseLayer db : layers) {
                if (!db.primary()) continue;
                if (primary != null) {
                    problems.add(new Problem(db.source(), key(profile, db, "primary"), "layers '" + primary.name()
                            + "' and '" + db.name() + "' are both primary: true; one " + type + " group only can be"
                            + " primary (it gets the Service '" + type + "' and the " + type + " variables without a group)"));
                    continue;
                }
                primary = db;
            }
            if (primary == null && layers.size() == 1) primary = layers.get(0);
            if (primary == null) unnamed.put(type, layers.stream().map(DatabaseLayer::name).toList());
            for (DatabaseLayer db : layers) {
                String group = db.group();
                if (group == null && layers.size() > 1) group = defaultGroup(type, db.name());
                String groupService = group == null ? null : type + "-" + group;
                String plain = db == primary ? type : null;
                byLayer.put(db.name(), new Names(db, group, groupService, plain));
                for (String service : new String[] {groupService, plain}) {
                    if (service == null) continue;
                    String owner = serviceOwners.putIfAbsent(service, db.name());
                    if (owner != null && !owner.equals(db.name())) {
                        problems.add(new Problem(db.source(), key(profile, db, db.group() != null ? "group" : "name"),
                                "layers '" + owner + "' and '" + db.name() + "' would both get the " + type
                                        + " Service '" + service + "'; give each " + type + " layer its own group:"));
                    }
                }
            }
        }
        // A Maestro Service must not take the name of another layer's own Service (its name): said at that layer.
        for (Names n : byLayer.values()) {
            for (String service : n.extraServices()) {
                Optional<ServiceLayer> other = profile.layer(service);
                if (other.isEmpty() || other.get().name().equals(n.layer().name())) continue;
                boolean plain = service.equals(n.plainService());
                problems.add(new Problem(other.get().source(), key(profile, other.get(), "name"), "layer name '" + service
                        + "' is the Service dbstack gives " + (plain ? "the primary " + n.layer().type() + " layer '"
                        + n.layer().name() + "'" : n.layer().type() + " group '" + n.group() + "' (layer '"
                        + n.layer().name() + "')") + ", Maestro style; rename layer '" + service + "'"
                        + (plain ? "" : " or give layer '" + n.layer().name() + "' another group")));
            }
        }
        return new DatabaseGroups(Map.copyOf(byLayer), Map.copyOf(unnamed));
    }

    /** {@code 2} for layer {@code postgresql-2} of type postgresql; else the layer's name. */
    static String defaultGroup(String type, String layer) {
        String rest = layer.startsWith(type + "-") ? layer.substring(type.length() + 1) : "";
        return rest.isEmpty() ? layer : rest;
    }

    /**
     * The database layers whose variables {@code container} receives: every database layer below it ({@code autoEnv}
     * unset or true), none ({@code false}), or those listed. A listed name that is no database layer below the
     * container is a problem.
     */
    public static List<DatabaseLayer> autoEnvLayers(AppProfile profile, ContainerLayer container, List<Problem> problems) {
        List<DatabaseLayer> below = new ArrayList<>();
        for (ServiceLayer l : profile.layers()) {
            if (l instanceof DatabaseLayer db && l.index() < container.index()) below.add(db);
        }
        if (container.autoEnv() == null) return below;
        List<DatabaseLayer> chosen = new ArrayList<>();
        for (String name : container.autoEnv()) {
            Optional<DatabaseLayer> found = below.stream().filter(d -> d.name().equals(name)).findFirst();
            if (found.isPresent()) {
                chosen.add(found.get());
                continue;
            }
            if (problems == null) continue;
            Optional<ServiceLayer> any = profile.layer(name);
            List<String> names = below.stream().map(DatabaseLayer::name).toList();
            String message;
            if (any.isEmpty()) {
                message = "layer '" + container.name() + "' takes the variables of '" + name + "', but profile "
                        + profile.ref() + " has no such layer" + Suggest.didYouMean(name, names);
            } else if (!(any.get() instanceof DatabaseLayer)) {
                message = "'" + name + "' is not a database layer: autoEnv lists database layers";
            } else {
                message = "'" + name + "' is above layer '" + container.name() + "': a container receives the"
                        + " variables of database layers below it only";
            }
            problems.add(new Problem(container.source(), key(profile, container, "autoEnv"), message
                    + (names.isEmpty() ? " (there are no database layers below it)"
                    : " (database layers below it: " + String.join(", ", names) + ")")));
        }
        return chosen;
    }

    /** The environment prefix of a family: {@code MYSQL} or {@code MYSQL_SPARE}. */
    public static String prefix(Component c, String group) {
        String prefix = c.environment().prefix();
        return group == null ? prefix : prefix + "_" + group.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** Whether {@code catalog} gives the type environment variables at all. */
    public static boolean hasEnvironment(Catalog catalog, DatabaseLayer db) {
        return catalog.resolve(db.type(), db.engine(), db.version()).environment().prefix() != null;
    }

    private static String key(AppProfile profile, ServiceLayer layer, String key) {
        return "config.dbstack:profiles[" + profile.name() + "].layers[" + layer.name() + "]." + key;
    }
}
