package dev.dbstack.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The user's own container: a Deployment, a Service for its ports, an optional volume.
 *
 * @param autoEnv the database layers whose connection settings the container receives as environment variables
 *                (Maestro style, {@code autoEnv:}): null for every database layer below it (the default), empty
 *                for none ({@code autoEnv: false}), else the layers named
 * @param patches the layer's {@code patches:} ({@link Patch})
 */
public record ContainerLayer(
        String name,
        String image,
        int replicas,
        List<Port> ports,
        List<EnvVar> env,
        List<Argument> command,
        List<Argument> args,
        Volume volume,
        Resources resources,
        List<String> dependsOn,
        List<String> autoEnv,
        int index,
        SourceRef source,
        List<Patch> patches) implements ServiceLayer {

    public ContainerLayer {
        patches = patches == null ? List.of() : List.copyOf(patches);
    }

    public static final String TYPE = "container";
    /** Palette Dev Engine allows at most ten replicas of a container service. */
    public static final int MAX_REPLICAS = 10;

    public record Port(String name, int port) {}

    public record Volume(int sizeGiB, String mountPath, String storageClass) {}

    /** One item of {@code command} or {@code args}: a template, like an env value, and where it was written. */
    public record Argument(Template template, SourceRef source) {}

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
        addReferences(refs, "command", command);
        addReferences(refs, "args", args);
        return refs;
    }

    private static void addReferences(List<LocatedReference> refs, String key, List<Argument> items) {
        for (int i = 0; i < items.size(); i++) {
            for (Template.Reference r : items.get(i).template().references()) {
                refs.add(new LocatedReference(r, items.get(i).source(), key + "[" + i + "]"));
            }
        }
    }
}
