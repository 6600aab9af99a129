package dev.dbstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig file with one context, and a way to have this JVM's fabric8 clients read it. */
public final class Kubeconfig {
    private Kubeconfig() {}

    /** Writes {@code file} with the single context {@code context} pointing at {@code server} (a token, no TLS check). */
    public static Path write(Path file, String server, String context) {
        try {
            return Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: c, cluster: {server: "%s"}}]
                    contexts: [{name: %s, context: {cluster: c, user: u}}]
                    users: [{name: u, user: {token: t}}]
                    current-context: %s
                    """.formatted(server, context, context));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with fabric8's {@code kubeconfig} system property naming {@code file}, then restores it. */
    public static void using(Path file, Body body) throws Exception {
        String previous = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", file.toString());
        try {
            body.run();
        } finally {
            if (previous == null) System.clearProperty("kubeconfig");
            else System.setProperty("kubeconfig", previous);
        }
    }
}
