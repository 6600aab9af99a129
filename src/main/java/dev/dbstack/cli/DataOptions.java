package dev.dbstack.cli;

import dev.dbstack.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * What the user allows a plan to do to a database's data, each by naming the service: never by a
 * general switch, so that one run cannot touch more data than the person asked for.
 */
public class DataOptions {
    @Option(names = "--delete-data", paramLabel = "SERVICE",
            description = "Allow deleting the PersistentVolumeClaims and credentials of this removed service (app/layer,"
                    + " or a layer in every app); repeatable.")
    List<String> deleteData = new ArrayList<>();

    @Option(names = "--allow-major-upgrade", paramLabel = "SERVICE",
            description = "Allow a major upgrade the server performs on start only under a condition dbstack cannot check"
                    + " (MongoDB's featureCompatibilityVersion); the refusal says what to check. Repeatable.")
    List<String> allowMajorUpgrade = new ArrayList<>();

    @Option(names = "--allow-downgrade", paramLabel = "SERVICE",
            description = "Allow an older release within a version family whose releases share one data format; repeatable.")
    List<String> allowDowngrade = new ArrayList<>();

    @Option(names = "--start-empty", paramLabel = "SERVICE",
            description = "Let this new database start empty although removed data of its type stays behind (else such a"
                    + " plan is refused as a likely rename); repeatable.")
    List<String> startEmpty = new ArrayList<>();

    /** The first data option given, as its flag (null when none is): a saved plan takes none. */
    String firstGiven() {
        if (!deleteData.isEmpty()) return "--delete-data";
        if (!allowMajorUpgrade.isEmpty()) return "--allow-major-upgrade";
        if (!allowDowngrade.isEmpty()) return "--allow-downgrade";
        if (!startEmpty.isEmpty()) return "--start-empty";
        return null;
    }

    Planner.Options planner() {
        return new Planner.Options(Set.copyOf(deleteData), Set.copyOf(allowMajorUpgrade), Set.copyOf(allowDowngrade),
                Set.copyOf(startEmpty));
    }
}
