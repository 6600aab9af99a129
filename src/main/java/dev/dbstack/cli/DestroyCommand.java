package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.ObjectRef;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.Recorded;
import dev.dbstack.plan.Step;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = {"Remove the stack's objects in reverse graph order.",
                "PersistentVolumeClaims (and the credentials that open them) are kept unless --delete-data names the service."})
final class DestroyCommand implements Callable<Integer> {
    /** Within a service: workloads first, then what they use. */
    private static final List<String> KIND_ORDER = List.of("Deployment", "StatefulSet", "Service", "Secret", "PersistentVolumeClaim");

    @Mixin
    StackOptions options;

    @Mixin
    ApplyOptions apply;

    @Override
    public Integer call() {
        try (Engine engine = Engine.open(options, options.describe("destroy"), System.err)) {
            Map<ObjectRef, Recorded> recorded = engine.recorded();
            Set<String> deleteData = new LinkedHashSet<>(apply.deleteData);
            List<ServiceId> order = new ArrayList<>(engine.stack.graph().destroyOrder());
            recorded.values().stream().map(Recorded::service).filter(s -> s != null && !order.contains(s)).distinct().forEach(order::add);

            List<Step> steps = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            for (ServiceId id : order) {
                boolean dropData = deleteData.contains(id.toString()) || deleteData.contains(id.layer());
                List<Recorded> objects = recorded.values().stream().filter(r -> id.equals(r.service()))
                        .sorted(Comparator.comparingInt(r -> KIND_ORDER.indexOf(r.ref().kind()))).toList();
                for (Recorded r : objects) {
                    if (r.ref().kind().equals("PersistentVolumeClaim") && !dropData) {
                        kept.add(r.ref().toString());
                        continue;
                    }
                    steps.add(new Step(Action.DELETE, id.app(), id, r.ref(), "destroy", List.of(), null));
                }
                // Claims the StatefulSet controller made are not in state; find them by label.
                for (PersistentVolumeClaim c : engine.client.persistentVolumeClaims().inNamespace(namespaceOf(recorded, id))
                        .withLabel(Labels.APP, id.app()).withLabel(Labels.LAYER, id.layer()).list().getItems()) {
                    ObjectRef ref = ObjectRef.of(c);
                    if (recorded.containsKey(ref)) continue;
                    if (dropData) steps.add(new Step(Action.DELETE, id.app(), id, ref, "destroy --delete-data", List.of(), null));
                    else kept.add(ref.toString());
                }
            }
            Plan plan = new Plan(engine.stack.project().name(), engine.stack.model().stack(), steps, List.of());
            if (plan.isEmpty() && kept.isEmpty()) {
                System.out.println("Nothing to destroy in stack " + engine.stack.model().stack() + ".");
                return 0;
            }
            System.out.println("Destroying stack " + engine.stack.model().stack() + " of project " + engine.stack.project().name());
            System.out.println();
            steps.forEach(s -> System.out.println("  - delete " + s.object()));
            kept.forEach(k -> System.out.println("  = keep " + k + " (data)"));
            System.out.println();
            System.out.println(PlanPrinter.summary(plan));
            if (!apply.confirmed("Destroy these objects?")) {
                System.out.println("Cancelled; nothing was changed.");
                return 0;
            }
            ConsoleProgress progress = ConsoleProgress.forStdout();
            Applier.Result result = new Applier(engine.client, apply.parallel, apply.timeout(), engine.lastApplied(),
                    progress).apply(plan, engine.stack.graph(), UpCommand.recorder(engine));
            progress.close();
            if (!kept.isEmpty()) {
                System.out.println();
                System.out.println("Kept " + kept.size() + " PersistentVolumeClaims, the namespaces they live in, and the"
                        + " credentials that open them. To delete a service's data too: dbstack destroy --stack "
                        + engine.stack.model().stack() + " --delete-data <app>/<layer>");
            }
            return result.ok() ? 0 : Main.EXIT_FAILURE;
        }
    }

    private static String namespaceOf(Map<ObjectRef, Recorded> recorded, ServiceId id) {
        return recorded.values().stream().filter(r -> id.equals(r.service())).map(r -> r.ref().namespace())
                .filter(ns -> !ns.isEmpty()).findFirst().orElse(id.app());
    }
}
