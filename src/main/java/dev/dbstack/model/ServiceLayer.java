package dev.dbstack.model;

import java.util.List;

/** One tier of an app profile. Layers are ordered: a layer may consume only layers below it. */
public sealed interface ServiceLayer permits DatabaseLayer, ContainerLayer {
    String name();

    /** The catalog type ({@code postgresql}, {@code redis}, ...) or {@code container}. */
    String type();

    /** Position in the profile, 0 at the bottom. */
    int index();

    List<String> dependsOn();

    SourceRef source();

    /** Every output-variable reference this layer makes, with where it was written. */
    List<LocatedReference> references();

    record LocatedReference(Template.Reference reference, SourceRef source, String key) {}
}
