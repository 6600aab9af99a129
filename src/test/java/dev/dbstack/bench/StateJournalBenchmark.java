package dev.dbstack.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dbstack.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long recording one applied step takes, for a small and a large existing state: the point of
 * the journal is that the two are the same. Run:
 * {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.bench.StateJournalBenchmark}
 */
public final class StateJournalBenchmark {
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        for (int existing : new int[] {10, 10_000}) {
            Path dir = Files.createTempDirectory("dbstack-bench");
            StateStore store = new StateStore(dir);
            StateStore.State state = StateStore.State.empty();
            String manifest = "x".repeat(2_000); // about the size of a rendered StatefulSet
            for (int i = 0; i < existing; i++) state.entries().put("object-" + i, JsonNodeFactory.instance.textNode(manifest));
            store.checkpoint(state);
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                store.record(new StateStore.JournalEntry("step-" + i, JsonNodeFactory.instance.textNode(manifest)));
            }
            double perStepMs = (System.nanoTime() - start) / 1e6 / steps;
            System.out.printf("existing state %,6d objects: %.3f ms per recorded step (%d steps, fsync each)%n",
                    existing, perStepMs, steps);
        }
    }
}
