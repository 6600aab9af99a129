package dev.dbstack.model;

import java.util.List;

/** One tier of an app profile. Layers are ordered: a layer may consume only layers below it. */
public sealed interface ServiceLayer permits DatabaseLayer, ContainerLayer, ManifestLayer {
    String name();

    /** The catalog type ({@code postgresql}, {@code redis}, ...), {@code container} or {@code manifest}. */
    String type();

    /** Position in the profile, 0 at the bottom. */
    int index();

    List<String> dependsOn();

    SourceRef source();

    /** The layer's {@code patches:}, applied to its rendered objects; empty when it has none. */
    List<Patch> patches();

    /** Every output-variable reference this layer makes, with where it was written. */
    List<LocatedReference> references();

    record LocatedReference(Template.Reference reference, SourceRef source, String key) {}
}
