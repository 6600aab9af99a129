package dev.dbstack.model;

import java.util.ArrayList;
import java.util.List;

/** The user's own container: a Deployment, a Service for its ports, an optional volume. */
public record ContainerLayer(
        String name,
        String image,
        int replicas,
        List<Port> ports,
        List<EnvVar> env,
        List<String> command,
        List<String> args,
        Volume volume,
        Resources resources,
        List<String> dependsOn,
        int index,
        SourceRef source) implements ServiceLayer {

    public static final String TYPE = "container";
    /** Palette Dev Engine allows at most ten replicas of a container service. */
    public static final int MAX_REPLICAS = 10;

    public record Port(String name, int port) {}

    public record Volume(int sizeGiB, String mountPath, String storageClass) {}

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<LocatedReference> references() {
        List<LocatedReference> refs = new ArrayList<>();
        for (EnvVar e : env) {
            if (e.template() == null) continue;
            for (Template.Reference r : e.template().references()) {
                refs.add(new LocatedReference(r, e.source(), "env." + e.name()));
            }
        }
        return refs;
    }
}
