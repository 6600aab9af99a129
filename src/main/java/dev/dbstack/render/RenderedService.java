package dev.dbstack.render;

import dev.dbstack.model.ServiceId;
import dev.dbstack.model.ServiceLayer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;

/** One service layer as Kubernetes objects, in the order they must be applied, plus its outputs. */
public record RenderedService(ServiceId id, ServiceLayer layer, String namespace, List<HasMetadata> objects,
                              Map<String, OutputValue> outputs) {}
