package dev.dbstack.testing.servers;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.BrokerModel;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.Queue;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHost;
import org.apache.qpid.server.model.VirtualHostNode;

/**
 * A real AMQP 0-9-1 broker on 127.0.0.1: Apache Qpid Broker-J, in this JVM, in memory, set up from the container's
 * environment as the RabbitMQ image sets up its first user: {@code RABBITMQ_DEFAULT_USER} (default {@code guest})
 * with password {@code RABBITMQ_DEFAULT_PASS} (default {@code guest}) on virtual host {@code RABBITMQ_DEFAULT_VHOST}
 * (default {@code /}). Qpid grants a user everything when no access control is configured, as RabbitMQ's default user
 * gets {@code .* .* .*} on the default vhost.
 *
 * <p>Two things are Qpid's, not RabbitMQ's. Qpid's AMQP 0-8..0-9-1 layer strips one leading {@code /} from the
 * virtual-host name a client opens, and an empty name means the broker's default virtual host; so a RabbitMQ vhost
 * {@code /} is Qpid's default node here, and {@code /x} would be Qpid's {@code x} ({@link #qpidVirtualHostName}).
 * {@link #queueNames} reads the queues of exactly that virtual host, so a test sees where its client landed. And Qpid
 * expands {@code ${...}} in configuration values, so a password holding {@code ${} cannot be set here (refused).
 * PLAIN, the RabbitMQ client's mechanism, is allowed over plain TCP ({@code secureOnlyMechanisms: []}).
 */
public final class AmqpBroker implements AutoCloseable {
    private final SystemLauncher launcher;
    private final Broker<?> broker;
    private final String virtualHostNode;
    private final int port;

    private AmqpBroker(SystemLauncher launcher, Broker<?> broker, String virtualHostNode, int port) {
        this.launcher = launcher;
        this.broker = broker;
        this.virtualHostNode = virtualHostNode;
        this.port = port;
    }

    public static AmqpBroker start(ContainerSpec container, Path workDir) {
        String user = container.env("RABBITMQ_DEFAULT_USER").filter(s -> !s.isEmpty()).orElse("guest");
        String password = container.env("RABBITMQ_DEFAULT_PASS").filter(s -> !s.isEmpty()).orElse("guest");
        String vhost = container.env("RABBITMQ_DEFAULT_VHOST").filter(s -> !s.isEmpty()).orElse("/");
        for (String value : List.of(user, password, vhost)) {
            if (value.contains("${")) throw new IllegalArgumentException("Qpid would expand '${' in a configuration value");
        }
        String qpidName = qpidVirtualHostName(vhost);
        boolean isDefault = qpidName.isEmpty();
        String nodeName = isDefault ? "default" : qpidName;

        Map<String, Object> userEntry = new LinkedHashMap<>();
        userEntry.put("name", user);
        userEntry.put("type", "managed");
        userEntry.put("password", password);
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("name", "plain");
        auth.put("type", "Plain");
        auth.put("secureOnlyMechanisms", List.of());
        auth.put("users", List.of(userEntry));
        Map<String, Object> amqpPort = new LinkedHashMap<>();
        amqpPort.put("name", "AMQP");
        amqpPort.put("type", "AMQP");
        amqpPort.put("port", 0);
        amqpPort.put("bindingAddress", "127.0.0.1");
        amqpPort.put("protocols", List.of("AMQP_0_9_1"));
        amqpPort.put("authenticationProvider", "plain");
        amqpPort.put("virtualhostaliases", List.of(Map.of("name", "nameAlias", "type", "nameAlias"),
                Map.of("name", "defaultAlias", "type", "defaultAlias")));
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", nodeName);
        node.put("type", "Memory");
        node.put("defaultVirtualHostNode", isDefault);
        node.put("virtualHostInitialConfiguration", "{\"type\": \"Memory\"}");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", "dbstack-test");
        config.put("modelVersion", BrokerModel.MODEL_VERSION);
        config.put("authenticationproviders", List.of(auth));
        config.put("ports", List.of(amqpPort));
        config.put("virtualhostnodes", List.of(node));

        try {
            Path work = Files.createDirectories(workDir.resolve("qpid-work"));
            Path initial = work.resolve("initial-config.json");
            new ObjectMapper().writeValue(initial.toFile(), config);

            AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            SystemLauncher launcher = new SystemLauncher(new SystemLauncherListener.DefaultSystemLauncherListener() {
                @Override
                public void onContainerResolve(SystemConfig<?> systemConfig) {
                    system.set(systemConfig);
                }

                @Override
                public void errorOnStartup(RuntimeException e) {
                    failure.set(e);
                }
            });
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("type", "Memory");
            attributes.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, initial.toUri().toString());
            attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
            attributes.put("context", Map.of(SystemConfig.QPID_WORK_DIR, work.toString(),
                    "qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}"));
            try {
                launcher.startup(attributes);
            } catch (Exception e) {
                launcher.shutdown();
                throw new IllegalStateException("Qpid Broker-J did not start", e);
            }
            if (failure.get() != null) {
                launcher.shutdown();
                throw new IllegalStateException("Qpid Broker-J did not start", failure.get());
            }
            Broker<?> broker = (Broker<?>) system.get().getContainer(Broker.class);
            int bound = broker.getChildren(Port.class).stream().filter(p -> p.getName().equals("AMQP"))
                    .mapToInt(Port::getBoundPort).findFirst().orElse(-1);
            if (bound <= 0) {
                launcher.shutdown();
                throw new IllegalStateException("Qpid's AMQP port did not bind");
            }
            return new AmqpBroker(launcher, broker, nodeName, bound);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name Qpid's AMQP 0-9-1 layer looks up for a {@code connection.open} of RabbitMQ virtual host {@code vhost}. */
    public static String qpidVirtualHostName(String vhost) {
        return vhost.startsWith("/") ? vhost.substring(1) : vhost;
    }

    public int port() {
        return port;
    }

    /** The queues of the virtual host set up from {@code RABBITMQ_DEFAULT_VHOST}. */
    public List<String> queueNames() {
        VirtualHostNode<?> node = broker.getChildren(VirtualHostNode.class).stream()
                .filter(n -> n.getName().equals(virtualHostNode)).findFirst().orElseThrow();
        VirtualHost<?> host = node.getVirtualHost();
        List<String> names = new ArrayList<>();
        host.getChildren(Queue.class).forEach(q -> names.add(q.getName()));
        return names;
    }

    @Override
    public void close() {
        launcher.shutdown();
    }
}
