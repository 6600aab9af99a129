package dev.dbstack.render;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a stack wants to exist: per app deployment its namespace-level objects, per service
 * its objects, and warnings a person should read before applying.
 */
public record RenderedStack(ServiceGraph graph, Map<String, List<HasMetadata>> appObjects,
                            Map<ServiceId, RenderedService> services, List<String> warnings) {

    /** Every object, app-level first, then services in apply order. */
    public List<HasMetadata> allObjects() {
        List<HasMetadata> all = new ArrayList<>();
        appObjects.values().forEach(all::addAll);
        for (ServiceId id : graph.applyOrder()) all.addAll(services.get(id).objects());
        return all;
    }

    public RenderedService service(ServiceId id) {
        return services.get(id);
    }
}
