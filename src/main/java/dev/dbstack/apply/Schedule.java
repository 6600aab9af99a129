package dev.dbstack.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dbstack.apply.Applier.Outcome;
import dev.dbstack.model.ServiceId;
import dev.dbstack.plan.ObjectRef;
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
 * <p>Waiting for readiness holds no worker, and the waiting services share their reads: a poll is one
 * short job on the same pool that reads each kind any waiting object has once ({@link Reader}: one
 * LIST per kind, not one GET per object) and answers every waiting service from it. A service is
 * first answered by the next poll once its steps are done, then after 50 ms, doubling to at most
 * 1 s; polls start when the earliest waiting service is due, never while one runs, and at least 50 ms
 * after the last one ended (a timer wakes the loop), so nothing is read while nothing waits. A slow
 * database leaves its slot to the next service while it comes up. Polls go before new services. A
 * service that does not succeed (a failed step, a failed or timed-out readiness) makes every service
 * that needs it, transitively, SKIPPED; independent services carry on.
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

    /**
     * An object to wait for, judged by {@code check} on the live object a poll read.
     *
     * @param stack the stack label the object carries ({@link dev.dbstack.render.Labels#STACK}), by which its kind is
     *              listed; null when it has none (it is then read on its own)
     * @param app   its app label ({@link dev.dbstack.render.Labels#APP}), which narrows a poll's LIST to the apps
     *              still waiting; null when it has none
     */
    /**
     * An object whose readiness a service waits for.
     *
     * @param stack the object's stack label, {@code app} its app label (null when it has none): what the poll lists by
     * @param route the app deployment of the step that wrote it: which cluster it is read from
     */
    record Pending(ObjectRef object, String stack, String app, String route, Readiness check) {
        String what() {
            return object.toString();
        }
    }

    /**
     * Reads, on a worker, the live objects of one kind ({@code apiVersion|kind}) for a poll: at least those of
     * {@code wanted} that exist, as JSON, by their refs. A failure fails the services waiting for that kind.
     */
    interface Reader {
        Map<ObjectRef, JsonNode> read(String apiVersion, String kind, List<Pending> wanted);
    }

    private final int parallel;
    private final Duration timeout;
    private final Progress progress;
    private final Reader reader;
    private final Map<ServiceId, Outcome> outcomes = new TreeMap<>();
    private final Map<ServiceId, String> errors = new TreeMap<>();
    private final AtomicReference<Applier.Stopped> stopped = new AtomicReference<>();

    Schedule(int parallel, Duration timeout, Progress progress, Reader reader) {
        this.parallel = parallel;
        this.timeout = timeout;
        this.progress = progress;
        this.reader = reader;
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

    /** A service's objects still to become ready, when a poll should next answer it, and when to give up. */
    private static final class Waiting {
        final long deadline;
        List<Pending> left;
        String reason = "";
        long nextDelay = FIRST_POLL_MS;
        long due;

        Waiting(List<Pending> left, long deadline, long due) {
            this.left = left;
            this.deadline = deadline;
            this.due = due;
        }
    }

    /** What a poll found for one service: a verdict per object checked, or the failure that prevented one. */
    private record Answer(List<Pending> checked, List<Readiness.Verdict> verdicts, RuntimeException error) {}

    private final class Phase {
        final Predicate<ServiceId> hasWork;
        final Work work;
        final int total;
        final Map<ServiceId, Integer> waitsFor = new HashMap<>();
        final Map<ServiceId, List<ServiceId>> neededBy = new HashMap<>();
        final Deque<ServiceId> startable = new ArrayDeque<>();
        final Map<ServiceId, Waiting> waiting = new HashMap<>();
        /** A poll is due (start it when a worker is free), one is running; when the last one ended. */
        boolean pollDue;
        boolean polling;
        long lastPollEnd;
        /** The pending timer's wake-up time (0: none) and its token; a newer token makes older timers void. */
        long timerAt;
        long timerToken;
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
            lastPollEnd = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(FIRST_POLL_MS);
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
                if (pollDue && !polling) {
                    poll();
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
                workerDone(then);
            });
        }

        void stepsDone(ServiceId id, List<Pending> pending) {
            if (stopping()) return;
            if (pending.isEmpty()) {
                settle(id, Outcome.SUCCEEDED, null, true);
                return;
            }
            long now = System.nanoTime();
            waiting.put(id, new Waiting(pending, now + timeout.toNanos(), now));
            schedulePoll();
        }

        /** A worker's job ended: its slot is free, and what it found is handled on the scheduling thread. */
        private void workerDone(Runnable then) {
            events.add(() -> {
                busy--;
                then.run();
            });
        }

        /**
         * Makes the next poll due when the earliest waiting service is (and 50 ms have passed since the last
         * poll ended), at once or from the timer. Nothing while a poll runs: its answers call this again.
         */
        void schedulePoll() {
            if (polling || pollDue || waiting.isEmpty() || stopping()) return;
            long due = Long.MAX_VALUE;
            for (Waiting w : waiting.values()) due = Math.min(due, w.due);
            due = Math.max(due, lastPollEnd + TimeUnit.MILLISECONDS.toNanos(FIRST_POLL_MS));
            long now = System.nanoTime();
            if (due - now <= 0) {
                pollDue = true;
                return;
            }
            if (timerAt != 0 && timerAt - due <= 0) return; // an earlier wake-up is already set
            timerAt = due;
            long token = ++timerToken;
            timer.schedule(() -> events.add(() -> {
                if (token != timerToken) return;
                timerAt = 0;
                pollDue = true;
            }), due - now, TimeUnit.NANOSECONDS);
        }

        /** One poll on a worker: each kind any waiting object has is read once; every waiting service is answered. */
        void poll() {
            pollDue = false;
            polling = true;
            timerAt = 0;
            timerToken++;
            Map<ServiceId, List<Pending>> asked = new java.util.LinkedHashMap<>();
            Map<String, List<Pending>> byKind = new java.util.LinkedHashMap<>();
            for (ServiceId id : waiting.keySet().stream().sorted().toList()) {
                List<Pending> left = List.copyOf(waiting.get(id).left);
                asked.put(id, left);
                for (Pending p : left) {
                    byKind.computeIfAbsent(p.object().apiVersion() + "|" + p.object().kind(), k -> new ArrayList<>()).add(p);
                }
            }
            busy++;
            pool.execute(() -> {
                Runnable then;
                try {
                    Map<String, Map<ObjectRef, JsonNode>> read = new HashMap<>();
                    Map<String, RuntimeException> unread = new HashMap<>();
                    byKind.forEach((kind, wanted) -> {
                        try {
                            read.put(kind, reader.read(wanted.get(0).object().apiVersion(), wanted.get(0).object().kind(), wanted));
                        } catch (RuntimeException e) {
                            unread.put(kind, e);
                        }
                    });
                    Map<ServiceId, Answer> answers = new java.util.LinkedHashMap<>();
                    asked.forEach((id, left) -> answers.put(id, answer(left, read, unread)));
                    then = () -> polled(answers);
                } catch (Error e) {
                    then = () -> {
                        throw e;
                    };
                }
                workerDone(then);
            });
        }

        /** The verdict on each of {@code left}, from what the poll read; the first failure to read or judge instead. */
        Answer answer(List<Pending> left, Map<String, Map<ObjectRef, JsonNode>> read, Map<String, RuntimeException> unread) {
            List<Readiness.Verdict> verdicts = new ArrayList<>();
            for (Pending p : left) {
                String kind = p.object().apiVersion() + "|" + p.object().kind();
                if (unread.containsKey(kind)) return new Answer(left, verdicts, unread.get(kind));
                JsonNode live = read.get(kind).get(p.object());
                try {
                    verdicts.add(live == null ? Readiness.Verdict.notYet("not found") : p.check().check(live));
                } catch (RuntimeException e) {
                    return new Answer(left, verdicts, e);
                }
            }
            return new Answer(left, verdicts, null);
        }

        void polled(Map<ServiceId, Answer> answers) {
            polling = false;
            lastPollEnd = System.nanoTime();
            if (stopping()) return;
            answers.forEach((id, answer) -> {
                if (!stopping() && waiting.containsKey(id)) polled(id, answer);
            });
            schedulePoll();
        }

        void polled(ServiceId id, Answer answer) {
            Waiting w = waiting.get(id);
            List<Pending> checked = answer.checked();
            List<Readiness.Verdict> verdicts = answer.verdicts();
            List<Pending> left = new ArrayList<>();
            String reason = null;
            for (int i = 0; i < verdicts.size(); i++) {
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
            if (answer.error() != null) {
                waiting.remove(id);
                failed(id, Applier.describe(answer.error()));
                return;
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
            w.due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(w.nextDelay);
            w.nextDelay = Math.min(w.nextDelay * 2, MAX_POLL_MS);
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
