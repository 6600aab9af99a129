package dev.dbstack.plan;

import dev.dbstack.model.ServiceId;
import dev.dbstack.render.RenderedService;
import dev.dbstack.render.RenderedStack;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compares what the stack wants with what exists and lists the steps in between. */
public final class Planner {
    private Planner() {}

    /**
     * The plan against a cluster where none of the stack's objects exist yet (no state recorded):
     * every desired object is created, app-level objects first, then services wave by wave.
     */
    public static Plan planFromScratch(String project, String stack, RenderedStack desired) {
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<String, List<HasMetadata>> app : desired.appObjects().entrySet()) {
            for (HasMetadata o : app.getValue()) steps.add(create(app.getKey(), null, o));
        }
        for (ServiceId id : desired.graph().applyOrder()) {
            RenderedService s = desired.service(id);
            for (HasMetadata o : s.objects()) steps.add(create(id.app(), id, o));
        }
        return new Plan(project, stack, List.copyOf(steps), desired.warnings());
    }

    private static Step create(String app, ServiceId service, HasMetadata o) {
        return new Step(Action.CREATE, app, service, ObjectRef.of(o), "not in the cluster yet", List.of(), o);
    }
}
