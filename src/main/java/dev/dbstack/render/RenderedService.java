package dev.dbstack.render;

import dev.dbstack.model.ServiceId;
import dev.dbstack.model.ServiceLayer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;

/**
 * One service layer as Kubernetes objects, in the order they must be applied, plus its outputs.
 *
 * @param volume for a database type without a server (SQLite), the claim that the containers
 *               consuming it mount; null otherwise
 */
public record RenderedService(ServiceId id, ServiceLayer layer, String namespace, List<HasMetadata> objects,
                              Map<String, OutputValue> outputs, SharedVolume volume) {

    /**
     * A claim mounted into each consuming container at {@code mountPath}; {@code fsGroup}, when set,
     * joins the consuming pod so that its processes, whatever user they run as, may write there.
     */
    public record SharedVolume(String claimName, String mountPath, Long fsGroup) {}
}
