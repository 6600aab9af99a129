package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.state.StateStorageException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Faults of the machine or the cluster (a full disk, a read-only state directory, an API server that
 * does not answer), told as what failed, where and what to do — one sentence, no exception class.
 * They exit 1 like any interrupted run; only what is not one of these is an internal error.
 */
final class Faults {
    private Faults() {}

    static Optional<String> describe(Throwable e) {
        if (e instanceof dev.dbstack.engine.Engine.ClustersUnreachable u) return Optional.of(u.getMessage());
        if (e instanceof dev.dbstack.engine.ExternalCheck.Unreachable u) return Optional.of(u.getMessage());
        if (e instanceof Applier.RecordingFailed r) {
            String what = r.getCause() instanceof UncheckedIOException u && !(u instanceof StateStorageException)
                    ? io(u.getMessage(), u.getCause()) : r.getMessage();
            return Optional.of(what + ". Every step before this one is recorded; the run stopped so that nothing goes unrecorded."
                    + " Fix that (free disk space, make .dbstack writable) and run `dbstack up` again: it reads the"
                    + " cluster and carries on from there");
        }
        if (e instanceof Applier.PlanStale stale) {
            return Optional.of(stale.getMessage() + ". The plan is stale: the run stopped there and wrote nothing more"
                    + " (every step before it is recorded). Preview again (`dbstack preview`) to see the cluster as it is now,"
                    + " then run the command again: it plans anew");
        }
        if (e instanceof StateStorageException s && s.getMessage().contains("kubernetes://")) {
            return Optional.of(s.getMessage() + ". Nothing was changed after that; check that the state backend's cluster"
                    + " is reachable and that its kubeconfig context may read and write Secrets and Leases there, then run the"
                    + " command again");
        }
        if (e instanceof StateStorageException s) {
            return Optional.of(s.getMessage() + ". Nothing was changed after that; fix it (free disk space, make .dbstack"
                    + " writable) and run the command again");
        }
        if (e instanceof UncheckedIOException u) return Optional.of(io(u.getMessage(), u.getCause()));
        if (e instanceof IOException io) return Optional.of(io(null, io));
        if (e instanceof KubernetesClientException k) return Optional.of(kubernetes(k));
        return Optional.empty();
    }

    /**
     * Says on stderr each cluster of the stack the run could not reach (its apps were left out, their state kept);
     * true when there was one: the command then exits 1 once the reachable clusters are done.
     */
    static boolean unreachable(dev.dbstack.engine.Engine engine) {
        var clusters = engine.unreachable();
        clusters.forEach(u -> System.err.println("error: " + u.message()));
        System.err.flush();
        return !clusters.isEmpty();
    }

    private static String io(String what, IOException cause) {
        String reason = StateStorageException.reason(cause);
        return (what == null || what.equals(cause.toString()) ? "" : what + ": ") + reason;
    }

    private static String kubernetes(KubernetesClientException k) {
        if (k.getCode() <= 0) { // no HTTP answer at all
            Throwable root = k;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = root == k ? k.getMessage() : root.getMessage();
            return "cannot reach the Kubernetes API (" + (why == null ? "no answer" : why) + "): check that the"
                    + " cluster is running and that the cluster group's kubeconfig context points at it";
        }
        String status = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
        String hint = k.getCode() == 401 || k.getCode() == 403
                ? ": the kubeconfig context's credentials are not allowed to do this" : "";
        return "the Kubernetes API refused a request (HTTP " + k.getCode() + ": " + status + ")" + hint;
    }
}
