package dev.dbstack.render.hooks;

import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis with {@code replicas > 1}: pod 0 is the primary, every other pod its replica. All pods share one template, so
 * a shell wrapper decides by the pod's ordinal ({@code ${HOSTNAME##*-}}): pod 0 runs the catalog's command line as it
 * is, the others add {@code --replicaof <pod 0> <port>} and {@code --masterauth} (the password from the environment
 * the Secret fills; the command line already carries it for {@code --requirepass}, nothing new is exposed). A replica
 * discards its own data set and loads pod 0's on its first sync, as Redis replicas do; it is read-only
 * ({@code replica-read-only yes}, Redis's default, said explicitly). With one replica the hook does nothing, so a
 * single server renders exactly as before.
 */
public final class RedisHook implements TypeHook {
    @Override
    public String type() {
        return "redis";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        if (ctx.layer().replicas() <= 1) return;
        Container server = pod.getContainers().get(0);
        int port = ctx.component().port().number();
        // sh -c 'script' <command...> <args...>: the catalog's command and arguments (the layer's parameters among
        // them, $(REDIS_PASSWORD) expanded by the kubelet) become the script's $0 and "$@".
        String script = "if [ \"${HOSTNAME##*-}\" = 0 ]; then exec \"$0\" \"$@\"; fi; exec \"$0\" \"$@\" --replicaof "
                + ctx.podHost(0) + " " + port + " --masterauth \"$REDIS_PASSWORD\" --replica-read-only yes";
        List<String> args = new ArrayList<>(server.getCommand());
        args.addAll(server.getArgs());
        server.setCommand(List.of("sh", "-c", script));
        server.setArgs(args);

        // PONG comes from a replica that lost pod 0 too (it serves stale data); ready means its link to pod 0 is up.
        server.getReadinessProbe().getExec().setCommand(List.of("sh", "-c",
                "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli -h 127.0.0.1 ping | grep -q PONG && { [ \"${HOSTNAME##*-}\" = 0 ]"
                        + " || REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli -h 127.0.0.1 info replication"
                        + " | grep -q '^master_link_status:up'; }"));
    }
}
