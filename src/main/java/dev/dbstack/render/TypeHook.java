package dev.dbstack.render;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Resources;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.Map;

/**
 * What a database type's catalog file cannot say, in Java: at most one hook per type, found by
 * {@link #type()} among the classes listed in {@code META-INF/services/dev.dbstack.render.TypeHook}.
 * Render builds the type's objects from its catalog file first, then asks its hook, if it has one.
 * A hook is as pure as render: the same layer gives the same objects, and secrets reach pods only
 * through the credentials Secret ({@code secretKeyRef} or a Secret volume), never as text in a spec.
 */
public interface TypeHook {
    /** The catalog type ({@code components/<type>.yaml}) this hook belongs to. */
    String type();

    /**
     * Shapes the pod template the catalog built: init containers, volumes, variables computed from
     * the layer (a heap sized from its memory). May refuse the layer with {@link Context#refuse}.
     */
    default void shapePod(Context ctx, PodSpec pod) {}

    /** Objects the type needs besides its Secret, Services and StatefulSet (a keyfile Secret, an init Job). */
    default List<HasMetadata> extraObjects(Context ctx) {
        return List.of();
    }

    /**
     * Conditions the live StatefulSet must meet, besides its kind's readiness check and the catalog's
     * {@code readiness:} list, in the same syntax ({@link dev.dbstack.catalog.ReadyCondition}).
     */
    default List<String> readiness(Context ctx) {
        return List.of();
    }

    /**
     * The Secret in which this hook keeps catalog credential {@code credential} under that credential's name as its key,
     * when not in the credentials Secret (MongoDB's keyfile: {@code <data>-keyfile}); empty for the usual place. State
     * that lost its credentials takes them back from there, never generating a second keyfile for a running set.
     */
    default java.util.Optional<String> credentialSecret(String dataName, String credential) {
        return java.util.Optional.empty();
    }

    /**
     * What a hook knows of the layer it shapes.
     *
     * @param keyPath           the layer's key in the stack file, for refusals ({@code config.dbstack:profiles[p].layers[l]})
     * @param dataName          the name the data lives under: the StatefulSet's and its claims'
     * @param credentialsSecret the Secret with the type's credentials and secret outputs
     * @param resources         the layer's CPU and memory, the catalog's defaults filled in
     * @param labels            the labels of the layer's objects
     * @param credentials       the plaintext of the type's {@code credentials:} by name, only for the data of a Secret
     *                          the hook renders (a replica set's keyfile); Pulumi hands placeholders that it resolves
     *                          in Secret data only, so a value must never reach any other object
     */
    record Context(DatabaseLayer layer, Component component, ClusterGroup group, String namespace, String keyPath,
                   String dataName, String credentialsSecret, Resources resources, Map<String, String> labels,
                   Map<String, String> credentials) {

        /** A setting of the layer, with the catalog's default filled in. */
        public String setting(String name) {
            return layer.settings().get(name);
        }

        /**
         * The stable DNS name of the StatefulSet's pod {@code ordinal} through the headless Service, which
         * resolves before the pod is ready (the Service publishes not-ready addresses).
         */
        public String podHost(int ordinal) {
            return dataName + "-" + ordinal + "." + DatabaseRenderer.headlessName(dataName) + "." + namespace + ".svc."
                    + group.clusterDomain();
        }

        /** Refuses the layer's configuration: one line for the user, at the layer, under {@code key}. */
        public UserInputException refuse(String key, String message) {
            return UserInputException.of(layer.source(), keyPath + "." + key, message);
        }
    }
}
