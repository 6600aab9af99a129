package dev.dbstack.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real {@code redis-server} on 127.0.0.1, started with the container's own command line: the rendered command and
 * arguments after the kubelet's {@code $(VAR)} expansion (so {@code --requirepass $(REDIS_PASSWORD)} gets the password
 * from the credentials Secret exactly as in the pod), the image's {@code redis-server} replaced by the bundled binary,
 * arguments that name paths in the data volume mapped to a temporary directory, and {@code --port} and {@code --bind}
 * appended (later arguments win in Redis). The bundled server is Redis 6.2, older than the catalog's versions; the
 * parts exercised here (requirepass for the {@code default} user, AUTH with user name, SET/GET) are the same in 7 and 8.
 */
public final class RedisServer implements AutoCloseable {
    private final ServerProcess process;
    private final int port;
    private final List<String> commandLine;

    private RedisServer(ServerProcess process, int port, List<String> commandLine) {
        this.process = process;
        this.port = port;
        this.commandLine = commandLine;
    }

    public static RedisServer start(ContainerSpec container, Path workDir) {
        List<String> line = container.expandedCommandLine();
        if (line.isEmpty() || !line.get(0).equals("redis-server")) {
            throw new IllegalStateException("the container does not start redis-server: " + line);
        }
        try {
            Path volume = Files.createDirectories(workDir.resolve("volume"));
            List<String> command = new ArrayList<>();
            command.add(BundledBinaries.redisServer(workDir.resolve("bin")).toString());
            String mount = container.mountPath();
            for (String arg : line.subList(1, line.size())) {
                command.add(arg.equals(mount) || arg.startsWith(mount + "/") ? container.hostPath(arg, volume).toString() : arg);
            }
            int port = Host.freeLoopbackPort();
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1"));
            ServerProcess server = ServerProcess.start("redis-server", command, workDir, workDir.resolve("redis.log"), Map.of());
            try {
                server.awaitLog("Ready to accept connections", Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return new RedisServer(server, port, List.copyOf(command));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** The command line the server was started with (it holds the password: for assertions, not for messages). */
    public List<String> commandLine() {
        return commandLine;
    }

    @Override
    public void close() {
        process.close();
    }
}
