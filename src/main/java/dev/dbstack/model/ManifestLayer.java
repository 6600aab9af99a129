package dev.dbstack.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects the user writes as YAML ({@code manifest: |} inline, or {@code file:} next to the stack file),
 * rendered into the app's namespace with dbstack's labels, after the layers below them.
 *
 * @param documents the YAML stream's documents, each a plain tree (maps, lists, scalars) whose strings that consume
 *                  output variables are {@link Value}s
 * @param origin    {@code inline} or the file as written ({@code manifests/x.yaml}), for messages and plans
 */
public record ManifestLayer(
        String name,
        List<Document> documents,
        String origin,
        List<String> dependsOn,
        int index,
        SourceRef source,
        List<Patch> patches) implements ServiceLayer {

    public static final String TYPE = "manifest";

    public ManifestLayer {
        documents = List.copyOf(documents);
        patches = patches == null ? List.of() : List.copyOf(patches);
    }

    /**
     * One YAML document: {@code tree} is a {@code Map<String, Object>} of lists, maps, scalars (String, Boolean,
     * BigInteger, BigDecimal, Double, null) and {@link Value}s.
     */
    public record Document(Map<String, Object> tree, SourceRef source) {}

    /** A string of a manifest that consumes output variables: resolved in render. */
    public record Value(Template template, SourceRef source, String path) {}

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<LocatedReference> references() {
        List<LocatedReference> refs = new ArrayList<>();
        String key = isInline() ? "manifest" : "file";
        for (Document d : documents) collect(d.tree(), key, refs);
        return refs;
    }

    /** Written in the stack file ({@code manifest: |}) rather than in a file of its own. */
    public boolean isInline() {
        return INLINE.equals(origin);
    }

    /** The {@link #origin()} of a manifest written in the stack file. */
    public static final String INLINE = "inline";

    private static void collect(Object node, String key, List<LocatedReference> refs) {
        if (node instanceof Value v) {
            for (Template.Reference r : v.template().references()) {
                refs.add(new LocatedReference(r, v.source(), key));
            }
        } else if (node instanceof Map<?, ?> m) {
            m.values().forEach(child -> collect(child, key, refs));
        } else if (node instanceof List<?> l) {
            l.forEach(child -> collect(child, key, refs));
        }
    }
}
