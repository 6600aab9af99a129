package dev.dbstack.engine;

import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Deployment;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.StackModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Before anything is applied, a TCP connection from where dbstack runs to each external database's host and port
 * (Maestro: "if there is no connectivity to your database, the deployment will fail"). All at once, each within
 * {@link #TIMEOUT_MILLIS}. A layer with {@code external: {check: false}} is left out: for a server only the cluster
 * reaches (a private network the machine running dbstack is not on).
 */
public final class ExternalCheck {
    /** How long one connection may take: a reachable server answers a SYN well within it. */
    public static final int TIMEOUT_MILLIS = 3000;

    private ExternalCheck() {}

    /** An external database that did not accept a connection; the run stops before anything is applied. */
    public static final class Unreachable extends RuntimeException {
        public Unreachable(String message) {
            super(message);
        }
    }

    private record Target(String app, String layer, String host, int port) {}

    /** Throws {@link Unreachable} naming every external layer that could not be reached. */
    public static void refuseUnreachable(StackModel model) {
        List<Target> targets = new ArrayList<>();
        for (AppDeployment app : model.apps()) {
            for (ServiceLayer l : model.profileOf(app).layers()) {
                if (l instanceof DatabaseLayer db && db.deployment().isExternal() && db.deployment().check()) {
                    Deployment d = db.deployment();
                    targets.add(new Target(app.name(), db.name(), d.host(), d.port()));
                }
            }
        }
        if (targets.isEmpty()) return;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(targets.size(), 16), r -> {
            Thread t = new Thread(r, "dbstack-external-check");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<String>> checks = targets.stream()
                    .map(t -> CompletableFuture.supplyAsync(() -> connect(t), pool)).toList();
            List<String> failures = checks.stream().map(CompletableFuture::join).filter(f -> f != null).toList();
            if (failures.isEmpty()) return;
            throw new Unreachable(String.join("\n", failures) + (failures.size() > 1 ? "\n" : "; ")
                    + "nothing was applied. Check the address and that the server accepts connections from here; if only"
                    + " the cluster can reach it, set `check: false` under the layer's external: to skip this check");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Null when the connection was accepted, else what went wrong. */
    private static String connect(Target t) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(t.host(), t.port()), TIMEOUT_MILLIS);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof java.net.UnknownHostException ? "unknown host"
                    : e instanceof java.net.SocketTimeoutException ? "no answer within " + TIMEOUT_MILLIS / 1000 + " s"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return "app " + t.app() + ", layer " + t.layer() + ": cannot connect to external database " + hostPort(t) + " ("
                    + why + ")";
        }
    }

    private static String hostPort(Target t) {
        return (t.host().contains(":") ? "[" + t.host() + "]" : t.host()) + ":" + t.port();
    }
}
