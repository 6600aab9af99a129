package dev.dbstack.testing;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place tests enumerate what the catalog offers: every database type, in every version family of its
 * {@code versions:}, as one layer at the type's default settings. Tests that must cover "every type" build their
 * fixtures from {@link #of} and never list types, versions or their number by hand, so a new
 * {@code components/<type>.yaml} is covered by them without a change to any test. When the catalog gains another
 * dimension (an {@code engines:} choice such as mysql / percona / mariadb), it joins the enumeration here, in
 * {@link Variant} and {@link #of}, and every test built on it follows.
 */
public final class CatalogLayers {
    private CatalogLayers() {}

    /** One database type, with one of its engines (null for a type without), at one version family of its catalog file. */
    public record Variant(String type, String engine, String version) {
        /**
         * The layer's name: {@code <type>-<family without dots>}, e.g. {@code postgresql-17}, {@code mysql-84}; an
         * engine other than the type's namesake joins it ({@code mysql-percona-84}).
         */
        public String layer() {
            String e = engine == null || engine.equals(type) ? "" : "-" + engine;
            return type + e + "-" + version.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }

        /** The catalog entry render uses for this variant. */
        public Component component(Catalog catalog) {
            return catalog.resolve(type, engine, version);
        }

        @Override
        public String toString() {
            return type + (engine == null ? "" : " (" + engine + ")") + " " + version;
        }
    }

    /** Every type of the catalog (sorted), each engine (the default first), in every version family it lists (oldest first). */
    public static List<Variant> of(Catalog catalog) {
        List<Variant> out = new ArrayList<>();
        Map<String, Variant> byLayer = new HashMap<>();
        for (String type : catalog.types().stream().sorted().toList()) {
            List<String> engines = catalog.get(type).engines().isEmpty() ? java.util.Collections.singletonList(null)
                    : catalog.get(type).engines();
            for (String engine : engines) {
                for (String version : catalog.find(type, engine).orElseThrow().versions()) {
                    Variant v = new Variant(type, engine, version);
                    Variant clash = byLayer.putIfAbsent(v.layer(), v);
                    if (clash != null) throw new IllegalStateException(v + " and " + clash + " make the same layer name " + v.layer());
                    out.add(v);
                }
            }
        }
        return out;
    }

    /**
     * The layers of {@link #of} as items of a profile's {@code layers:} list (indented for
     * {@code config.dbstack:profiles[].layers}): version given, {@code storage} GiB each, every other key left at
     * the type's default.
     */
    public static String layers(Catalog catalog, int storage) {
        StringBuilder s = new StringBuilder();
        for (Variant v : of(catalog)) {
            s.append("        - {name: ").append(v.layer()).append(", type: ").append(v.type())
                    .append(v.engine() == null ? "" : ", engine: " + v.engine()).append(", version: \"")
                    .append(v.version()).append("\", storage: ").append(storage).append("}\n");
        }
        return s.toString();
    }

    /** A stack of one app {@code every} (namespace {@code every}) on the sandbox with one layer per {@link Variant}. */
    public static String stack(Catalog catalog, int storage) {
        return """
                config:
                  dbstack:clusterGroups:
                    # every variant at once: far more than Palette's default virtual cluster (6 CPU, 8Gi, 10Gi)
                    - {name: dev, cluster: sandbox, virtualClusters: {cpu: 64, memory: 128Gi, storage: 1Ti}}
                  dbstack:profiles:
                    - name: every
                      version: 1.0.0
                      layers:
                """ + layers(catalog, storage) + """
                  dbstack:apps:
                    - {name: every, profile: every@1.0.0}
                """;
    }
}
