package dev.dbstack.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.engine.Backups;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backups", mixinStandardHelpOptions = true,
        description = {"List the Velero Backups of the stack's apps, newest first, read from the cluster: phase, start,"
                + " completion, expiry, errors and warnings.", "Changes nothing and takes no lock."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a fault of the machine or the cluster",
                "2:input to fix: an unknown app, Velero not installed on the cluster"})
final class BackupsCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    StackOptions options;

    @Option(names = "--app", paramLabel = "APP", description = "Only this app deployment's backups.")
    String app;

    @Option(names = "--json", description = "Print JSON: {stack, apps: [{app, namespace, clusterGroup, diskBackup,"
            + " veleroNamespace, backups: [{name, phase, started, completed, expires, errors, warnings, failureReason,"
            + " validationErrors}]}]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        LoadedStack stack = options.load();
        if (app != null) Backups.app(stack.model(), app, "--app"); // before the cluster is contacted
        try (Engine engine = Engine.open(stack, null, System.err)) {
            List<Backups.AppBackups> found = new Backups(engine).list(app);
            if (json) System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(json(stack.model().stack(), found)));
            else print(stack.model().stack(), found, System.out);
            if (main != null && main.verbose) engine.verboseLines().forEach(System.err::println);
            return 0;
        }
    }

    static ObjectNode json(String stack, List<Backups.AppBackups> found) {
        ObjectNode root = new ObjectMapper().createObjectNode().put("stack", stack);
        ArrayNode apps = root.putArray("apps");
        for (Backups.AppBackups a : found) {
            ObjectNode app = apps.addObject().put("app", a.app().name()).put("namespace", a.app().namespace())
                    .put("clusterGroup", a.group().name()).put("diskBackup", a.diskBackup()).put("veleroNamespace", a.veleroNamespace());
            ArrayNode backups = app.putArray("backups");
            for (Backups.Backup b : a.backups()) {
                ObjectNode o = backups.addObject().put("name", b.name()).put("phase", b.phaseOrNew()).put("started", b.started())
                        .put("completed", b.completed()).put("expires", b.expires()).put("errors", b.errors())
                        .put("warnings", b.warnings()).put("failureReason", b.failureReason());
                ArrayNode errors = o.putArray("validationErrors");
                b.validationErrors().forEach(errors::add);
            }
        }
        return root;
    }

    static void print(String stack, List<Backups.AppBackups> found, PrintStream out) {
        boolean first = true;
        for (Backups.AppBackups a : found) {
            if (!first) out.println();
            first = false;
            out.println("app " + a.app().name() + "  (namespace " + a.app().namespace() + ", cluster group " + a.group().name()
                    + ", Velero namespace " + a.veleroNamespace() + ")");
            if (a.backups().isEmpty()) {
                out.println("  no backups yet" + (a.diskBackup() ? " (its Velero Schedule has not fired yet)"
                        : "; cluster group '" + a.group().name() + "' has diskBackup off, so none are scheduled: set"
                        + " diskBackup on it to back up this app's disks"));
                continue;
            }
            if (!a.diskBackup()) {
                out.println("  note: cluster group '" + a.group().name() + "' has diskBackup off now: no new backups are scheduled");
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "PHASE", "STARTED", "COMPLETED", "EXPIRES", "ERRORS", "WARNINGS"});
            for (Backups.Backup b : a.backups()) {
                rows.add(new String[] {b.name(), b.phaseOrNew(), dash(b.started()), dash(b.completed()), dash(b.expires()),
                        String.valueOf(b.errors()), String.valueOf(b.warnings())});
            }
            int[] width = new int[rows.get(0).length];
            for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
            for (int row = 0; row < rows.size(); row++) {
                String[] r = rows.get(row);
                StringBuilder line = new StringBuilder("  ");
                for (int i = 0; i < r.length; i++) {
                    line.append(r[i]);
                    if (i < r.length - 1) line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
                out.println(line.toString().stripTrailing());
                if (row > 0) {
                    Backups.Backup b = a.backups().get(row - 1);
                    if (b.failureReason() != null) out.println("    failure: " + b.failureReason());
                    b.validationErrors().forEach(v -> out.println("    validation error: " + v));
                }
            }
        }
        if (found.stream().anyMatch(a -> !a.backups().isEmpty())) {
            out.println();
            out.println("Restore one into a new namespace (a drill): dbstack restore --stack " + stack
                    + " --app APP --backup NAME --into NAMESPACE");
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
