package dev.dbstack.testing;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack file of {@code apps} apps, one namespace each, of five layers: four databases, their types taken
 * in turn from the catalog (each at its default version), and a container that consumes them all. For
 * tests and benchmarks of cost at scale; no list of database types here, the catalog is the list.
 */
public final class GeneratedStack {
    public static final int DATABASES = 4;
    public static final String IMAGE = "ghcr.io/acme/api:1.0.0";
    /** app000's container image; {@link #FIRST_IMAGE_V2} is the one-line change. */
    public static final String FIRST_IMAGE = "ghcr.io/acme/first:1.0.0";
    public static final String FIRST_IMAGE_V2 = "ghcr.io/acme/first:1.0.1";

    private GeneratedStack() {}

    /** The database types of a generated app, in layer order: the catalog's, sorted, taken in turn. */
    public static List<String> types(Catalog catalog) {
        List<String> all = catalog.types().stream().sorted().toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) out.add(all.get(i % all.size()));
        return out;
    }

    /**
     * App {@code app000} has a profile of its own ({@code first}, the same layers with image {@link #FIRST_IMAGE}), so
     * that {@link #changeOne} is one line of the file that changes one object of one app.
     */
    public static String yaml(Catalog catalog, int apps) {
        StringBuilder s = new StringBuilder("""
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                """);
        profile(s, catalog, "p", IMAGE);
        profile(s, catalog, "first", FIRST_IMAGE);
        s.append("  dbstack:apps:\n");
        for (int i = 0; i < apps; i++) {
            s.append("    - {name: ").append(app(i)).append(", profile: ").append(i == 0 ? "first" : "p").append("}\n");
        }
        return s.toString();
    }

    private static void profile(StringBuilder s, Catalog catalog, String name, String image) {
        s.append("    - name: ").append(name).append("\n      version: 1.0.0\n      layers:\n");
        List<String> names = new ArrayList<>();
        List<String> types = types(catalog);
        for (int i = 0; i < types.size(); i++) {
            Component c = catalog.get(types.get(i));
            String layer = "db" + (i + 1);
            names.add(layer);
            s.append("        - {name: ").append(layer).append(", type: ").append(c.type()).append(", version: \"")
                    .append(c.defaultVersion()).append("\", storage: 1}\n");
        }
        s.append("        - {name: api, type: container, image: ").append(image).append(", ports: [8080], dependsOn: [")
                .append(String.join(", ", names)).append("]}\n");
    }

    /** The one-line change: app000's container image gets a new tag (exactly one Deployment changes). */
    public static void changeOne(TestProject project) {
        project.edit(TestProject.STACK, "image: " + FIRST_IMAGE, "image: " + FIRST_IMAGE_V2);
    }

    /** The name (and namespace) of the {@code i}th app. */
    public static String app(int i) {
        return String.format("app%03d", i);
    }
}
