package dev.dbstack.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a command: the build runs this once to make the class-data-sharing archive {@code bin/dbstack} starts the
 * CLI with ({@code java -XX:ArchiveClassesAtExit=target/dbstack.jsa -cp target/dbstack.jar dev.dbstack.cli.CdsTraining DIR}).
 * It takes a throwaway project in {@code DIR} on the embedded sandbox through the commands people run most —
 * render, preview, up, a no-op up, outputs, destroy — in one JVM, so that the archive holds the classes of all of
 * them. Output is discarded; a failing command fails the build, since the archive would then miss its classes.
 */
public final class CdsTraining {
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
              dbstack:profiles:
                - name: shop
                  version: 1.0.0
                  layers:
                    - {name: db, type: postgresql, storage: 1}
                    - {name: cache, type: redis, storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/dbstack/shop-api:1.0.0
                      ports: [8080]
                      env:
                        PGHOST: "{{.spectro.app.$appDeploymentName.db.POSTGRESMSTR_SVC}}"
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.db.PASSWORD}}"
                        REDIS_URL: "{{.spectro.app.$appDeploymentName.cache.REDIS_URI}}"
              dbstack:apps: [{name: shop, profile: shop@1.0.0, clusterGroup: dev}]
            """;

    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        if (Files.exists(dir.resolve(".dbstack"))) ScratchDir.deleteTree(dir.resolve(".dbstack"));
        Files.createDirectories(dir.resolve("stacks"));
        Files.writeString(dir.resolve("Pulumi.yaml"), "name: cds-training\nruntime: java\nstackConfigDir: stacks\n");
        Files.writeString(dir.resolve("stacks/Pulumi.dev.yaml"), STACK);
        String project = dir.toString();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        String[][] commands = {
                {"--version"}, {"--help"}, {"render", "-C", project}, {"graph", "-C", project}, {"preview", "-C", project},
                {"up", "--yes", "-C", project}, {"up", "--yes", "-C", project}, {"preview", "--json", "-C", project},
                {"outputs", "-C", project}, {"destroy", "--yes", "-C", project}};
        if (System.getenv("DBSTACK_BACKEND_URL") != null) {
            // State would go to the backend the variable names, not the throwaway project: the commands that touch none.
            commands = java.util.Arrays.copyOf(commands, 4);
        }
        try {
            for (String[] command : commands) {
                System.setOut(discard);
                System.setErr(discard);
                int code = Main.run(command);
                System.setOut(out);
                System.setErr(err);
                if (code != 0) {
                    err.println("class-data-sharing training: dbstack " + String.join(" ", command) + " exited " + code);
                    System.exit(1);
                }
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        System.exit(0);
    }
}
