package dev.dbstack.cluster;

import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A client for a cluster group's kubeconfig context. fabric8 falls back to the current context, or to
 * localhost, when the named one does not exist; dbstack must never deploy to a cluster the stack file
 * does not name, so a missing context is the user's error, said before anything connects.
 */
public final class KubeconfigCluster {
    private KubeconfigCluster() {}

    /** A client for the group's context whose requests {@code requests} counts. */
    public static KubernetesClient connect(ClusterGroup group, RequestCounter requests) {
        checkContext(group);
        return requests.connect(Config.autoConfigure(group.cluster()));
    }

    /** A counted client for the context {@code context} named at {@code source}: where state says an app lives. */
    public static KubernetesClient connect(String context, dev.dbstack.model.SourceRef source, String key, RequestCounter requests) {
        checkContext(context, source, key, "cluster: sandbox");
        return requests.connect(Config.autoConfigure(context));
    }

    /** A client for the kubeconfig context {@code context} named at {@code source} (a state backend URL). */
    public static KubernetesClient connect(String context, dev.dbstack.model.SourceRef source, String key) {
        checkContext(context, source, key, "kubernetes://sandbox/<namespace>");
        return new KubernetesClientBuilder().withConfig(Config.autoConfigure(context)).build();
    }

    /** Refuses a context no kubeconfig file defines, naming those that exist. */
    public static void checkContext(ClusterGroup group) {
        checkContext(group.cluster(), group.source(), key(group), "cluster: sandbox");
    }

    /** @param sandbox how the same place names the embedded sandbox instead, for the message */
    private static void checkContext(String context, dev.dbstack.model.SourceRef source, String key, String sandbox) {
        List<String> files = new ArrayList<>();
        TreeSet<String> contexts = new TreeSet<>();
        for (String name : Config.getKubeconfigFilenames()) {
            File file = new File(name);
            if (!file.isFile()) continue;
            files.add(name);
            try {
                for (NamedContext c : KubeConfigUtils.parseConfig(file).getContexts()) contexts.add(c.getName());
            } catch (RuntimeException e) {
                throw UserInputException.of(source, key, "cannot read kubeconfig " + name + ": "
                        + firstLine(e.getMessage()));
            }
        }
        if (!contexts.contains(context)) {
            throw UserInputException.of(source, key, "kubeconfig has no context " + Suggest.quote(context) + " ("
                    + (files.isEmpty() ? "no kubeconfig file found: set KUBECONFIG or create ~/.kube/config"
                    : "contexts: " + (contexts.isEmpty() ? "none" : String.join(", ", contexts)) + " in "
                    + String.join(", ", files)) + "); use one of those, or " + sandbox);
        }
    }

    private static String key(ClusterGroup group) {
        return "config.dbstack:clusterGroups[" + group.name() + "].cluster";
    }

    private static String firstLine(String message) {
        return message == null ? "not a kubeconfig" : message.lines().findFirst().orElse("not a kubeconfig");
    }
}
