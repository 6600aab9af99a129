package dev.dbstack.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanReport;
import dev.dbstack.plan.Step;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Apply progress for machines ({@code up --json}): one JSON object per line, as
 * {@code docs/plan-output.schema.json#/$defs/event} describes, ending with a {@code finished} line.
 * The apply reports in lines meant for people; this reads them back, and the plan says which service
 * and step an object's line belongs to. Only object identities and the apply's own messages are
 * written, never an object's contents.
 */
final class JsonProgress implements Progress {
    private static final Pattern STEP = Pattern.compile("([-+~=!]+) (" + Set.of(Action.values()).stream().map(Action::verb)
            .map(Pattern::quote).collect(Collectors.joining("|")) + ") (.+)");
    private static final Pattern READY = Pattern.compile("ready (\\S+)");
    private static final Pattern FAILED_DELETE = Pattern.compile("failed to delete (.+?): (.*)");
    private static final Pattern FAILED = Pattern.compile("failed (\\S+): (.*)");
    private static final Pattern SKIPPED = Pattern.compile("skipped (\\S+): (.*)");

    private final PrintStream out;
    private final Clock clock;
    private final Map<String, Step> byObject = new HashMap<>();
    private final Set<ServiceId> changing;

    JsonProgress(PrintStream out, Plan plan, Clock clock) {
        this.out = out;
        this.clock = clock;
        for (Step s : plan.steps()) byObject.putIfAbsent(s.object().toString(), s);
        this.changing = plan.steps().stream().map(Step::service).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    }

    /** A service with steps starts (one with nothing to change is not reported). */
    @Override
    public synchronized void started(ServiceId service) {
        if (changing.contains(service)) emit(event("started", service.toString(), null, null, null));
    }

    /** Its steps are done and it waits for readiness: the reason, as the readiness check words it. */
    @Override
    public synchronized void waiting(ServiceId service, String reason) {
        emit(event("waiting", service.toString(), null, null, reason));
    }

    @Override
    public synchronized void event(String line) {
        String text = line.strip();
        Matcher m;
        if ((m = STEP.matcher(text)).matches()) {
            Step step = byObject.get(m.group(3));
            emit(event("step", step == null || step.service() == null ? null : step.service().toString(), m.group(2), m.group(3), null));
        } else if ((m = READY.matcher(text)).matches()) {
            emit(event("ready", m.group(1), null, null, null));
        } else if ((m = FAILED_DELETE.matcher(text)).matches()) {
            Step step = byObject.get(m.group(1));
            emit(event("failed", step == null || step.service() == null ? null : step.service().toString(), "delete", m.group(1),
                    m.group(2)));
        } else if ((m = FAILED.matcher(text)).matches()) {
            emit(event("failed", m.group(1), null, null, m.group(2)));
        } else if ((m = SKIPPED.matcher(text)).matches()) {
            emit(event("skipped", m.group(1), null, null, m.group(2)));
        } else {
            emit(event("step", null, null, null, text)); // part of a step, such as a claim grown
        }
    }

    /** The last line: how the services came out. */
    synchronized void finished(Applier.Result result, String message) {
        ObjectNode e = event("finished", null, null, null, message);
        ObjectNode r = e.putObject("result");
        r.put("ok", result.ok());
        r.put("succeeded", count(result, Applier.Outcome.SUCCEEDED));
        r.put("failed", count(result, Applier.Outcome.FAILED));
        r.put("skipped", count(result, Applier.Outcome.SKIPPED));
        emit(e);
    }

    /** The run stopped before it finished: a last {@code failed} line saying why (Main then prints it and exits 1). */
    synchronized void stopped(String message) {
        emit(event("failed", null, null, null, message));
    }

    static long count(Applier.Result result, Applier.Outcome outcome) {
        return result.services().values().stream().filter(o -> o == outcome).count();
    }

    private ObjectNode event(String event, String service, String op, String object, String message) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("event", event);
        e.put("service", service);
        e.put("op", op);
        e.put("object", object);
        e.put("message", message);
        e.put("time", Instant.now(clock).toString());
        return e;
    }

    private void emit(ObjectNode e) {
        out.println(PlanReport.compact(e));
        out.flush();
    }
}
