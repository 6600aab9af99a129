package dev.dbstack.model;

import java.util.List;
import java.util.Map;

/**
 * A database service layer, rendered from its catalog component.
 *
 * @param settings    type-specific settings declared by the component (database name, user, ...)
 * @param credentials credentials the user supplied as {@code secure:} values instead of generated ones
 */
public record DatabaseLayer(
        String name,
        String type,
        String version,
        int storageGiB,
        String storageClass,
        int replicas,
        Map<String, String> settings,
        Map<String, SecretValue> credentials,
        Resources resources,
        List<String> dependsOn,
        int index,
        SourceRef source) implements ServiceLayer {

    @Override
    public List<LocatedReference> references() {
        return List.of();
    }
}
