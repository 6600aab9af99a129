package dev.dbstack.cli;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.PlanPrinter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Show the service graph: who consumes whom, and the waves `dbstack up` applies in order.")
final class GraphCommand implements Callable<Integer> {
    enum Format { text, dot }

    @Mixin
    StackOptions options;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or dot (Graphviz: dbstack graph --format dot | dot -Tsvg > graph.svg).")
    Format format;

    @Override
    public Integer call() {
        ServiceGraph graph = options.load().graph();
        System.out.print(format == Format.dot ? dot(graph) : text(graph));
        return 0;
    }

    static String text(ServiceGraph graph) {
        StringBuilder out = new StringBuilder();
        out.append("Service graph of stack ").append(graph.model().stack()).append(": ")
                .append(graph.services().size()).append(" services, ").append(graph.edges().size()).append(" edges, ")
                .append(graph.waves().size()).append(" waves\n");
        int width = graph.services().stream().mapToInt(id -> id.toString().length()).max().orElse(0);
        for (int i = 0; i < graph.waves().size(); i++) {
            out.append("\nwave ").append(i + 1).append('\n');
            for (ServiceId id : graph.waves().get(i)) {
                out.append("  ").append(String.format("%-" + width + "s", id)).append("  ")
                        .append(PlanPrinter.describe(graph.model().layer(id)));
                List<ServiceGraph.Dependency> providers = graph.providersOf(id);
                if (!providers.isEmpty()) {
                    out.append("\n  ").append(" ".repeat(width)).append("  consumes ").append(providers.stream()
                            .map(d -> d.provider().layer() + " (" + label(d, ", ") + ")")
                            .collect(Collectors.joining(", ")));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    static String dot(ServiceGraph graph) {
        StringBuilder out = new StringBuilder();
        out.append("digraph \"").append(graph.model().stack()).append("\" {\n")
                .append("  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for (AppDeployment app : graph.model().apps()) {
            out.append("  subgraph \"cluster_").append(app.name()).append("\" {\n")
                    .append("    label=\"").append(app.name()).append(" (").append(app.profile()).append('@')
                    .append(app.profileVersion()).append(")\";\n");
            for (ServiceId id : graph.services()) {
                if (!id.app().equals(app.name())) continue;
                out.append("    \"").append(id).append("\" [label=\"").append(id.layer()).append("\\n")
                        .append(PlanPrinter.describe(graph.model().layer(id)).replace("\"", "\\\"")).append("\"];\n");
            }
            out.append("  }\n");
        }
        for (ServiceGraph.Dependency d : graph.edges()) {
            out.append("  \"").append(d.provider()).append("\" -> \"").append(d.consumer()).append('"');
            String label = label(d, ",");
            out.append(" [label=\"").append(label).append("\"];\n");
        }
        return out.append("}\n").toString();
    }

    /** Why a layer consumes another: the variables it reads, else dependsOn, else autoEnv (the Maestro variables). */
    private static String label(ServiceGraph.Dependency d, String separator) {
        if (!d.variables().isEmpty()) return String.join(separator, new java.util.TreeSet<>(d.variables()));
        return d.explicit() ? "dependsOn" : "autoEnv";
    }
}
