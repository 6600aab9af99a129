package dev.dbstack.testing;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.ContainerLayer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dbstack's messages say about the catalog, for expected output written down in files and tests, so that
 * they need no change when a type or a version is added: in {@link #expand}, {@code {known types}} stands for the
 * list an unknown type's message gives, and {@code {versions of <type>}} for the supported versions of one type.
 */
public final class CatalogText {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(known types|versions of ([a-z0-9-]+))}");

    private CatalogText() {}

    /** The known types as an unknown type's message lists them: the catalog's, in its order, then {@code container}, {@code manifest}. */
    public static String knownTypes(Catalog catalog) {
        return String.join(", ", catalog.types()) + ", " + ContainerLayer.TYPE + ", " + dev.dbstack.model.ManifestLayer.TYPE;
    }

    /** {@code text} with every placeholder replaced. */
    public static String expand(String text, Catalog catalog) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(2) == null ? knownTypes(catalog) : String.join(", ", catalog.get(m.group(2)).versions());
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }
}
