package dev.dbstack.pulumi;

import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import dev.dbstack.model.ServiceLayer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One service layer under Pulumi: {@code dbstack:index:PostgresqlService}, {@code …MongodbService},
 * {@code …ContainerService}. Its children are the layer's Kubernetes objects and credentials; its
 * outputs are the layer's output variables. Which variables exist depends on the catalog entry,
 * so they are registered by name rather than as fixed {@code @Export} fields.
 */
public final class ServiceComponent extends ComponentResource {
    private final Map<String, Output<String>> outputs = new LinkedHashMap<>();

    ServiceComponent(ServiceLayer layer, String name, ComponentResourceOptions options) {
        super(typeToken(layer), name, options);
    }

    static String typeToken(ServiceLayer layer) {
        StringBuilder pascal = new StringBuilder();
        for (String part : layer.type().split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) pascal.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return "dbstack:index:" + pascal + "Service";
    }

    void publish(Map<String, Output<String>> variables) {
        outputs.putAll(variables);
        registerOutputs(new LinkedHashMap<String, Output<?>>(outputs));
    }

    /** Output variables by name ({@code PASSWORD}, {@code POSTGRESMSTR_SVC}, …); secret ones are marked secret. */
    public Map<String, Output<String>> outputs() {
        return Collections.unmodifiableMap(outputs);
    }
}
