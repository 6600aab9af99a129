package dev.dbstack.cli;

import dev.dbstack.engine.LoadedStack;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Options every stack command shares. */
public class StackOptions {
    @Option(names = {"-s", "--stack"}, paramLabel = "NAME",
            description = "Stack to use (stacks/Pulumi.<NAME>.yaml). Optional when the project has exactly one stack.")
    String stack;

    @Option(names = {"-C", "--cwd"}, paramLabel = "DIR", defaultValue = ".",
            description = "Project directory holding Pulumi.yaml (default: current directory).")
    String cwd;

    /** The project and stack these options name, loaded through the pipeline's front half. */
    LoadedStack load() {
        return LoadedStack.load(Path.of(cwd), stack);
    }

    /** As {@link #load()}; without --stack, the stack {@code otherwise} names. */
    LoadedStack load(String otherwise) {
        return LoadedStack.load(Path.of(cwd), stack != null ? stack : otherwise);
    }

    /** How a lock names the run holding it: {@code dbstack up --stack dev}. */
    String describe(String verb) {
        return "dbstack " + verb + (stack == null ? "" : " --stack " + stack);
    }
}
