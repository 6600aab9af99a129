package dev.dbstack.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One writer per stack through a {@code coordination.k8s.io/v1} Lease: {@code holderIdentity} names
 * host, pid and command (the full {@link StackLock.Holder} is in an annotation), {@code renewTime} is
 * renewed by a background thread every third of {@code leaseDurationSeconds} while the run lives.
 * Every create and update carries the resourceVersion read, so of two racing processes exactly one
 * wins; the loser reads the winner and is refused naming it. A Lease not renewed for longer than its
 * duration belongs to a run that died (a killed CI job) and is taken over with a warning. The
 * duration is 60 s, or the system property {@value #DURATION_PROPERTY} (for tests).
 */
public final class LeaseLock {
    public static final String DURATION_PROPERTY = "dbstack.lease.seconds";
    static final String HOLDER_ANNOTATION = "state.dbstack.dev/holder";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String stack;
    private final Map<String, String> labels;
    private final Supplier<String> where;

    LeaseLock(KubernetesClient client, String namespace, String name, String stack, Map<String, String> labels,
              Supplier<String> where) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.stack = stack;
        this.labels = labels;
        this.where = where;
    }

    public static int durationSeconds() {
        return Integer.getInteger(DURATION_PROPERTY, 60);
    }

    public String name() {
        return name;
    }

    private io.fabric8.kubernetes.client.dsl.Resource<Lease> lease() {
        return client.resources(Lease.class).inNamespace(namespace).withName(name);
    }

    Held acquire(String command) {
        StackLock.Holder me = new StackLock.Holder(ProcessHandle.current().pid(), StackLock.hostName(),
                System.getProperty("user.name", "?"), Instant.now().truncatedTo(ChronoUnit.SECONDS), command);
        int duration = durationSeconds();
        for (int attempt = 0; attempt < 10; attempt++) {
            Lease current = lease().get();
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
            Lease mine = new LeaseBuilder(current == null ? new Lease() : current)
                    .editOrNewMetadata().withName(name).withNamespace(namespace).addToLabels(labels)
                    .addToAnnotations(HOLDER_ANNOTATION, json(me)).endMetadata()
                    .editOrNewSpec().withHolderIdentity(identity(me)).withLeaseDurationSeconds(duration)
                    .withAcquireTime(now).withRenewTime(now)
                    .withLeaseTransitions(current == null || current.getSpec() == null || current.getSpec().getLeaseTransitions() == null
                            ? 0 : current.getSpec().getLeaseTransitions() + 1)
                    .endSpec().build();
            try {
                if (current == null) {
                    mine.getMetadata().setResourceVersion(null);
                    return new Held(client.resource(mine).create(), me, duration);
                }
                if (isHeld(current)) {
                    StackLock.Holder previous = holderOf(current).orElse(null);
                    String who = previous != null ? previous.describe() : "'" + current.getSpec().getHolderIdentity() + "'";
                    if (fresh(current, Instant.now())) {
                        throw UserInputException.of(new SourceRef(where.get(), 0), "", "stack '" + stack + "' is locked by "
                                + who + " (Lease " + namespace + "/" + name + ", renewed " + renewTime(current) + "). If that run"
                                + " is gone, remove the lock with: dbstack cancel --stack " + stack);
                    }
                    System.err.println("warning: taking over the lock of stack '" + stack + "' (Lease " + namespace + "/" + name
                            + ") from " + who + ": it was last renewed " + renewTime(current) + ", more than "
                            + leaseSeconds(current) + "s ago, so that run is gone");
                }
                // Update with the resourceVersion read: if another process changed the Lease meanwhile, 409 and look again.
                return new Held(client.resource(mine).update(), me, duration);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e;
            }
        }
        throw UserInputException.of(new SourceRef(where.get(), 0), "", "stack '" + stack + "': the Lease " + namespace + "/"
                + name + " changed under every attempt to take it; another run is taking it. Try again");
    }

    private static boolean isHeld(Lease l) {
        return l.getSpec() != null && l.getSpec().getHolderIdentity() != null && !l.getSpec().getHolderIdentity().isEmpty();
    }

    private static boolean fresh(Lease l, Instant now) {
        ZonedDateTime renewed = l.getSpec().getRenewTime() != null ? l.getSpec().getRenewTime() : l.getSpec().getAcquireTime();
        if (renewed == null) return false;
        return renewed.toInstant().plusSeconds(leaseSeconds(l)).isAfter(now);
    }

    private static int leaseSeconds(Lease l) {
        return l.getSpec().getLeaseDurationSeconds() == null ? 60 : l.getSpec().getLeaseDurationSeconds();
    }

    private static String renewTime(Lease l) {
        ZonedDateTime t = l.getSpec().getRenewTime() != null ? l.getSpec().getRenewTime() : l.getSpec().getAcquireTime();
        return t == null ? "never" : t.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String identity(StackLock.Holder h) {
        return h.host() + "/" + h.pid() + "/" + h.command();
    }

    private static String json(StackLock.Holder h) {
        try {
            return JSON.writeValueAsString(h);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<StackLock.Holder> holderOf(Lease l) {
        String a = l.getMetadata().getAnnotations() == null ? null : l.getMetadata().getAnnotations().get(HOLDER_ANNOTATION);
        if (a == null) return Optional.empty();
        try {
            StackLock.Holder h = JSON.readValue(a, StackLock.Holder.class);
            return identity(h).equals(l.getSpec().getHolderIdentity()) ? Optional.of(h) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    Optional<StackLock.Holder> holder() {
        Lease l = lease().get();
        return l == null || !isHeld(l) ? Optional.empty() : holderOf(l);
    }

    boolean isHeld() {
        Lease l = lease().get();
        return l != null && isHeld(l);
    }

    boolean breakLock() {
        Lease l = lease().get();
        if (l == null) return false;
        lease().delete();
        return isHeld(l);
    }

    /** The Lease while this run holds it: renewed in the background, released (deleted) on close. */
    public final class Held implements StateBackend.Lock {
        private final StackLock.Holder holder;
        private final ScheduledExecutorService renewer;
        private volatile Lease lease;
        private volatile boolean lost;
        private boolean released;

        private Held(Lease lease, StackLock.Holder holder, int duration) {
            this.lease = lease;
            this.holder = holder;
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dbstack-lease-renewer");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1000, duration * 1000L / 3);
            renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        private void renew() {
            if (lost) return;
            try {
                Lease l = lease;
                Lease renewed = new LeaseBuilder(l).editSpec()
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS)).endSpec().build();
                lease = client.resource(renewed).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 || e.getCode() == 404) {
                    lost = true; // cancelled, or taken over: say so, never take it back behind someone's back
                    System.err.println("warning: the lock of stack '" + stack + "' (Lease " + namespace + "/" + name
                            + ") was removed or taken by another run while this one held it");
                }
                // otherwise the API did not answer: try again at the next tick, the Lease has time left
            } catch (RuntimeException e) {
                // keep renewing
            }
        }

        public boolean lost() {
            return lost;
        }

        /** For tests: stops renewing, as a run that hangs would. */
        public void stopRenewing() {
            renewer.shutdownNow();
        }

        @Override
        public StackLock.Holder holder() {
            return holder;
        }

        @Override
        public synchronized void close() {
            if (released) return;
            released = true;
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (lost) return;
            try {
                Lease current = lease().get();
                if (current != null && isHeld(current) && identity(holder).equals(current.getSpec().getHolderIdentity())) {
                    client.resource(current).delete(); // carries its resourceVersion: not a Lease taken meanwhile
                }
            } catch (KubernetesClientException e) {
                System.err.println("warning: could not release the lock of stack '" + stack + "' (Lease " + namespace + "/"
                        + name + "): " + e.getMessage() + "; it expires by itself in " + leaseSeconds(lease) + "s");
            }
        }
    }
}
