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
 *
 * <p>A pod of a layer with replicas runs a shell wrapper ({@code sh -c '<script>' redis-server <args>}) that decides by
 * the pod's ordinal: {@link #startPod} runs that wrapper with {@code /bin/sh} as the pod would, {@code HOSTNAME} set to
 * the pod's name and the bundled binary as the script's {@code $0}. Pod 0's DNS name cannot be made to resolve to this
 * machine for a child process, so the harness substitutes it textually in the script: {@code <host> <port>} becomes
 * {@code 127.0.0.1 <that pod's local port>}. Replication ({@code --replicaof}, {@code --masterauth},
 * {@code replica-read-only}) is the same in 6.2 as in 7 and 8.
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

    /**
     * Starts pod {@code podName} of a layer from its rendered container: the catalog's command line as {@link #start}
     * does, or the replicas' wrapper run by {@code /bin/sh} with {@code HOSTNAME=podName} and each pod DNS name of
     * {@code localPorts} replaced in the script by 127.0.0.1 and that pod's local port.
     */
    public static RedisServer startPod(ContainerSpec container, Path workDir, String podName, Map<String, Integer> localPorts) {
        List<String> line = container.expandedCommandLine();
        if (line.size() < 4 || !line.get(0).equals("sh") || !line.get(1).equals("-c") || !line.get(3).equals("redis-server")) {
            return start(container, workDir);
        }
        String script = line.get(2);
        for (Map.Entry<String, Integer> e : localPorts.entrySet()) {
            script = script.replaceAll(java.util.regex.Pattern.quote(e.getKey()) + " \\d+", "127.0.0.1 " + e.getValue());
        }
        try {
            Path volume = Files.createDirectories(workDir.resolve("volume"));
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script));
            command.add(BundledBinaries.redisServer(workDir.resolve("bin")).toString()); // the script's $0
            command.addAll(mapped(container, line.subList(4, line.size()), volume));
            int port = Host.freeLoopbackPort();
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1"));
            Map<String, String> env = new java.util.LinkedHashMap<>(container.env());
            env.put("HOSTNAME", podName);
            return started(command, workDir, port, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> mapped(ContainerSpec container, List<String> args, Path volume) {
        String mount = container.mountPath();
        List<String> out = new ArrayList<>();
        for (String arg : args) {
            out.add(arg.equals(mount) || arg.startsWith(mount + "/") ? container.hostPath(arg, volume).toString() : arg);
        }
        return out;
    }

    private static RedisServer started(List<String> command, Path workDir, int port, Map<String, String> env) {
        ServerProcess server = ServerProcess.start("redis-server", command, workDir, workDir.resolve("redis.log"), env);
        try {
            server.awaitLog("Ready to accept connections", Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return new RedisServer(server, port, List.copyOf(command));
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
