package dev.dbstack.cli;

/**
 * A separate JVM (JUL's console handler binds to the process's stderr once): {@code cli} first goes
 * through the CLI's entry point, {@code bare} does not; then both log warnings exactly the way
 * vert.x's BlockedThreadChecker and netty do, through the logging those libraries pick on this
 * classpath.
 */
public final class LibraryLoggingProcess {
    public static void main(String[] args) {
        if (args[0].equals("cli")) Main.run("--version");
        io.vertx.core.impl.logging.LoggerFactory.getLogger(io.vertx.core.impl.btc.BlockedThreadChecker.LOGGER_NAME)
                .warn("probe: Thread vert.x-eventloop-thread-0 has been blocked for 2718 ms");
        io.netty.util.internal.logging.InternalLoggerFactory.getInstance("io.netty.probe").warn("probe: netty warning");
    }
}
