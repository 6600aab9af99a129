package dev.dbstack.testing.servers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a database container sees when it starts, as the kubelet would hand it over: its command and arguments with
 * {@code $(VAR)} references expanded, its environment with every {@code secretKeyRef} resolved against the credentials
 * Secret, and where its data volume is mounted. A server harness starts a real server from this the way the image's
 * entrypoint would; {@link #hostPath} maps paths inside the volume onto the directory that stands for it on this machine.
 */
public record ContainerSpec(List<String> command, List<String> args, Map<String, String> env, String mountPath) {

    public ContainerSpec {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** A container written by hand, for a type whose catalog file has not landed yet: environment and volume only. */
    public static ContainerSpec of(Map<String, String> env, String mountPath) {
        return new ContainerSpec(List.of(), List.of(), env, mountPath);
    }

    /**
     * The rendered {@code container} with its environment resolved: plain values as given (with the kubelet's expansion
     * of earlier variables), {@code secretKeyRef}s read from the rendered {@code secrets} (by name); the data volume is
     * the mount of the claim template named {@code dataVolume}.
     */
    public static ContainerSpec fromRendered(Container container, Map<String, Secret> secrets, String dataVolume) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), expand(e.getValue() == null ? "" : e.getValue(), env));
                continue;
            }
            if (e.getValueFrom().getFieldRef() != null) { // the downward API: what the kubelet knows of pod 0
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                env.put(e.getName(), switch (field) {
                    case "metadata.name" -> "pod-0";
                    case "metadata.namespace" -> RenderedDatabase.NAMESPACE;
                    default -> throw new IllegalArgumentException("env " + e.getName() + ": fieldRef " + field + " is not resolved here");
                });
                continue;
            }
            SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
            if (ref == null) throw new IllegalArgumentException("env " + e.getName() + ": only secretKeyRef and fieldRef are resolved here");
            Secret secret = secrets.get(ref.getName());
            if (secret == null) {
                throw new IllegalArgumentException("env " + e.getName() + " refers to Secret " + ref.getName()
                        + ", which the layer does not render: " + secrets.keySet());
            }
            String data = secret.getData() == null ? null : secret.getData().get(ref.getKey());
            if (data == null) throw new IllegalArgumentException("env " + e.getName() + ": Secret has no key " + ref.getKey());
            env.put(e.getName(), new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
        }
        VolumeMount data = container.getVolumeMounts().stream().filter(m -> m.getName().equals(dataVolume)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the container does not mount the data volume " + dataVolume));
        return new ContainerSpec(container.getCommand(), container.getArgs(), env, data.getMountPath());
    }

    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    /** The first of {@code names} that is set and not empty (images that read MYSQL_* and MARIADB_* alike). */
    public Optional<String> firstEnv(String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isEmpty()) return Optional.of(v);
        }
        return Optional.empty();
    }

    public String requireEnv(String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) throw new IllegalStateException("the container sets no " + name + ": " + env.keySet());
        return v;
    }

    /** {@code command} then {@code args}, each with the kubelet's {@code $(VAR)} expansion from the environment. */
    public List<String> expandedCommandLine() {
        List<String> out = new ArrayList<>();
        command.forEach(c -> out.add(expand(c, env)));
        args.forEach(a -> out.add(expand(a, env)));
        return out;
    }

    /** Where {@code containerPath}, a path inside the data volume, is on this machine when {@code volume} stands for it. */
    public Path hostPath(String containerPath, Path volume) {
        if (containerPath.equals(mountPath)) return volume;
        String prefix = mountPath.endsWith("/") ? mountPath : mountPath + "/";
        if (!containerPath.startsWith(prefix)) {
            throw new IllegalArgumentException(containerPath + " is not inside the data volume mounted at " + mountPath);
        }
        return volume.resolve(containerPath.substring(prefix.length()));
    }

    /**
     * Kubernetes' expansion of {@code $(NAME)} in command, args and env values: a defined variable is replaced, an
     * undefined reference stays as written, and {@code $$} is a literal {@code $}.
     */
    static String expand(String text, Map<String, String> vars) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(' && text.indexOf(')', i) > 0) {
                int end = text.indexOf(')', i);
                String name = text.substring(i + 2, end);
                out.append(vars.containsKey(name) ? vars.get(name) : text.substring(i, end + 1));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
