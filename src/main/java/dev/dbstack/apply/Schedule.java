package dev.dbstack.apply;

import dev.dbstack.apply.Applier.Outcome;
import dev.dbstack.model.ServiceId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs the services of one {@link Applier#apply} over their dependencies. Each {@link #run} is a
 * phase: a service starts as soon as every service it needs has succeeded (a ready queue and a count
 * of what each still waits for), at most {@code parallel} at a time on a fixed pool. No barriers.
 *
 * <p>Waiting for readiness holds no worker: when a service's steps are done its objects are polled
 * as short jobs on the same pool (first at once, then after 50 ms, doubling to at most 1 s, from a
 * timer), so a slow database leaves its slot to the next service while it comes up. Polls go before
 * new services. A service that does not succeed (a failed step, a failed or timed-out readiness) makes
 * every service that needs it, transitively, SKIPPED; independent services carry on.
 *
 * <p>A {@link Applier.Stopped} (a step that cannot be recorded, a stale plan) from any worker stops the run: no new service or poll is
 * started, running workers stop before their next step (they check {@link #stopping}), the phase
 * waits for them and throws it. Services cut short by the stop are not reported as failures.
 *
 * <p>All bookkeeping happens on the calling thread: workers and the timer hand it closures through
 * one queue, so nothing here needs a lock.
 */
final class Schedule {
    private static final long FIRST_POLL_MS = 50;
    private static final long MAX_POLL_MS = 1_000;

    /** What a service does once it may start, on a worker: its steps; returns the objects that must become ready. */
    interface Work {
        List<Pending> run(ServiceId id);
    }

    /** An object to wait for: {@code check} reads it once, on a worker. */
    record Pending(String what, Supplier<Readiness.Verdict> check) {}

    private final int parallel;
    private final Duration timeout;
    private final Progress progress;
    private final Map<ServiceId, Outcome> outcomes = new TreeMap<>();
    private final Map<ServiceId, String> errors = new TreeMap<>();
    private final AtomicReference<Applier.Stopped> stopped = new AtomicReference<>();

    Schedule(int parallel, Duration timeout, Progress progress) {
        this.parallel = parallel;
        this.timeout = timeout;
        this.progress = progress;
    }

    /** A recording failed: begin nothing new. Read by workers between steps. */
    boolean stopping() {
        return stopped.get() != null;
    }

    Map<ServiceId, Outcome> outcomes() {
        return outcomes;
    }

    Map<ServiceId, String> errors() {
        return errors;
    }

    /**
     * One phase. {@code needs}: every service of the phase, in the order they may start, with the
     * services of the phase it waits for. A service for which {@code hasWork} is false succeeds as
     * soon as it may start, without being reported. A service that did not succeed in an earlier
     * phase keeps its outcome, does not run, and skips what needs it.
     *
     * @throws Applier.Stopped when a step could not be recorded or the plan is stale
     */
    void run(Map<ServiceId, Set<ServiceId>> needs, Predicate<ServiceId> hasWork, Work work) {
        new Phase(needs, hasWork, work).run();
        if (stopping()) throw stopped.get();
    }

    /** One object still to become ready, and when to give up. */
    private static final class Waiting {
        final long deadline;
        List<Pending> left;
        String reason = "";
        long nextDelay = FIRST_POLL_MS;

        Waiting(List<Pending> left, long deadline) {
            this.left = left;
            this.deadline = deadline;
        }
    }

    private final class Phase {
        final Predicate<ServiceId> hasWork;
        final Work work;
        final int total;
        final Map<ServiceId, Integer> waitsFor = new HashMap<>();
        final Map<ServiceId, List<ServiceId>> neededBy = new HashMap<>();
        final Deque<ServiceId> startable = new ArrayDeque<>();
        final Deque<ServiceId> pollable = new ArrayDeque<>();
        final Map<ServiceId, Waiting> waiting = new HashMap<>();
        final Set<ServiceId> settled = new HashSet<>();
        final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
        int busy;
        ExecutorService pool;
        ScheduledExecutorService timer;

        Phase(Map<ServiceId, Set<ServiceId>> needs, Predicate<ServiceId> hasWork, Work work) {
            this.hasWork = hasWork;
            this.work = work;
            this.total = needs.size();
            needs.forEach((id, providers) -> {
                List<ServiceId> known = providers.stream().filter(needs::containsKey).toList();
                waitsFor.put(id, known.size());
                known.forEach(p -> neededBy.computeIfAbsent(p, k -> new ArrayList<>()).add(id));
                if (known.isEmpty()) startable.add(id);
            });
        }

        void run() {
            pool = Executors.newFixedThreadPool(parallel, daemon("dbstack-apply"));
            timer = Executors.newSingleThreadScheduledExecutor(daemon("dbstack-apply-timer"));
            try {
                for (ServiceId id : waitsFor.keySet().stream().sorted().toList()) {
                    Outcome earlier = outcomes.get(id);
                    if (earlier != null && earlier != Outcome.SUCCEEDED) settle(id, earlier, id, false);
                }
                while (true) {
                    dispatch();
                    if (busy == 0 && (stopping() || settled.size() == total)) break;
                    if (busy == 0 && waiting.isEmpty()) {
                        throw new IllegalStateException("apply: services wait for each other: " + waitsFor);
                    }
                    take().run();
                }
            } finally {
                pool.shutdownNow();
                timer.shutdownNow();
            }
        }

        /** Starts polls, then services, while workers are free. */
        void dispatch() {
            while (!stopping() && busy < parallel) {
                ServiceId poll = pollable.poll();
                if (poll != null) {
                    List<Pending> left = List.copyOf(waiting.get(poll).left);
                    submit(poll, () -> {
                        List<Readiness.Verdict> verdicts = left.stream().map(p -> p.check().get()).toList();
                        return () -> polled(poll, left, verdicts);
                    });
                    continue;
                }
                ServiceId id = startable.poll();
                if (id == null) return;
                if (settled.contains(id)) continue;
                if (!hasWork.test(id)) {
                    settle(id, Outcome.SUCCEEDED, null, false);
                    continue;
                }
                progress.started(id);
                submit(id, () -> {
                    List<Pending> pending = work.run(id);
                    return () -> stepsDone(id, pending);
                });
            }
        }

        /** Runs {@code job} on a worker; the closure it returns then runs here. */
        void submit(ServiceId id, Supplier<Runnable> job) {
            busy++;
            pool.execute(() -> {
                Runnable then;
                try {
                    then = job.get();
                } catch (Applier.Stopped e) {
                    stopped.compareAndSet(null, e);
                    then = () -> { };
                } catch (RuntimeException e) {
                    then = () -> failed(id, Applier.describe(e));
                } catch (Error e) {
                    then = () -> {
                        throw e;
                    };
                }
                Runnable after = then;
                events.add(() -> {
                    busy--;
                    after.run();
                });
            });
        }

        void stepsDone(ServiceId id, List<Pending> pending) {
            if (stopping()) return;
            if (pending.isEmpty()) {
                settle(id, Outcome.SUCCEEDED, null, true);
                return;
            }
            waiting.put(id, new Waiting(pending, System.nanoTime() + timeout.toNanos()));
            pollable.add(id);
        }

        void polled(ServiceId id, List<Pending> checked, List<Readiness.Verdict> verdicts) {
            if (stopping()) return;
            Waiting w = waiting.get(id);
            List<Pending> left = new ArrayList<>();
            String reason = null;
            for (int i = 0; i < checked.size(); i++) {
                Readiness.Verdict v = verdicts.get(i);
                String what = checked.get(i).what() + ": " + v.reason();
                if (v.state() == Readiness.State.FAILED) {
                    waiting.remove(id);
                    failed(id, what);
                    return;
                }
                if (v.state() == Readiness.State.NOT_YET) {
                    left.add(checked.get(i));
                    if (reason == null) reason = what;
                }
            }
            if (left.isEmpty()) {
                waiting.remove(id);
                progress.event("  ready " + id);
                settle(id, Outcome.SUCCEEDED, null, true);
                return;
            }
            if (System.nanoTime() > w.deadline) {
                waiting.remove(id);
                failed(id, "timed out after " + timeout.toSeconds() + " s waiting for " + reason);
                return;
            }
            if (!reason.equals(w.reason)) progress.waiting(id, reason);
            w.left = left;
            w.reason = reason;
            long delay = w.nextDelay;
            w.nextDelay = Math.min(delay * 2, MAX_POLL_MS);
            timer.schedule(() -> events.add(() -> pollable.add(id)), delay, TimeUnit.MILLISECONDS);
        }

        void failed(ServiceId id, String why) {
            if (stopping()) return; // cut short because the run stops: not this service's failure
            errors.put(id, why);
            progress.event("  failed " + id + ": " + why);
            settle(id, Outcome.FAILED, id, true);
        }

        /**
         * {@code id} is done. When it succeeded, what needs it may be startable; otherwise that is
         * skipped, transitively, naming {@code cause}, the service that did not succeed.
         */
        void settle(ServiceId id, Outcome outcome, ServiceId cause, boolean report) {
            if (!settled.add(id)) return;
            outcomes.put(id, outcome);
            if (report) progress.finished(id, outcome);
            for (ServiceId next : neededBy.getOrDefault(id, List.of())) {
                if (outcome == Outcome.SUCCEEDED) {
                    if (waitsFor.merge(next, -1, Integer::sum) == 0) startable.add(next);
                } else if (!settled.contains(next)) {
                    errors.put(next, "skipped: " + cause + " did not succeed");
                    progress.event("  skipped " + next + ": " + cause + " did not succeed");
                    settle(next, Outcome.SKIPPED, cause, true);
                }
            }
        }

        Runnable take() {
            try {
                return events.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while applying", e);
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
