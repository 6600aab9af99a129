package dev.dbstack.pulumi;

import dev.dbstack.testing.TestProject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the Pulumi program takes to build and register a stack of N copies of the example app
 * (5 layers, 24 resources each) under the SDK's mocked engine: the program's own cost, without
 * the CLI or providers. Run:
 * {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.pulumi.PulumiProgramBenchmark}
 */
public final class PulumiProgramBenchmark {
    public static void main(String[] args) throws Exception {
        String example = Files.readString(Path.of("stacks/Pulumi.dev.yaml"));
        String withoutApps = example.substring(0, example.indexOf("  dbstack:apps:"));
        for (int apps : new int[] {1, 1, 50, 200}) {
            StringBuilder yaml = new StringBuilder(withoutApps).append("  dbstack:apps:\n");
            for (int i = 0; i < apps; i++) {
                yaml.append("    - {name: shop-").append(i).append(", profile: shop@1.0.0, clusterGroup: dev}\n");
            }
            Path dir = Files.createTempDirectory("dbstack-pulumi-bench");
            TestProject.create(dir, "bench", yaml.toString());
            long start = System.nanoTime();
            PulumiRun run = PulumiRun.of(dir, "bench");
            double ms = (System.nanoTime() - start) / 1e6;
            if (run.result.exitCode() != 0) throw new IllegalStateException(run.result.errors().toString());
            System.out.printf("%4d apps: %,6d resources registered, %,5d stack outputs in %,8.0f ms%n",
                    apps, run.registered.size(), run.result.outputs().size(), ms);
        }
        System.exit(0);
    }
}
