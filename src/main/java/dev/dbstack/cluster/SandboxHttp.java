package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@link SandboxApi} served over HTTP on loopback with the JDK's own server, so that dbstack and its
 * tests reach the sandbox through the real fabric8 client exactly as they reach a cluster. Watches
 * are HTTP streams of one JSON event per line (the client falls back to them when a WebSocket
 * upgrade is answered 503, as fabric8 does against API servers without WebSockets).
 *
 * <p>Counts what clients ask (reads, writes) and injects faults for tests.
 */
final class SandboxHttp implements AutoCloseable {
    private final SandboxApi api;
    private final HttpServer server;
    private final ExecutorService workers;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private volatile int faultCode = 503;
    private final AtomicInteger lostAnswersLeft = new AtomicInteger();
    private volatile boolean closed;

    SandboxHttp(SandboxApi api) {
        this.api = api;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // TCP_NODELAY on the server's sockets: otherwise an answer written as headers then body waits out the
        // client's delayed ACK (Nagle), 40 ms a request. Read once, when the JDK's server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the sandbox API server on loopback: " + e.getMessage(), e);
        }
        server.setExecutor(workers);
        server.createContext("/", this::serve);
        server.start();
    }

    String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + "/";
    }

    long reads() {
        return reads.get();
    }

    long writes() {
        return writes.get();
    }

    void injectFaults(int count, int code) {
        faultCode = code;
        faultsLeft.set(count);
    }

    void loseAnswers(int count) {
        lostAnswersLeft.set(count);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                // No WebSockets here: fabric8 then watches over a plain HTTP stream.
                send(exchange, SandboxApi.status(503, "ServiceUnavailable", "sandbox: watches are served as HTTP streams", null));
                return;
            }
            if ("GET".equals(method)) reads.incrementAndGet();
            else writes.incrementAndGet();
            if (faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(exchange, SandboxApi.status(faultCode, faultCode == 429 ? "TooManyRequests" : "ServiceUnavailable",
                        "sandbox: injected fault", null));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            byte[] body = exchange.getRequestBody().readAllBytes();
            ApiPath p = ApiPath.parse(path);
            if (p == null) {
                send(exchange, discovery(path));
                return;
            }
            SandboxApi.Response unserved = api.unserved(p, !"GET".equals(method));
            if (unserved != null) {
                send(exchange, unserved);
                return;
            }
            if ("GET".equals(method) && p.name() == null && ("true".equals(query.get("watch")) || "1".equals(query.get("watch")))) {
                watch(exchange, p, query);
                return;
            }
            JsonNode json;
            try {
                json = body.length == 0 ? null : SandboxApi.JSON.readTree(body);
            } catch (IOException e) {
                send(exchange, SandboxApi.status(400, "BadRequest", "the request body is not JSON: " + e.getMessage(), p));
                return;
            }
            SandboxApi.Response response = switch (method) {
                case "GET" -> p.name() == null ? api.list(p, query.get("labelSelector"), query.get("fieldSelector")) : api.get(p);
                case "POST" -> api.create(p, json);
                case "PUT" -> api.update(p, json);
                case "PATCH" -> api.patch(p, exchange.getRequestHeaders().getFirst("Content-Type"), json);
                case "DELETE" -> p.name() == null ? deleteCollection(p, query, json) : api.delete(p, json);
                default -> SandboxApi.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", p);
            };
            if (!"GET".equals(method) && response.ok() && lostAnswersLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                response = SandboxApi.status(504, "Timeout", "sandbox: injected fault: the write was carried out and its answer lost", p);
            }
            send(exchange, response);
        } catch (RuntimeException e) {
            send(exchange, SandboxApi.status(500, "InternalError", "sandbox: " + e, null));
        }
    }

    /** DELETE on a collection: each matching object as its own delete; the answer lists what went. */
    private SandboxApi.Response deleteCollection(ApiPath p, Map<String, String> query, JsonNode options) {
        SandboxApi.Response listed = api.list(p, query.get("labelSelector"), query.get("fieldSelector"));
        if (!listed.ok()) return listed;
        ObjectNode result = (ObjectNode) listed.body();
        var gone = SandboxApi.JSON.createArrayNode();
        for (JsonNode item : listed.body().path("items")) {
            JsonNode meta = item.path("metadata");
            SandboxApi.Response r = api.delete(new ApiPath(p.group(), p.version(), meta.path("namespace").asText(null),
                    p.resource(), meta.path("name").asText(), null), options);
            if (r.ok()) gone.add(r.body());
        }
        result.set("items", gone);
        return new SandboxApi.Response(200, result);
    }

    /**
     * A watch as a stream of events: from the resourceVersion asked for (410 Gone when those changes are
     * no longer kept), or, without one, the current objects as ADDED first. Ends when the client goes, at
     * {@code timeoutSeconds}, or when the sandbox closes.
     */
    private void watch(HttpExchange exchange, ApiPath p, Map<String, String> query) throws IOException {
        Predicate<JsonNode> match;
        try {
            match = LabelSelector.labels(query.get("labelSelector")).and(LabelSelector.fields(query.get("fieldSelector")));
        } catch (LabelSelector.Invalid e) {
            send(exchange, SandboxApi.status(400, "BadRequest", e.getMessage(), p));
            return;
        }
        String namespace = p.namespace();
        BlockingQueue<ObjectNode> events = new LinkedBlockingQueue<>();
        Consumer<SandboxObjects.Change> listener = c -> {
            if (c.type().equals(p.type()) && inNamespace(c.object(), namespace) && match.test(c.object())) events.add(event(c.action(), c.object()));
        };
        String since = query.getOrDefault("resourceVersion", "");
        SandboxObjects objects = api.objects();
        boolean expired = objects.locked(() -> {
            if (since.isEmpty() || since.equals("0")) {
                for (ObjectNode o : objects.list(p.type(), namespace)) if (match.test(o)) events.add(event("ADDED", o));
            } else {
                List<SandboxObjects.Change> changes;
                try {
                    changes = objects.changesSince(Long.parseLong(since));
                } catch (NumberFormatException e) {
                    changes = null;
                }
                if (changes == null) return true;
                for (SandboxObjects.Change c : changes) listener.accept(c);
            }
            objects.listen(listener);
            return false;
        });
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        long timeout = Long.parseLong(query.getOrDefault("timeoutSeconds", "0"));
        long until = timeout > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout) : Long.MAX_VALUE;
        try (OutputStream out = exchange.getResponseBody()) {
            if (expired) {
                ObjectNode error = SandboxApi.JSON.createObjectNode().put("type", "ERROR");
                error.set("object", SandboxApi.status(410, "Expired", "too old resource version: " + since, p).body());
                out.write((error + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            while (!closed && System.nanoTime() < until) {
                ObjectNode e = events.poll(200, TimeUnit.MILLISECONDS);
                if (e == null) continue;
                out.write((e + "\n").getBytes(StandardCharsets.UTF_8));
                for (ObjectNode more; (more = events.poll()) != null; ) out.write((more + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the client closed its watch
        } finally {
            objects.unlisten(listener);
        }
    }

    private static boolean inNamespace(JsonNode o, String namespace) {
        return namespace == null || namespace.equals(o.path("metadata").path("namespace").asText());
    }

    private static ObjectNode event(String type, ObjectNode object) {
        ObjectNode e = SandboxApi.JSON.createObjectNode().put("type", type);
        e.set("object", object);
        return e;
    }

    /**
     * {@code /version}, and discovery of the groups CustomResourceDefinitions serve ({@code /apis},
     * {@code /apis/<group>}, {@code /apis/<group>/<version>}), which fabric8's generic clients read to
     * find a custom kind's plural and scope. Other paths that name no resource are 404, as discovery
     * of what the sandbox does not serve (built-in kinds are known to the client without it).
     */
    private SandboxApi.Response discovery(String path) {
        String[] parts = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (parts.length >= 1 && parts.length <= 3 && parts[0].equals("apis")) {
            SandboxCrds crds = api.crds();
            ObjectNode found = api.objects().locked(() -> switch (parts.length) {
                case 1 -> crds.groupList();
                case 2 -> crds.group(parts[1]);
                default -> crds.resources(parts[1], parts[2]);
            });
            if (found != null) return new SandboxApi.Response(200, found);
        }
        if (path.equals("/version")) {
            ObjectNode v = SandboxApi.JSON.createObjectNode().put("major", "1").put("minor", "33")
                    .put("gitVersion", "v1.33.0-dbstack-sandbox").put("platform", "sandbox");
            return new SandboxApi.Response(200, v);
        }
        return SandboxApi.status(404, "NotFound", "the server could not find the requested resource", null);
    }

    private static void send(HttpExchange exchange, SandboxApi.Response response) throws IOException {
        byte[] bytes = SandboxApi.JSON.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.code(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        workers.shutdownNow();
    }
}
