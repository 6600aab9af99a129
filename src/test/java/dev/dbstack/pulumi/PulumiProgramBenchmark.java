package dev.dbstack.pulumi;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.testing.GeneratedStack;
import dev.dbstack.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the Pulumi program takes to build and register a stack of N apps of five layers ({@link GeneratedStack}:
 * four databases of the catalog's types and a container, 29 resources each) under the SDK's mocked engine: the
 * program's own cost, without the CLI or providers; then the process's peak RSS, heap limit, collections and threads started. Run:
 * {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -Xmx512m -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.pulumi.PulumiProgramBenchmark}
 * <p>
 * Bound the heap: what the program keeps is small (about 100 MB live for 200 apps), but the Pulumi Java SDK's
 * runner allocates tens of gigabytes of garbage along the way — on every turn of its loop over outstanding tasks
 * it formats all of them into a FINEST log message, logged or not — and without {@code -Xmx} the JVM grows its
 * heap towards a quarter of the machine's memory to keep up.
 */
public final class PulumiProgramBenchmark {
    public static void main(String[] args) throws Exception {
        for (int apps : new int[] {1, 1, 50, 200}) {
            Path dir = Files.createTempDirectory("dbstack-pulumi-bench");
            TestProject.create(dir, "bench", GeneratedStack.yaml(Catalog.builtIn(), apps));
            long start = System.nanoTime();
            PulumiRun run = PulumiRun.of(dir, "bench");
            double ms = (System.nanoTime() - start) / 1e6;
            if (run.result.exitCode() != 0) throw new IllegalStateException(run.result.errors().toString());
            System.out.printf("%4d apps: %,6d resources registered, %,5d stack outputs in %,8.0f ms%n",
                    apps, run.registered.size(), run.result.outputs().size(), ms);
        }
        long gcs = 0;
        long gcMs = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        System.out.printf("peak RSS %s; heap limit %,d MB; %,d collections (%,d ms); %,d threads started%n",
                dev.dbstack.cli.RunStats.peakRssBytes().map(b -> String.format("%,d MB", b / (1024 * 1024))).orElse("unknown"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), gcs, gcMs,
                java.lang.management.ManagementFactory.getThreadMXBean().getTotalStartedThreadCount());
        System.exit(0);
    }
}
