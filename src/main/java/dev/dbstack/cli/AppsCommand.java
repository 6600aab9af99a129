package dev.dbstack.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.engine.Engine;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.SemVer;
import dev.dbstack.profiles.ProfileUpdates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "apps", mixinStandardHelpOptions = true,
        description = "List the app deployments: profile, pinned and newest version, whether each is behind, and which"
                + " profile version state says was last deployed. Reads configuration and state only; contacts no cluster.")
final class AppsCommand implements Callable<Integer> {
    @Mixin
    StackOptions options;

    @Option(names = "--json", description = "Print a JSON array: {app, profile, pinned, newest, behind, deployed}.")
    boolean json;

    /** One row; {@code deployed} is null when state holds nothing of the app, empty when it records no version. */
    record Row(String app, String profile, String pinned, String newest, boolean behind, List<String> deployed) {}

    @Override
    public Integer call() throws Exception {
        LoadedStack stack = options.load();
        Map<String, SortedSet<String>> deployed;
        try (Engine engine = Engine.offline(stack, System.err)) {
            deployed = engine.deployedProfiles();
        }
        List<Row> rows = new ArrayList<>();
        for (AppDeployment app : stack.model().apps()) {
            String newest = ProfileUpdates.newest(stack.model(), app.profile()).version();
            SortedSet<String> d = deployed.get(app.name());
            rows.add(new Row(app.name(), app.profile(), app.profileVersion(), newest,
                    SemVer.parse(newest).compareTo(SemVer.parse(app.profileVersion())) > 0, d == null ? null : List.copyOf(d)));
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode arr = mapper.createArrayNode();
            for (Row r : rows) {
                ObjectNode n = arr.addObject();
                n.put("app", r.app());
                n.put("profile", r.profile());
                n.put("pinned", r.pinned());
                n.put("newest", r.newest());
                n.put("behind", r.behind());
                if (r.deployed() == null) n.putNull("deployed");
                else r.deployed().forEach(n.putArray("deployed")::add);
                if (r.deployed() != null && r.deployed().isEmpty()) n.putArray("deployed");
            }
            System.out.println(mapper.writeValueAsString(arr));
            return 0;
        }
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"APP", "PROFILE", "PINNED", "NEWEST", "STATUS", "DEPLOYED"});
        for (Row r : rows) {
            table.add(new String[] {r.app(), r.profile(), r.pinned(), r.newest(),
                    r.behind() ? "behind: dbstack app update " + r.app() : "up to date",
                    r.deployed() == null ? "not deployed" : r.deployed().isEmpty() ? "deployed (no profile version recorded)"
                            : String.join(", ", r.deployed())});
        }
        int[] width = new int[6];
        for (String[] row : table) for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        for (String[] row : table) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
            }
            System.out.println(line.toString().stripTrailing());
        }
        return 0;
    }
}
