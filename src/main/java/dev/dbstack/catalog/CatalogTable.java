package dev.dbstack.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The catalog as one table, a row per type and engine: what `dbstack types` prints and what the
 * README's table of database types is generated from (a test keeps the two the same).
 */
public final class CatalogTable {
    private CatalogTable() {}

    /**
     * A Markdown table: type, engine, image, versions (default in bold), settings with defaults, outputs, and the
     * Maestro-style environment variables a container above a layer of the type receives.
     */
    public static String markdown(Catalog catalog) {
        StringBuilder out = new StringBuilder();
        out.append("| type | engine | image | versions | settings (default) | outputs | environment variables |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows(catalog)) {
            out.append("| `").append(r.type()).append("` | ").append(r.engine() == null ? "" : "`" + r.engine() + "`")
                    .append(" | `").append(r.image()).append("` | ")
                    .append(r.versions().stream().map(v -> v.equals(r.defaultVersion()) ? "**" + v + "**" : v)
                            .collect(Collectors.joining(", ")))
                    .append(" | ").append(byFamilies(r.settings(), s -> s.isEmpty() ? "none"
                            : String.join(", ", s.stream().map(x -> "`" + x.replaceFirst(" ", "` ")).map(x -> x.contains("` ") ? x : x + "`").toList())))
                    .append(" | ").append(byFamilies(r.outputs(), o -> String.join(", ", o.stream().map(n -> "`" + n + "`").toList())))
                    .append(" | ").append(byFamilies(r.environment(), e -> e.isEmpty() ? "none"
                            : "`" + e.get(0) + "_`: " + String.join(", ", e.subList(1, e.size()).stream().map(n -> "`" + n + "`").toList())))
                    .append(" |\n");
        }
        return out.toString();
    }

    /**
     * The parameters each type accepts under a layer's {@code parameters:} (the README's "Database parameters" is this):
     * per type, how the image is given them, then a table of name, what it accepts and what it does. Engines of a type
     * that accept the same parameters share one table. A type that accepts none is listed as such at the end.
     */
    public static String parametersMarkdown(Catalog catalog) {
        StringBuilder out = new StringBuilder();
        List<String> none = new ArrayList<>();
        for (String type : catalog.types()) {
            Map<Map<String, Component.Parameter>, List<Component>> byAccepts = new LinkedHashMap<>();
            for (String engine : catalog.get(type).engines().isEmpty() ? java.util.Collections.<String>singletonList(null)
                    : catalog.get(type).engines()) {
                Component c = catalog.find(type, engine).orElseThrow();
                if (c.parameters().any()) byAccepts.computeIfAbsent(c.parameters().accepts(), k -> new ArrayList<>()).add(c);
            }
            if (byAccepts.isEmpty()) {
                none.add("`" + type + "`");
                continue;
            }
            for (List<Component> engines : byAccepts.values()) {
                out.append("**`").append(type).append("`**");
                if (engines.get(0).engine() != null) {
                    out.append(" (").append(engines.stream().map(c -> "`" + c.engine() + "`").collect(Collectors.joining(", ")))
                            .append(')');
                }
                out.append(": ");
                Map<String, String> how = new LinkedHashMap<>();
                for (Component c : engines) {
                    Component.Parameters p = c.parameters();
                    how.put(c.engine(), p.file() != null
                            ? "a `" + p.format() + "` file mounted at `" + p.file() + "` from the ConfigMap `<layer>-config`"
                            : "container arguments `" + String.join(" ", p.flag()).replace("{{name}}", "<name>")
                            .replace("{{value}}", "<value>") + "`");
                }
                List<String> ways = how.values().stream().distinct().toList();
                if (ways.size() > 1) ways = how.entrySet().stream().map(e -> "`" + e.getKey() + "` " + e.getValue()).toList();
                out.append(String.join("; ", ways)).append(".\n\n");
                out.append("| parameter | accepts | description |\n| --- | --- | --- |\n");
                engines.get(0).parameters().accepts().forEach((name, p) -> out.append("| `").append(name).append("` | ")
                        .append(ParameterValues.accepts(p).replace("|", "\\|")).append(" | ")
                        .append(p.description() == null ? "" : p.description().replace("|", "\\|")).append(" |\n"));
                out.append('\n');
            }
        }
        if (!none.isEmpty()) out.append("No parameters: ").append(String.join(", ", none)).append(".\n");
        return out.toString();
    }

