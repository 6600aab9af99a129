package dev.dbstack.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dbstack.cluster.Sandbox;
import dev.dbstack.state.BackendUrl;
import dev.dbstack.state.FileBackend;
import dev.dbstack.state.KubernetesBackend;
import dev.dbstack.state.StackState;
import dev.dbstack.state.StateBackend;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes written to the backend per recorded step, for a 10-object and a 5,000-object state, with the
 * file and the Kubernetes backends: the point of the journal is that they do not grow with the state.
 * File: growth of {@code journal.jsonl}. Kubernetes: growth of the persistent sandbox's own write
 * journal, which holds every object the API server accepted, exactly as stored (metadata included).
 * Run:
 * {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.bench.BackendBytesBenchmark}
 */
public final class BackendBytesBenchmark {
    private static final String MANIFEST = "x".repeat(2_000); // about the size of a rendered StatefulSet

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        for (int existing : new int[] {10, 5_000}) {
            Path dir = Files.createTempDirectory("dbstack-bench-file");
            FileBackend file = new FileBackend(dir, "bench");
            StackState state = filled(file, existing);
            Path journal = dir.resolve("journal.jsonl");
            long before = Files.exists(journal) ? Files.size(journal) : 0;
            record(state, steps);
            report("file      ", existing, (Files.size(journal) - before) / (double) steps, Files.size(dir.resolve("state.json")));

            Path sandboxDir = Files.createTempDirectory("dbstack-bench-sandbox");
            try (Sandbox sandbox = Sandbox.start(sandboxDir)) {
                KubernetesBackend k8s = new KubernetesBackend(sandbox.client(), BackendUrl.parse("kubernetes://sandbox/state"),
                        "bench", "bench");
                k8s.ensureNamespace();
                StackState kstate = filled(k8s, existing);
                Path sj = sandboxDir.resolve("journal.jsonl");
                long b = Files.size(sj);
                long writes = sandbox.writeRequests();
                record(kstate, steps);
                long snapshot = sandbox.client().secrets().inNamespace("state").withLabel(KubernetesBackend.PART_LABEL, "chunk")
                        .list().getItems().stream().mapToLong(s -> s.getData().get("chunk").length()).sum();
                report("kubernetes", existing, (Files.size(sj) - b) / (double) steps, snapshot);
                System.out.printf("            %.1f API writes per recorded step%n", (sandbox.writeRequests() - writes) / (double) steps);
            }
        }
    }

    private static StackState filled(StateBackend backend, int objects) {
        StackState state = StackState.open(backend);
        for (int i = 0; i < objects; i++) {
            state.putObject("apps/v1|StatefulSet|ns|db-" + i, "app", "app/db", JsonNodeFactory.instance.textNode(MANIFEST + i));
        }
        state.checkpoint();
        return state;
    }

    private static void record(StackState state, int steps) {
        for (int i = 0; i < steps; i++) {
            state.putObject("apps/v1|StatefulSet|ns|db-" + i, "app", "app/db", JsonNodeFactory.instance.textNode(MANIFEST + "changed" + i));
        }
    }

    private static void report(String backend, int existing, double perStep, long snapshotBytes) {
        System.out.printf("%s existing state %,5d objects: %,8.0f bytes written per recorded step (snapshot %,d bytes)%n",
                backend, existing, perStep, snapshotBytes);
    }
}
