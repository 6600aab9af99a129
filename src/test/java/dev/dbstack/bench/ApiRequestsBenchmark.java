package dev.dbstack.bench;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.cli.Main;
import dev.dbstack.testing.GeneratedStack;
import dev.dbstack.testing.TestProject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API requests of the commands a user runs, on generated stacks of N apps (five layers each, one
 * namespace each; see {@link GeneratedStack}) in the sandbox, through the CLI with {@code -v}: preview
 * of an empty cluster, the first {@code up}, a no-op {@code up}, and {@code up} after a one-line change.
 * Counts, not timings: they do not depend on the machine (readiness polls aside, which depend on how
 * long the sandbox takes to make workloads ready).
 * Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dbstack.bench.ApiRequestsBenchmark [apps...]}
 */
public final class ApiRequestsBenchmark {
    private static final Pattern SANDBOX = Pattern.compile("api requests: (\\d+) reads, (\\d+) writes");
    private static final Pattern CLIENT = Pattern.compile("API: (\\d+) reads \\((\\d+) lists\\), (\\d+) writes");

    public static void main(String[] args) throws Exception {
        java.util.logging.LogManager.getLogManager().reset();
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) sizes.add(Integer.parseInt(a));
        if (sizes.isEmpty()) sizes = List.of(1, 10, 50);
        System.out.printf("%-5s %-22s %s%n", "apps", "command", "requests");
        for (int apps : sizes) {
            Path dir = Files.createTempDirectory("dbstack-api-bench");
            TestProject project = TestProject.create(dir, GeneratedStack.yaml(Catalog.builtIn(), apps));
            row(apps, "preview (empty)", run(dir, "preview"));
            row(apps, "up (first)", run(dir, "up", "--yes"));
            row(apps, "up (no-op)", run(dir, "up", "--yes"));
            GeneratedStack.changeOne(project);
            row(apps, "preview (one change)", run(dir, "preview"));
            row(apps, "up (one change)", run(dir, "up", "--yes"));
        }
    }

    private static void row(int apps, String command, String stats) {
        System.out.printf("%-5d %-22s %s%n", apps, command, stats);
    }

    /** The request lines a run printed under -v. */
    private static String run(Path dir, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of("-v", command, "-C", dir.toString()));
        args.addAll(List.of(extra));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            exit = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = e.toString(StandardCharsets.UTF_8);
        if (exit != 0) throw new IllegalStateException(command + " exited " + exit + ":\n" + text + o.toString(StandardCharsets.UTF_8));
        List<String> found = new ArrayList<>();
        Matcher c = CLIENT.matcher(text);
        if (c.find()) found.add("client: " + c.group(1) + " reads (" + c.group(2) + " lists), " + c.group(3) + " writes");
        Matcher s = SANDBOX.matcher(text);
        if (s.find()) found.add("sandbox served: " + s.group(1) + " reads, " + s.group(2) + " writes");
        return String.join("; ", found);
    }
}
