package dev.dbstack.cli;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.CatalogTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "types", mixinStandardHelpOptions = true,
        description = "List the database types of the catalog: engines, versions, settings and output variables"
                + " (the built-in catalog, and the project's own components/ when run in a project).")
final class TypesCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "Print a Markdown table (the README's table of database types is this).")
    boolean markdown;

    @Option(names = "--parameters", description = "Print the parameters each type accepts under a layer's parameters:,"
            + " as Markdown (the README's list of database parameters is this).")
    boolean parameters;

    @Option(names = "--replicas", description = "Print what replicas: does per type (primary and replicas, or a cluster),"
            + " what happens when a pod fails and what to do before scaling down, as Markdown (the README's table).")
    boolean replicas;

    @Option(names = "--cwd", paramLabel = "DIR", description = "The project directory (default: the current directory).")
    Path cwd;

    @Override
    public Integer call() {
        Path dir = cwd != null ? cwd : Path.of("");
        Catalog catalog = Files.isRegularFile(dir.resolve("Pulumi.yaml")) ? Catalog.load(dir) : Catalog.builtIn();
        System.out.print(replicas ? CatalogTable.replicationMarkdown(catalog) : parameters ? CatalogTable.parametersMarkdown(catalog)
                : markdown ? CatalogTable.markdown(catalog) : CatalogTable.text(catalog));
        return 0;
    }
}
