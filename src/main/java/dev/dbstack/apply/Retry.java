package dev.dbstack.apply;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * Retries what a busy or flaky API server fails transiently: 5xx, 429, 409 conflicts and timeouts. The
 * Applier's writes carry preconditions and answer their own 409s (a conflict there means the plan is stale,
 * or the write already happened), so a 409 only reaches this from a write without one.
 */
final class Retry {
    static final int ATTEMPTS = 6;
    private static final long FIRST_DELAY_MS = 100;

    private Retry() {}

    static boolean transientFailure(Throwable e) {
        if (e instanceof KubernetesClientException k) {
            int code = k.getCode();
            return code >= 500 || code == 429 || code == 409 || code == 0 && k.getCause() != null;
        }
        return e instanceof java.io.IOException || e.getCause() instanceof java.io.IOException
                || e.getCause() instanceof java.util.concurrent.TimeoutException;
    }

    static <T> T withBackoff(Supplier<T> action) {
        long delay = FIRST_DELAY_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !transientFailure(e)) throw e;
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay = Math.min(delay * 2, 3_000);
            }
        }
    }
}
