package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.Action;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.Step;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Apply progress for people. A plan of a few services is told one line per event: each service started,
 * each step, each wait, each service ready (logs and CI read those). A larger one is told one line per app
 * deployment, once all its services are done: how many are ready, failed or skipped, and its steps counted
 * by action; failures and skips are still told one line each, with why, as they happen. No line names
 * more than one service. On a terminal that can redraw ({@link Terminal#canRedraw}: not under CI, not
 * {@code TERM=dumb}) a status line is kept at the bottom and redrawn in place: applying, done, failed, and
 * for a large plan the latest event, the detail the per-app lines leave out. Elsewhere plain lines, no
 * escape codes.
 */
final class ConsoleProgress implements Progress {
    /** Plans of more services than this are told per app (names are good when there are few). */
    static final int DETAILED_UP_TO = 20;
    private static final int STATUS_DETAIL = 100;
    private static final Pattern STEP = Pattern.compile("([-+~=!]+) (" + java.util.Arrays.stream(Action.values()).map(Action::verb)
            .map(Pattern::quote).collect(Collectors.joining("|")) + ") (.+)");

    private final PrintStream out;
    private final boolean live;
    private final boolean perApp;
    private boolean begun;
    private int running;
    private int done;
    private int failed;
    private String latest = "";

    /** For a plan told per app: each step by its object, and each app's tally. */
    private final Map<String, Step> byObject = new HashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();

    /** One app deployment's services and steps: how many reports each service still owes, what was done. */
    private static final class App {
        final Map<ServiceId, Integer> owed = new HashMap<>();
        final Set<ServiceId> ready = new HashSet<>();
        final Set<ServiceId> failed = new HashSet<>();
        final Set<ServiceId> skipped = new HashSet<>();
        final Map<Action, Integer> steps = new EnumMap<>(Action.class);
        boolean told;
    }

    /** One line per event, whatever the plan's size (for tests of the lines themselves). */
    ConsoleProgress(PrintStream out, boolean live) {
        this(out, live, null);
    }

    /** @param plan the plan being applied: more than {@link #DETAILED_UP_TO} services with steps are told per app */
    ConsoleProgress(PrintStream out, boolean live, Plan plan) {
        this.out = out;
        this.live = live;
        long services = plan == null ? 0 : plan.steps().stream().map(Step::service).filter(java.util.Objects::nonNull).distinct().count();
        this.perApp = services > DETAILED_UP_TO;
        if (!perApp) return;
        // A service reports once for its writes and once for its deletes (two phases of the apply).
        Map<ServiceId, Set<Boolean>> phases = new HashMap<>();
        for (Step s : plan.steps()) {
            byObject.putIfAbsent(s.object().toString(), s);
            apps.computeIfAbsent(s.app(), k -> new App());
            if (s.service() != null) phases.computeIfAbsent(s.service(), k -> new HashSet<>()).add(s.action() == Action.DELETE);
        }
        for (Step s : plan.steps()) {
            if (s.service() != null) apps.get(s.app()).owed.putIfAbsent(s.service(), phases.get(s.service()).size());
        }
    }

    /** Live only when stdout is a terminal that can redraw. */
    static ConsoleProgress forStdout(Plan plan) {
        return new ConsoleProgress(System.out, Terminal.canRedraw(), plan);
    }

    static ConsoleProgress forStdout() {
        return forStdout(null);
    }

    @Override
    public synchronized void event(String line) {
        if (!perApp) {
            print(line);
            return;
        }
        String text = line.strip();
        latest = text;
        Matcher m = STEP.matcher(text);
        if (m.matches()) {
            Step step = byObject.get(m.group(3));
            if (step != null) apps.get(step.app()).steps.merge(step.action(), 1, Integer::sum);
            redraw();
        } else if (text.startsWith("failed ") || text.startsWith("skipped ")) {
            print(line); // what went wrong, and what it held back, is never summarised away
        } else {
            redraw(); // ready, a claim grown: counted in the app's line
        }
    }

    @Override
    public synchronized void started(ServiceId service) {
        begun = true;
        running++;
        if (perApp) {
            latest = "start " + service;
            redraw();
        } else {
            event("start " + service);
        }
    }

    @Override
    public synchronized void waiting(ServiceId service, String reason) {
        if (perApp) {
            latest = "waiting for " + service + ": " + reason;
            redraw();
        } else {
            event("  waiting for " + service + ": " + reason);
        }
    }

    @Override
    public synchronized void finished(ServiceId service, Applier.Outcome outcome) {
        if (outcome != Applier.Outcome.SKIPPED) running = Math.max(0, running - 1); // a skipped one never started
        if (outcome == Applier.Outcome.SUCCEEDED) done++;
        else failed++;
        App app = perApp ? apps.get(service.app()) : null;
        if (app != null && app.owed.containsKey(service)) {
            if (outcome == Applier.Outcome.FAILED) app.failed.add(service);
            if (outcome == Applier.Outcome.SKIPPED) app.skipped.add(service);
            int owed = app.owed.merge(service, -1, Integer::sum);
            if (outcome == Applier.Outcome.SUCCEEDED && owed <= 0) app.ready.add(service);
            if (outcome != Applier.Outcome.SUCCEEDED) app.owed.put(service, 0); // it reports no second phase
            if (!app.told && app.owed.values().stream().allMatch(n -> n <= 0)) tell(service.app(), app);
        }
        redraw();
    }

    /**
     * {@code app shop: 5 services ready (19 steps: 19 create)}, or {@code app shop: 3 of 5 services ready, 1 failed,
     * 1 skipped (...)}; an app with steps of its own only: {@code app shop: 1 step: 1 create}.
     */
    private void tell(String name, App app) {
        app.told = true;
        StringBuilder s = new StringBuilder("app ").append(name).append(": ");
        int services = app.owed.size();
        if (services > 0) {
            if (app.ready.size() < services) s.append(app.ready.size()).append(" of ");
            s.append(services).append(services == 1 ? " service" : " services").append(" ready");
            if (!app.failed.isEmpty()) s.append(", ").append(app.failed.size()).append(" failed");
            if (!app.skipped.isEmpty()) s.append(", ").append(app.skipped.size()).append(" skipped");
        }
        int steps = app.steps.values().stream().mapToInt(Integer::intValue).sum();
        if (steps > 0) {
            s.append(services > 0 ? " (" : "").append(steps).append(steps == 1 ? " step: " : " steps: ")
                    .append(app.steps.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().verb())
                            .collect(Collectors.joining(", ")))
                    .append(services > 0 ? ")" : "");
        }
        print(s.toString());
    }

    private void print(String line) {
        clearStatus();
        out.println(line);
        drawStatus();
    }

    private void redraw() {
        clearStatus();
        drawStatus();
    }

    private void clearStatus() {
        if (live) out.print("\r\033[2K");
    }

    private void drawStatus() {
        if (!live || !begun) return;
        String status = "[" + running + " applying, " + done + " done, " + failed + " failed]";
        if (perApp && !latest.isEmpty()) {
            status += " " + (latest.length() > STATUS_DETAIL ? latest.substring(0, STATUS_DETAIL - 1) + "…" : latest);
        }
        out.print(status);
        out.flush();
    }

    /** Tells the apps whose steps ran but which have no line yet (app-level steps only), and ends the live line. */
    synchronized void close() {
        if (perApp) {
            apps.forEach((name, app) -> {
                if (!app.told && (!app.steps.isEmpty() || app.ready.size() + app.failed.size() + app.skipped.size() > 0)) {
                    tell(name, app); // app-level steps only, or a run that stopped before the app was done
                }
            });
        }
        if (live && begun) {
            clearStatus();
            out.flush();
        }
    }
}
