package dev.dbstack.bench;

import com.sun.management.ThreadMXBean;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.config.StackLoader;
import dev.dbstack.model.Project;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What reading a stack file costs, in time and memory, when it holds one very large string value
 * (plain, double-quoted, block scalar) and when it is a large file of many small layers. The cost
 * must grow in proportion to the file. Each case loads the stack through {@link StackLoader} (read,
 * parse, validate), so anything quadratic anywhere on the read path shows. Run:
 * {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -Xmx3g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.bench.YamlReadBenchmark}
 *
 * <p>Columns: the file's size; wall time of the load; bytes allocated by the loading thread
 * (deterministic, shows quadratic copying); peak heap use during the load (after a GC before it,
 * so it is what the load needed at most, garbage included); heap still used after a GC while the
 * loaded model is held (what the result keeps).
 *
 * <p>Measured (-Xmx3g, two shared cores): with SnakeYAML's own {@code StreamReader} under Jackson's
 * parser, a 1 MB plain, quoted or one-line block value allocated 2.2 GB (250 ms, peak heap about
 * 500 MB), a 2 MB value 8.6 GB (750-970 ms), and the 4 MB file was refused by Jackson's 3 MB limit.
 * Reading the whole text into one array ({@code dev.dbstack.yaml.WholeTextReader}): 13 MB (10-20 ms)
 * for 1 MB, 25-29 MB (20-55 ms) for 2 MB, and the 4 MB file of 58,000 layers loads in about half a
 * second (370 MB allocated by the reader, 8 MB kept).
 */
public final class YamlReadBenchmark {
    private static final String HEAD = """
            config:
              dbstack:clusterGroups:
                - name: dev
                  cluster: sandbox
              dbstack:apps: []
              dbstack:profiles:
                - name: shop
                  layers:
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1.0.0
                      env:
            """;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Map<String, String> cases = new LinkedHashMap<>();
        for (int mb : new int[] {1, 2}) {
            String value = "x".repeat(mb << 20);
            cases.put(mb + " MB plain scalar", HEAD + "            BIG: " + value + "\n");
            cases.put(mb + " MB double-quoted", HEAD + "            BIG: \"" + value + "\"\n");
            cases.put(mb + " MB block, 80-char lines", HEAD + "            BIG: |\n" + blockLines(mb << 20, 80));
            cases.put(mb + " MB block, one line", HEAD + "            BIG: |\n" + blockLines(mb << 20, mb << 20));
        }
        cases.put("4 MB of many layers", manyLayers(4_000_000));

        Catalog catalog = Catalog.builtIn();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.printf("%-26s %9s %10s %12s %11s %11s%n", "case", "file", "time", "allocated", "peak heap", "retained");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path dir = Files.createTempDirectory("dbstack-yaml-bench");
            Files.writeString(dir.resolve("Pulumi.yaml"), "name: bench\nruntime: java\nstackConfigDir: stacks\n");
            Files.createDirectories(dir.resolve("stacks"));
            Path file = dir.resolve("stacks/Pulumi.bench.yaml");
            Files.writeString(file, c.getValue());
            Project project = StackLoader.loadProject(dir);
            for (int round = 0; round < rounds; round++) {
                gc();
                long before = usedHeap();
                resetPeaks();
                long allocated = threads.getCurrentThreadAllocatedBytes();
                long start = System.nanoTime();
                StackModel model;
                try {
                    model = new StackLoader(catalog).load(project, "bench");
                } catch (UserInputException e) {
                    System.out.printf("%-26s %6.1f MB  refused: %s%n", c.getKey(), Files.size(file) / 1e6, e.getMessage());
                    break;
                }
                long nanos = System.nanoTime() - start;
                allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
                long peak = peakHeap() - before;
                gc();
                long retained = usedHeap() - before;
                if (round == rounds - 1) {
                    System.out.printf("%-26s %6.1f MB %7d ms %9.0f MB %8.0f MB %8.0f MB%n", c.getKey(),
                            Files.size(file) / 1e6, nanos / 1_000_000, allocated / 1e6, peak / 1e6, retained / 1e6);
                }
                if (model.profiles().isEmpty()) throw new AssertionError("nothing loaded");
                if (round == rounds - 1) {
                    // The reader alone (what dev.dbstack.yaml costs), to tell it from validation.
                    gc();
                    allocated = threads.getCurrentThreadAllocatedBytes();
                    start = System.nanoTime();
                    Node node = YamlReader.readFile(file, "stacks/Pulumi.bench.yaml");
                    nanos = System.nanoTime() - start;
                    allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
                    System.out.printf("%-26s %9s %7d ms %9.0f MB   (YamlReader.readFile alone)%n", "", "",
                            nanos / 1_000_000, allocated / 1e6);
                    if (node == null) throw new AssertionError();
                }
            }
        }
    }

    private static String blockLines(int size, int width) {
        StringBuilder out = new StringBuilder(size + size / width * 16 + 16);
        for (int written = 0; written < size; written += width) {
            out.append("              ").append("y".repeat(Math.min(width, size - written))).append('\n');
        }
        return out.toString();
    }

    private static String manyLayers(int size) {
        StringBuilder out = new StringBuilder(HEAD.replace("      env:\n", "      ports: [8080]\n"));
        for (int i = 0; out.length() < size - 200; i++) {
            out.append("        - name: cache-").append(i).append('\n')
                    .append("          type: redis\n")
                    .append("          version: \"8.2\"\n")
                    .append("          storage: 2\n");
        }
        return out.toString();
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) System.gc();
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        }
    }

    /** The sum of the heap pools' peaks: an upper bound of the heap used at once. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }
}
