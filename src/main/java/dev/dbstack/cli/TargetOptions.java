package dev.dbstack.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What part of the stack a run plans to apply: apps or layers by name, the rest deferred to a later run. */
public class TargetOptions {
    @Option(names = "--target", paramLabel = "APP[/LAYER]", split = ",",
            description = "Apply only this app (its services and its own objects) or this layer (with the layers it"
                    + " consumes and its app's own objects); the rest of the plan is deferred to a later `dbstack up`."
                    + " Repeatable.")
    List<String> targets = new ArrayList<>();

    boolean given() {
        return !targets.isEmpty();
    }
}