    /**
     * What {@code replicas:} does per type (the README's "Replicas" table is this): the most replicas, what the pods are
     * to each other, what happens when one fails, and what to do before scaling down. Engines that say the same share
     * a row.
     */
    public static String replicationMarkdown(Catalog catalog) {
        StringBuilder out = new StringBuilder();
        out.append("| type | replicas | the pods | when a pod fails | before scaling down |\n| --- | --- | --- | --- | --- |\n");
        for (String type : catalog.types()) {
            Map<List<Object>, List<String>> rows = new LinkedHashMap<>();
            for (String engine : catalog.get(type).engines().isEmpty() ? java.util.Collections.<String>singletonList(null)
                    : catalog.get(type).engines()) {
                Component c = catalog.find(type, engine).orElseThrow();
                Component.Replication r = c.replication();
                List<Object> key = java.util.Arrays.asList(c.maxReplicas(), r.kind(), r.failover(), r.scaleDown());
                rows.computeIfAbsent(key, k -> new ArrayList<>()).add(engine);
            }
            for (Map.Entry<List<Object>, List<String>> row : rows.entrySet()) {
                int max = (Integer) row.getKey().get(0);
                String kind = (String) row.getKey().get(1);
                List<String> engines = row.getValue();
                out.append("| `").append(type).append('`');
                if (rows.size() > 1) {
                    out.append(" (").append(engines.stream().map(e -> "`" + e + "`").collect(Collectors.joining(", "))).append(')');
                }
                out.append(" | ").append(max == 1 ? "1" : "1–" + max).append(" | ")
                        .append(!c0(catalog, type, engines).hasServer() ? "no server: a volume the consuming containers mount"
                                : kind == null ? "one server" : kind.equals(Component.Replication.PRIMARY)
                                ? "pod 0 is the primary, the others replicas of it: `<layer>` reaches pod 0, `<layer>-read` every pod"
                                : "every pod a member of one cluster, reached through `<layer>`")
                        .append(" | ").append(!c0(catalog, type, engines).hasServer() ? "" : kind == null ? "the StatefulSet restarts it on its claim; the database is"
                                + " unavailable until it is ready again" : cell((String) row.getKey().get(2)))
                        .append(" | ").append(cell((String) row.getKey().get(3))).append(" |\n");
            }
        }
        return out.toString();
    }

    private static Component c0(Catalog catalog, String type, List<String> engines) {
        return catalog.find(type, engines.get(0)).orElseThrow();
    }

    private static String cell(String text) {
        return text == null ? "" : text.strip().replace("|", "\\|").replaceAll("\\s*\n\\s*", " ");
    }

    /** The same for a terminal: one block per type and engine. */
    public static String text(Catalog catalog) {
        StringBuilder out = new StringBuilder();
        for (Row r : rows(catalog)) {
            out.append(r.type()).append(r.engine() == null ? "" : " (engine " + r.engine() + ")").append(" — ")
                    .append(r.title()).append('\n');
            out.append("  image     ").append(r.image()).append('\n');
            out.append("  versions  ").append(r.versions().stream().map(v -> v.equals(r.defaultVersion()) ? v + " (default)" : v)
                    .collect(Collectors.joining(", "))).append('\n');
            out.append("  settings  ").append(byFamilies(r.settings(), s -> s.isEmpty() ? "none" : String.join(", ", s)))
                    .append('\n');
            out.append("  outputs   ").append(byFamilies(r.outputs(), o -> String.join(", ", o))).append('\n');
            out.append("  env       ").append(byFamilies(r.environment(), e -> e.isEmpty() ? "none"
                    : e.subList(1, e.size()).stream().map(n -> e.get(0) + "_" + n).collect(Collectors.joining(", "))))
                    .append("\n\n");
        }
        return out.toString();
    }

    private record Row(String type, String engine, String title, String image, List<String> versions, String defaultVersion,
                       Map<String, List<String>> settings, Map<String, List<String>> outputs,
                       Map<String, List<String>> environment) {}

    private static List<Row> rows(Catalog catalog) {
        List<Row> rows = new ArrayList<>();
        for (String type : catalog.types()) {
            Map<String, List<Component>> byEngine = new LinkedHashMap<>();
            for (Component c : catalog.variants(type)) byEngine.computeIfAbsent(String.valueOf(c.engine()), e -> new ArrayList<>()).add(c);
            for (List<Component> families : byEngine.values()) {
                Component first = families.get(0);
                Map<String, List<String>> settings = new LinkedHashMap<>();
                Map<String, List<String>> outputs = new LinkedHashMap<>();
                Map<String, List<String>> environment = new LinkedHashMap<>(); // the prefix, then the names
                for (int i = 0; i < families.size(); i++) {
                    Component c = families.get(i);
                    String at = first.versions().get(i); // Catalog.variants lists an engine's families in version order
                    settings.put(at, c.settings().entrySet().stream()
                            .map(s -> s.getKey() + (s.getValue().defaultValue() == null ? ""
                                    : " (" + (s.getValue().defaultValue().isEmpty() ? "empty" : s.getValue().defaultValue()) + ")"))
                            .toList());
                    outputs.put(at, c.outputNames());
                    List<String> env = new ArrayList<>();
                    if (c.environment().prefix() != null) {
                        env.add(c.environment().prefix());
                        env.addAll(c.environment().variables().keySet());
                    }
                    environment.put(at, env);
                }
                rows.add(new Row(type, first.engine(), first.title(), first.image(), first.versions(), first.defaultVersion(),
                        settings, outputs, environment));
            }
        }
        return rows;
    }

    /** One list when every family has the same, else {@code 1.11, 1.12: …; 2.7: …}. */
    private static String byFamilies(Map<String, List<String>> perFamily, java.util.function.Function<List<String>, String> show) {
        Map<List<String>, List<String>> groups = new LinkedHashMap<>();
        perFamily.forEach((family, items) -> groups.computeIfAbsent(items, i -> new ArrayList<>()).add(family));
        if (groups.size() == 1) return show.apply(groups.keySet().iterator().next());
        return groups.entrySet().stream().map(g -> String.join(", ", g.getValue()) + ": " + show.apply(g.getKey()))
                .collect(Collectors.joining("; "));
    }
}
