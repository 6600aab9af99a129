package dev.dbstack.plan;

import dev.dbstack.graph.ServiceGraph;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.ServiceId;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.StackModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A plan as the tree a person reads: app deployment, then layer, then object. */
public final class PlanPrinter {
    private PlanPrinter() {}

    public static String print(Plan plan, ServiceGraph graph) {
        return print(plan, graph, false);
    }

    /** @param diff list the changed fields of every update */
    public static String print(Plan plan, ServiceGraph graph, boolean diff) {
        StackModel model = graph.model();
        StringBuilder out = new StringBuilder();
        if (!plan.targets().isAll()) out.append("Targets: ").append(plan.targets().describe()).append("\n\n");
        for (AppDeployment app : model.apps()) {
            List<Step> appSteps = plan.steps().stream().filter(s -> s.app().equals(app.name())).toList();
            if (appSteps.isEmpty()) continue;
            ClusterGroup group = model.clusterGroupOf(app);
            out.append("app ").append(app.name())
                    .append("  (profile ").append(app.profile()).append('@').append(app.profileVersion())
                    .append(", namespace ").append(app.namespace())
                    .append(", cluster group ").append(group.name()).append(" -> ").append(group.cluster())
                    .append(")\n");
            appSteps.stream().filter(s -> s.service() == null).forEach(s -> line(out, "  ", s, diff));
            List<ServiceId> order = new ArrayList<>(graph.applyOrder().stream().filter(id -> id.app().equals(app.name())).toList());
            for (ServiceId id : order) {
                List<Step> steps = appSteps.stream().filter(s -> Objects.equals(s.service(), id)).toList();
                if (steps.isEmpty()) continue;
                out.append("  ").append(id.layer()).append("  (").append(describe(model.layer(id))).append(")\n");
                steps.forEach(s -> line(out, "    ", s, diff));
            }
        }
        List<Step> orphans = plan.steps().stream().filter(s -> s.service() != null ? !graph.services().contains(s.service())
                : model.apps().stream().noneMatch(a -> a.name().equals(s.app()))).toList();
        if (!orphans.isEmpty()) {
            out.append("removed from configuration\n");
            orphans.forEach(s -> line(out, "  ", s, diff));
        }
        out.append(Deferred.list(plan, graph));
        out.append('\n');
        for (String w : plan.warnings()) out.append("warning: ").append(w).append('\n');
        out.append(summary(plan)).append('\n');
        return out.toString();
    }

    private static void line(StringBuilder out, String indent, Step s, boolean diff) {
        out.append(indent).append(s.action().symbol()).append(' ').append(s.action().verb()).append(' ').append(s.object());
        if (s.action() != Action.CREATE || s.retention() != null) out.append("  (").append(s.reason()).append(')');
        out.append('\n');
        if (s.retention() != null && s.retention().kind() == Step.Retention.Kind.KEEP) {
            Retained data = s.retention().data();
            for (String claim : data.claims()) {
                if (claim.equals(s.object().name()) && s.object().kind().equals("PersistentVolumeClaim")) continue; // the step itself
                out.append(indent).append("  = keep PersistentVolumeClaim ").append(data.namespace()).append('/').append(claim)
                        .append(" (data)\n");
            }
            for (String secret : data.secrets()) {
                out.append(indent).append("  = keep Secret ").append(data.namespace()).append('/').append(secret)
                        .append(" (the credentials that open the data)\n");
            }
        }
        if (diff) {
            // Field paths only: values could be secrets (a Secret's data), so they are never printed.
            for (String f : s.fields()) out.append(indent).append("    ~ ").append(f).append('\n');
        }
    }

    /** A plan with no desired stack behind it (destroy): one line per step, in execution order. */
    public static String printFlat(Plan plan) {
        StringBuilder out = new StringBuilder();
        plan.steps().forEach(s -> line(out, "  ", s, false));
        out.append('\n');
        for (String w : plan.warnings()) out.append("warning: ").append(w).append('\n');
        return out.append(summary(plan)).append('\n').toString();
    }

    /** {@code Plan: 23 to create, 0 to update, 0 to replace, 0 to delete.} */
    public static String summary(Plan plan) {
        if (plan.isEmpty() && !plan.targets().isAll()) {
            return "No changes for the targets (" + String.join(", ", plan.targets().named()) + ")" + Deferred.count(plan) + ".";
        }
        if (plan.isEmpty()) return "No changes. The cluster matches stack " + plan.stack() + ".";
        Map<Action, Integer> c = plan.counts();
        StringBuilder s = new StringBuilder("Plan: ")
                .append(c.get(Action.CREATE)).append(" to create, ")
                .append(c.get(Action.UPDATE)).append(" to update, ")
                .append(c.get(Action.REPLACE)).append(" to replace, ");
        if (c.get(Action.EXPAND_VOLUME) > 0) s.append(c.get(Action.EXPAND_VOLUME)).append(" volumes to expand, ");
        if (c.get(Action.DRIFT) > 0) s.append(c.get(Action.DRIFT)).append(" drifted, ");
        s.append(c.get(Action.DELETE)).append(" to delete");
        List<String> kept = plan.steps().stream().filter(st -> st.retention() != null
                && st.retention().kind() == Step.Retention.Kind.KEEP).map(st -> st.retention().data().data().toString()).toList();
        if (!kept.isEmpty()) s.append("; data kept: ").append(String.join(", ", kept));
        return s.append(Deferred.count(plan)).append('.').toString();
    }

    /** {@code postgresql 17, 10Gi}, {@code mysql (percona) 8.4, 5Gi} or {@code container ghcr.io/acme/api:1.4.2, 2 replicas}. */
    public static String describe(ServiceLayer layer) {
        if (layer instanceof DatabaseLayer db) {
            return db.type() + (db.engine() == null || db.engine().equals(db.type()) ? "" : " (" + db.engine() + ")")
                    + " " + db.version() + ", " + (db.deployment().isExternal() ? "external " + (db.deployment().host()
                    .contains(":") ? "[" + db.deployment().host() + "]" : db.deployment().host()) + ":" + db.deployment().port()
                    : db.storageGiB() + "Gi" + (db.deployment().type() == dev.dbstack.model.Deployment.Type.LOCAL ? ", local" : ""))
                    + (db.replicas() > 1 ? ", " + db.replicas() + " replicas" : "");
        }
        if (layer instanceof dev.dbstack.model.ManifestLayer m) {
            return "manifest " + (m.isInline() ? "written inline" : m.origin()) + ", " + m.documents().size()
                    + (m.documents().size() == 1 ? " object" : " objects");
        }
        ContainerLayer c = (ContainerLayer) layer;
        return "container " + c.image() + ", " + c.replicas() + (c.replicas() == 1 ? " replica" : " replicas");
    }
}
