package dev.dbstack.model;

import java.util.List;
import java.util.Map;

/**
 * A database service layer, rendered from its catalog component.
 *
 * @param engine      the server a type with engines runs (mysql, percona, mariadb), resolved to the type's
 *                    default when the layer names none; null for a type without engines
 * @param settings    type-specific settings declared by the component (database name, user, ...)
 * @param credentials credentials the user supplied as {@code secure:} values instead of generated ones
 * @param renamedFrom the layer's earlier name when it was renamed, else null: its data (workload, claims,
 *                    credentials) keeps that name, while the layer, its client Service and its outputs take the new one
 * @param group       the layer's database group ({@code group:}, a DNS label), Maestro style: its extra client Service is
 *                    {@code <type>-<group>}; null when the layer names none (see {@code graph.DatabaseGroups})
 * @param primary     {@code primary: true}: of several layers of one type, this one also gets the plain {@code <type>}
 *                    Service and the environment variables without a group
 * @param deployment  dedicated (the default), local or external ({@link Deployment})
 * @param parameters  server parameters ({@code parameters:}), checked against the type's catalog list, as the server is
 *                    given them ({@code max_connections} → {@code 200}); empty when the layer sets none
 * @param patches     the layer's {@code patches:} ({@link Patch})
 */
public record DatabaseLayer(
        String name,
        String type,
        String engine,
        String version,
        int storageGiB,
        String storageClass,
        int replicas,
        Map<String, String> settings,
        Map<String, SecretValue> credentials,
        Resources resources,
        List<String> dependsOn,
        String renamedFrom,
        String group,
        boolean primary,
        Deployment deployment,
        Map<String, String> parameters,
        int index,
        SourceRef source,
        List<Patch> patches) implements ServiceLayer {

    public DatabaseLayer {
        patches = patches == null ? List.of() : List.copyOf(patches);
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(parameters));
    }

    /** The name the data lives under: the StatefulSet, its claims, headless Service and credentials. */
    public String dataName() {
        return renamedFrom != null ? renamedFrom : name;
    }

    @Override
    public List<LocatedReference> references() {
        return List.of();
    }
}
