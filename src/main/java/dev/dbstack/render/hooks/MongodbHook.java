package dev.dbstack.render.hooks;

import dev.dbstack.render.Labels;
import dev.dbstack.render.TypeHook;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MongoDB with {@code replicas > 1}: a replica set. With one replica nothing changes (the standalone server
 * the catalog renders).
 *
 * <p>Every member runs {@code mongod --replSet rs0 --keyFile ... --bind_ip_all}. The keyfile (internal
 * authentication between members) is the catalog's {@code keyfile} credential in a Secret of its own; mongod refuses a
 * keyfile that group or others may read, and a Secret volume under an {@code fsGroup} is group-readable, so an
 * init container copies it into an emptyDir with mode 0400 (as {@link RabbitmqHook} does with the Erlang cookie).
 *
 * <p>The official image's entrypoint, on an empty data directory with {@code MONGO_INITDB_ROOT_USERNAME}, first runs
 * a temporary mongod without {@code --auth}, {@code --keyFile}, {@code --replSet} and {@code --bind_ip_all}
 * (docker-library/mongo docker-entrypoint.sh strips them) to create the root user, then execs mongod with them. So
 * each member starts as an uninitiated set member that holds only that user, and its readiness probe (ping, which
 * needs neither authentication nor a primary) passes before the set exists: OrderedReady goes on to pod 1.
 *
 * <p>A Job initiates the set once and adds the members ({@link #script}); its pod template is immutable, so its
 * name carries the member count and a hash of its spec: a new count (or image) is a new Job, the plan deletes the old.
 */
public final class MongodbHook implements TypeHook {
    /** The replica set's name: fixed, so that renaming a layer (its data keeps its name) never changes it. */
    public static final String SET_NAME = "rs0";
    /** The catalog credential that is the keyfile. */
    static final String KEYFILE_CREDENTIAL = "keyfile";
    static final String KEYFILE_VOLUME = "mongodb-keyfile";
    static final String KEYFILE_SECRET_VOLUME = "mongodb-keyfile-secret";
    static final String KEYFILE_DIR = "/etc/mongodb-keyfile";
    static final String KEYFILE_SECRET_DIR = "/tmp/mongodb-keyfile-secret";
    static final String KEYFILE = "keyfile";
    static final int PORT = 27017;
    /** The label of the Job's pod, which the extra NetworkPolicy admits (not the layer's: Services would select it). */
    static final String JOB_LABEL = "dbstack.dev/replica-set-of";
    /** The secret output the Job authenticates with. */
    static final String PASSWORD_KEY = "PASSWORD";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Override
    public String type() {
        return "mongodb";
    }

    @Override
    public java.util.Optional<String> credentialSecret(String dataName, String credential) {
        // The keyfile's Secret holds it under KEYFILE, which is also the credential's name.
        return credential.equals(KEYFILE_CREDENTIAL) ? java.util.Optional.of(keyfileSecret(dataName)) : java.util.Optional.empty();
    }

    static String keyfileSecret(String dataName) {
        return dataName + "-keyfile";
    }

    static String policyName(String dataName) {
        return dataName + "-replica-set-job";
    }

    @Override
    public void shapePod(Context ctx, PodSpec pod) {
        if (ctx.layer().replicas() < 2) return;
        Container server = pod.getContainers().get(0);
        List<String> args = new ArrayList<>(server.getArgs());
        args.addAll(List.of("--replSet", SET_NAME, "--keyFile", KEYFILE_DIR + "/" + KEYFILE, "--bind_ip_all"));
        server.setArgs(args);
        pod.getVolumes().add(new VolumeBuilder().withName(KEYFILE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        // Group-readable (0440) so that the init container (the pod's fsGroup) can read it.
        pod.getVolumes().add(new VolumeBuilder().withName(KEYFILE_SECRET_VOLUME).withNewSecret()
                .withSecretName(keyfileSecret(ctx.dataName())).withDefaultMode(0440)
                .addNewItem().withKey(KEYFILE).withPath(KEYFILE).endItem()
                .endSecret().build());
        server.getVolumeMounts().add(new VolumeMountBuilder().withName(KEYFILE_VOLUME).withMountPath(KEYFILE_DIR)
                .withReadOnly(true).build());
        pod.getInitContainers().add(OwnerOnlyFile.copy("mongodb-keyfile", server, KEYFILE_SECRET_VOLUME, KEYFILE_SECRET_DIR,
                KEYFILE, KEYFILE_VOLUME, KEYFILE_DIR, KEYFILE));
    }

    @Override
    public List<HasMetadata> extraObjects(Context ctx) {
        if (ctx.layer().replicas() < 2) return List.of();
        List<HasMetadata> objects = new ArrayList<>();
        String keyfile = ctx.credentials().get(KEYFILE_CREDENTIAL);
        if (keyfile == null) throw new IllegalStateException("the mongodb catalog declares no credential " + KEYFILE_CREDENTIAL);
        objects.add(new SecretBuilder()
                .withNewMetadata().withName(keyfileSecret(ctx.dataName())).withNamespace(ctx.namespace())
                .withLabels(ctx.labels()).endMetadata()
                .withType("Opaque")
                .withData(Map.of(KEYFILE, java.util.Base64.getEncoder().encodeToString(keyfile.getBytes(StandardCharsets.UTF_8))))
                .build());
        Map<String, String> jobPods = new TreeMap<>();
        jobPods.put(Labels.APP, ctx.labels().get(Labels.APP));
        jobPods.put(JOB_LABEL, ctx.dataName());
        // The layer's ingress policy admits its consumers and its own pods; the Job's pod is neither, and cannot carry
        // the layer's labels (its Services would select it). Policies add up: this one admits the Job to mongod's port.
        if (ctx.group().networkPolicy()) {
            Map<String, String> members = new TreeMap<>();
            members.put(Labels.APP, ctx.labels().get(Labels.APP));
            members.put(Labels.LAYER, ctx.labels().get(Labels.LAYER));
            objects.add(new NetworkPolicyBuilder()
                    .withNewMetadata().withName(policyName(ctx.dataName())).withNamespace(ctx.namespace())
                    .withLabels(ctx.labels()).endMetadata()
                    .withNewSpec()
                    .withPodSelector(new LabelSelectorBuilder().withMatchLabels(members).build())
                    .withPolicyTypes("Ingress")
                    .addNewIngress()
                    .addNewFrom().withPodSelector(new LabelSelectorBuilder().withMatchLabels(jobPods).build()).endFrom()
                    .addNewPort().withProtocol("TCP").withPort(new IntOrString(PORT)).endPort()
                    .endIngress()
                    .endSpec()
                    .build());
        }
        objects.add(job(ctx, jobPods));
        return objects;
    }

    private static Job job(Context ctx, Map<String, String> podLabels) {
        int replicas = ctx.layer().replicas();
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < replicas; i++) hosts.add(ctx.podHost(i) + ":" + PORT);
        List<String> beyond = new ArrayList<>();
        for (int i = replicas; i < ctx.component().maxReplicas(); i++) beyond.add(ctx.podHost(i) + ":" + PORT);
        String image = ctx.component().imageFor(ctx.layer().version());
        var sc = ctx.component().securityContext();
        Job job = new JobBuilder()
                .withNewMetadata().withNamespace(ctx.namespace()).withLabels(ctx.labels()).endMetadata()
                .withNewSpec()
                .withBackoffLimit(10)
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("OnFailure")
                .withEnableServiceLinks(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(sc.runAsUser()).withRunAsGroup(sc.runAsGroup())
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer()
                .withName("replica-set")
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("mongosh", "--quiet", "--norc", "--nodb", "--eval", script(hosts, beyond))
                // The password only through the environment: the script reads it there, never from its arguments.
                .withEnv(new EnvVarBuilder().withName("MONGO_USER").withValue(ctx.setting("user")).build(),
                        new EnvVarBuilder().withName("MONGO_PASSWORD").withNewValueFrom().withNewSecretKeyRef()
                                .withName(ctx.credentialsSecret()).withKey(PASSWORD_KEY).endSecretKeyRef().endValueFrom().build())
                .withNewResources()
                // Sorted maps: the name's hash is of the spec's JSON, which must not depend on Map.of's per-JVM order.
                .withRequests(new TreeMap<>(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi"))))
                .withLimits(new TreeMap<>(Map.of("memory", new Quantity("256Mi"))))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        String hash = sha256(SERIALIZATION.asJson(job.getSpec())).substring(0, 6);
        job.getMetadata().setName(jobName(ctx.dataName(), replicas, hash));
        return job;
    }

    /** {@code <data>-rs<count>-<hash>}: at most 52 + 11 characters, within the 63 of the Job's pod label. */
    static String jobName(String dataName, int replicas, String hash) {
        return dataName + "-rs" + replicas + "-" + hash;
    }

    /**
     * The Job's mongosh script, idempotent: run again it changes nothing. Pod 0 uninitiated, and no other pod in a set
     * either: the set is initiated with pod 0 alone, whose data (a standalone server's until now) is the set's. Then, on the primary wherever it is:
     * members of pods beyond the count (stopped by a scale-down) are removed, which needs a majority still running;
     * each missing pod is added only while it never belonged to a set (its status NotYetInitialized: it holds only
     * the root user its first start created, which initial sync replaces with the set's data). A pod that returns with
     * data of an earlier membership is left alone and the Job fails saying so: it may lack writes the set took since.
     */
    static String script(List<String> hosts, List<String> beyond) {
        return String.join("\n",
                "const setName = " + quote(SET_NAME) + ";",
                "const hosts = " + array(hosts) + ";",
                "const beyond = " + array(beyond) + ";",
                "const login = encodeURIComponent(process.env.MONGO_USER) + ':' + encodeURIComponent(process.env.MONGO_PASSWORD) + '@';",
                "function open(seeds, options) {",
                "  return connect('mongodb://' + login + seeds + '/admin?authSource=admin&serverSelectionTimeoutMS=10000&' + options);",
                "}",
                "function command(d, cmd) {",
                "  try { return d.runCommand(cmd); } catch (e) {",
                "    if (e.codeName) return {ok: 0, codeName: e.codeName, errmsg: e.message};",
                "    throw e;",
                "  }",
                "}",
                "function retry(what, f) {",
                "  for (let i = 1; ; i++) {",
                "    try { return f(); } catch (e) {",
                "      if (i >= 60) throw e;",
                "      print(what + ': ' + e.message + ' (retrying)');",
                "      sleep(10000);",
                "    }",
                "  }",
                "}",
                "const direct = host => open(host, 'directConnection=true');",
                "const first = retry('pod 0', () => direct(hosts[0]));",
                "const status = retry('pod 0', () => command(first, {replSetGetStatus: 1}));",
                "if (status.ok !== 1) {",
                "  if (status.codeName !== 'NotYetInitialized') throw new Error('pod 0: ' + status.errmsg);",
                // Only when no pod is in a set yet: a pod 0 that lost its claim would otherwise start a new, empty set
                // under the same name beside the one the others hold (it is to rejoin that one and copy it).
                "  for (let i = 1; i < hosts.length; i++) {",
                "    const s = retry('pod ' + i, () => command(direct(hosts[i]), {replSetGetStatus: 1}));",
                "    if (s.ok === 1 || s.codeName !== 'NotYetInitialized') {",
                "      throw new Error('pod 0 is in no replica set but pod ' + i + ' is (' + (s.codeName || s.set) + '): not initiating'",
                "        + ' a new set beside it. If pod 0 lost its data it rejoins the set once a majority runs; otherwise see the'",
                "        + ' logs of the pods');",
                "    }",
                "  }",
                "  const r = first.runCommand({replSetInitiate: {_id: setName, members: [{_id: 0, host: hosts[0]}]}});",
                "  if (r.ok !== 1) throw new Error('replSetInitiate: ' + r.errmsg);",
                "  print('initiated replica set ' + setName + ' with ' + hosts[0]);",
                "}",
                "db = retry('primary', () => {",
                "  const p = open(hosts.join(','), 'replicaSet=' + setName);",
                "  if (!p.hello().isWritablePrimary) throw new Error('no primary yet');",
                "  return p;",
                "});",
                "const members = () => db.adminCommand({replSetGetConfig: 1}).config.members.map(m => m.host);",
                // One member per reconfig, as a reconfig without force allows; the server marks a new voting member
                // newlyAdded (no vote until its initial sync is done).
                "function reconfig(change) {",
                "  const config = db.adminCommand({replSetGetConfig: 1}).config;",
                "  change(config);",
                "  config.version++;",
                "  const r = command(db.getSiblingDB('admin'), {replSetReconfig: config});",
                "  if (r.ok !== 1) throw new Error('replSetReconfig: ' + r.errmsg);",
                "}",
                "for (const host of beyond) {",
                "  retry('removing ' + host, () => {",
                "    if (!members().includes(host)) return;",
                "    reconfig(c => { c.members = c.members.filter(m => m.host !== host); });",
                "    print('removed ' + host);",
                "  });",
                "}",
                "for (let i = 1; i < hosts.length; i++) {",
                "  const host = hosts[i];",
                "  if (members().includes(host)) continue;",
                "  const s = retry('pod ' + i, () => command(direct(host), {replSetGetStatus: 1}));",
                "  if (s.ok === 1 || s.codeName !== 'NotYetInitialized') {",
                "    throw new Error('pod ' + i + ' (' + host + ') holds data of an earlier replica set membership (' + (s.codeName || s.set)",
                "      + '), which may lack writes taken since: it is not added. Delete its claim and pod so it starts empty and'",
                "      + ' copies the set, or add it by hand (rs.add) if its data is current; then delete this Job and run up again');",
                "  }",
                "  retry('adding ' + host, () => {",
                "    if (members().includes(host)) return;",
                "    reconfig(c => { c.members.push({_id: Math.max(...c.members.map(m => m._id)) + 1, host: host}); });",
                "    print('added ' + host);",
                "  });",
                "}",
                "print('replica set ' + setName + ': ' + members().join(', '));");
    }

    private static String array(List<String> values) {
        return "[" + String.join(", ", values.stream().map(MongodbHook::quote).toList()) + "]";
    }

    /** A JavaScript string literal; host names hold only letters, digits, dots, dashes and colons. */
    private static String quote(String value) {
        if (!value.matches("[A-Za-z0-9.:-]*")) throw new IllegalArgumentException("unexpected characters in " + value);
        return "'" + value + "'";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
