package dev.dbstack.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * State could not be read or written: a fault of the machine (a full disk, a read-only or missing
 * directory), not of dbstack. Its message says what failed, where and why in words, so the CLI can
 * print it as it is; an apply stops at the first one, because a step it cannot record must not be
 * followed by more.
 */
public final class StateStorageException extends UncheckedIOException {
    public StateStorageException(String action, Path where, IOException cause) {
        super("cannot " + action + " " + where + ": " + reason(cause), cause);
    }

    /** A state backend that is not a directory (a Kubernetes namespace) failed to answer or refused. */
    public StateStorageException(String action, String where, io.fabric8.kubernetes.client.KubernetesClientException cause) {
        super("cannot " + action + " " + where + ": " + kubernetesReason(cause), new IOException(cause.getMessage(), cause));
    }

    /** State that must not be written any more, for the reason given (the lock was taken away). */
    public StateStorageException(String action, String where, String reason) {
        super("cannot " + action + " " + where + ": " + reason, new IOException(reason));
    }

    private static String kubernetesReason(io.fabric8.kubernetes.client.KubernetesClientException k) {
        if (k.getCode() <= 0) {
            Throwable root = k;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = root == k ? k.getMessage() : root.getMessage();
            return "the Kubernetes API does not answer (" + (why == null ? "no answer" : why) + ")";
        }
        String status = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
        return "the Kubernetes API refused (HTTP " + k.getCode() + ": " + status + ")"
                + (k.getCode() == 401 || k.getCode() == 403 ? "; the context's credentials are not allowed to do this" : "");
    }

    /** The operating system's reason in words, without the exception's class. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        String message = e.getMessage();
        return message == null || message.isBlank() ? "input/output error" : message;
    }
}
