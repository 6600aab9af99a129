package dev.dbstack.cli;

/**
 * A separate JVM (JUL's console handler binds to the process's stderr once): {@code cli} first goes
 * through the CLI's entry point, {@code bare} does not; then libraries' loggers warn the way the JDK's
 * HTTP client and gRPC (under the Pulumi SDK) do, through java.util.logging.
 */
public final class LibraryLoggingProcess {
    public static void main(String[] args) {
        if (args[0].equals("cli")) Main.run("help", "graph"); // a run through the command model (a bare --version skips it)
        java.util.logging.Logger.getLogger("jdk.internal.httpclient.debug").warning("probe: http client warning");
        java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl").warning("probe: grpc warning");
    }
}
