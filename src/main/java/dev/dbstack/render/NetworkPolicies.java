package dev.dbstack.render;

import dev.dbstack.catalog.Component;
import dev.dbstack.model.ServiceId;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Palette's connectivity hierarchy enforced in the network: a database's pods accept connections only
 * from the pods of the layers that consume it (the graph's edges), on the database's ports, and from
 * their own peers. Selecting the pods isolates them for ingress, so everything else is denied.
 *
 * <p>Ingress only, so no DNS egress rule: a policy whose {@code policyTypes} is {@code [Ingress]} does
 * not restrict egress. Who may reach a database is what the hierarchy says; restricting egress too
 * would need a DNS rule that depends on the cluster (NodeLocal DNSCache answers on a host-network
 * address a {@code kube-dns} selector does not match) and would cut a database off from whatever it
 * legitimately calls out to.
 */
final class NetworkPolicies {
    private NetworkPolicies() {}

    static String name(String dataName) {
        return dataName + "-ingress";
    }

    /**
     * @param dataId    the database's pods ({@link Labels#selector}); a renamed layer keeps its data's name
     * @param consumers the pods of the layers that consume it, in graph order
     */
    static NetworkPolicy ingress(String namespace, Map<String, String> labels, ServiceId dataId,
                                 List<Component.Port> ports, List<ServiceId> consumers) {
        // Peers on any port: a replica set talks to itself on ports the type may not declare (RabbitMQ's
        // epmd 4369 and distribution 25672, Elasticsearch's transport), and one replica today may be three tomorrow.
        var rules = new ArrayList<>(List.of(new NetworkPolicyIngressRuleBuilder().withFrom(peer(dataId)).build()));
        if (!consumers.isEmpty()) {
            rules.add(new NetworkPolicyIngressRuleBuilder()
                    .withFrom(consumers.stream().map(NetworkPolicies::peer).toList())
                    // The container ports: a policy sees the port after the Service's translation.
                    .withPorts(ports.stream().map(p -> new NetworkPolicyPortBuilder().withProtocol("TCP")
                            .withPort(new IntOrString(p.number())).build()).toList())
                    .build());
        }
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(name(dataId.layer())).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Labels.selector(dataId)).build())
                .withPolicyTypes("Ingress")
                .withIngress(rules)
                .endSpec()
                .build();
    }

    /** Pods of one service in the policy's own namespace (a bare podSelector): other apps' pods never match. */
    private static NetworkPolicyPeer peer(ServiceId id) {
        return new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Labels.selector(id)).build()).build();
    }
}
