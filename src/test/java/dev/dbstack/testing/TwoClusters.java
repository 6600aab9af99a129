package dev.dbstack.testing;

/** A stack of two apps on one profile, each on a cluster of its own: the sandbox and {@code sandbox:east}. */
public final class TwoClusters {
    public static final String SANDBOXES = """
            config:
              dbstack:clusterGroups:
                - {name: west, cluster: sandbox}
                - {name: east, cluster: "sandbox:east"}
              dbstack:profiles:
                - name: jobs
                  version: 1.0.0
                  layers:
                    - {name: queue, type: redis, version: "8.2", storage: 1}
                    - name: worker
                      type: container
                      image: ghcr.io/acme/worker:2.0.0
                      env:
                        QUEUE_HOST: "{{.spectro.app.$appDeploymentName.queue.REDISMSTR_SVC}}"
              dbstack:apps:
                - {name: alpha, profile: jobs, clusterGroup: west}
                - {name: beta, profile: jobs, clusterGroup: east}
            """;

    /** The same on two kubeconfig contexts, {@code west} and {@code east}. */
    public static final String CONTEXTS = SANDBOXES.replace("cluster: sandbox}", "cluster: west}")
            .replace("cluster: \"sandbox:east\"}", "cluster: east}");

    private TwoClusters() {}
}
