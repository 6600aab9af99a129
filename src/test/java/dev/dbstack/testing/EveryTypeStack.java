package dev.dbstack.testing;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack with one layer per catalog type, engine and version family, derived from the catalog,
 * so a new catalog file is covered by the tests that use it without a change to them.
 */
public final class EveryTypeStack {
    private EveryTypeStack() {}

    /** One database layer: its name in the stack, its resolved component, the version family it runs. */
    public record Layer(String name, Component component, String version) {}

    public static List<Layer> layers(Catalog catalog) {
        List<Layer> layers = new ArrayList<>();
        for (String type : catalog.types()) {
            for (Component c : catalog.variants(type)) {
                String family = c.versions().stream().filter(v -> catalog.resolve(type, c.engine(), v) == c).findFirst().orElseThrow();
                String name = (type + (c.engine() == null || c.engine().equals(type) ? "" : "-" + c.engine()) + "-"
                        + family.replace(".", "")).replaceAll("[^a-z0-9-]", "");
                layers.add(new Layer(name, c, family));
            }
        }
        return layers;
    }

    /** The stack file: every layer with default settings and 1 GiB, in app {@code app} of profile {@code all}. */
    public static String yaml(String app, List<Layer> layers) {
        StringBuilder s = new StringBuilder("""
                config:
                  dbstack:clusterGroups:
                    - {name: g, cluster: sandbox}
                  dbstack:profiles:
                    - name: all
                      layers:
                """);
        for (Layer l : layers) {
            s.append("        - {name: ").append(l.name()).append(", type: ").append(l.component().type())
                    .append(l.component().engine() == null ? "" : ", engine: " + l.component().engine())
                    .append(", version: \"").append(l.version()).append("\", storage: 1}\n");
        }
        s.append("  dbstack:apps:\n    - {name: ").append(app).append(", profile: all}\n");
        return s.toString();
    }
}
