package dev.dbstack.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One catalog entry ({@code components/<type>.yaml}): everything that differs between database
 * types, as data. Render turns a {@link dev.dbstack.model.DatabaseLayer} plus its component into
 * Kubernetes objects; nothing type-specific lives in Java unless data cannot say it.
 * {@code readiness} lists {@link ReadyCondition}s the workload must meet, besides its kind's own
 * readiness check, before the layers that consume it start.
 */
public record Component(
        String type,
        String title,
        String description,
        String image,
        List<String> versions,
        String defaultVersion,
        int maxReplicas,
        Port port,
        Storage storage,
        SecurityContext securityContext,
        Resources resources,
        Map<String, Setting> settings,
        Map<String, Credential> credentials,
        List<String> command,
        List<String> args,
        Map<String, Env> env,
        Probe readinessProbe,
        Probe livenessProbe,
        List<Output> outputs,
        VersionChanges versionChanges,
        List<String> readiness) {

    /** Optional sections default to empty so that render never has to null-check them. */
    public Component {
        settings = settings == null ? Map.of() : new java.util.TreeMap<>(settings);
        credentials = credentials == null ? Map.of() : new java.util.TreeMap<>(credentials);
        env = env == null ? Map.of() : env;
        command = command == null ? List.of() : command;
        args = args == null ? List.of() : args;
        outputs = outputs == null ? List.of() : outputs;
        versions = versions == null ? List.of() : versions;
        versionChanges = versionChanges == null ? VersionChanges.STRICT : versionChanges;
        readiness = readiness == null ? List.of() : List.copyOf(readiness);
    }

    /** {@link #readiness}, parsed: what the workload must meet besides its kind's own readiness check. */
    public List<ReadyCondition> readyConditions() {
        return readiness.stream().map(ReadyCondition::parse).toList();
    }

    public record Port(String name, int number) {}

    /**
     * Where data lives. {@code variants} override mount path and environment for a version range,
     * the first match winning (PostgreSQL 18 moved its data directory).
     */
    public record Storage(String mountPath, Map<String, String> env, List<Variant> variants) {
        public Storage {
            env = env == null ? Map.of() : env;
            variants = variants == null ? List.of() : variants;
        }

        public record Variant(String versions, String mountPath, Map<String, String> env) {}
    }

    public record SecurityContext(long runAsUser, long runAsGroup, long fsGroup) {}

    public record Resources(String cpu, String memory) {}

    /** A type-specific key a layer may set ({@code database}, {@code user}); {@code pattern} guards the value. */
    public record Setting(String defaultValue, String pattern, String description) {}

    /** A credential generated once per service unless the layer supplies it as a {@code secure:} value. */
    public record Credential(int length, String description) {}

    /** A container environment variable: a catalog template ({@code value}) or a key of the credentials Secret. */
    public record Env(String value, String secret) {}

    /** A probe: an exec command, or a TCP check of the service port. */
    public record Probe(List<String> exec, Boolean tcpSocket, int initialDelaySeconds, int periodSeconds,
                        int timeoutSeconds, int failureThreshold) {}

    /**
     * An output variable, exposed to higher layers under {@code name}. Secret outputs are stored in
     * the service's credentials Secret and reach consumers only as {@code secretKeyRef}.
     */
    public record Output(String name, String value, boolean secret, String description) {}

    /**
     * What the server does with data another version wrote, so the planner can tell a safe version
     * change from one that would leave the database empty or unable to start. Versions fall into the
     * families of {@code versions} (oldest first). Inside a family a newer release always runs on the
     * data in place. Everything a file does not allow is refused: the default is the strictest.
     *
     * @param upgrade               to a newer family: {@code none}, {@code next} (one family at a time) or {@code any}
     * @param upgradeBy             {@code server}: the server converts the data on its first start, always;
     *                              {@code flag}: it does only when a condition holds that dbstack cannot see, so the
     *                              user must name the layer with {@code --allow-major-upgrade}
     * @param downgradeWithinFamily families whose releases share one on-disk format, so that an older release of
     *                              the family still opens the data (with {@code --allow-downgrade}): {@code all},
     *                              {@code none} or a list of families
     * @param before                what to do before an upgrade to a newer family ({@code {{from}}}, {@code {{to}}})
     * @param after                 what to do after it
     * @param migration             how to move the data to a new layer where no in-place change is possible
     */
    public record VersionChanges(String upgrade, String upgradeBy, List<String> downgradeWithinFamily, String before,
                                 String after, String migration) {
        public static final List<String> UPGRADES = List.of("none", "next", "any");
        public static final List<String> UPGRADERS = List.of("server", "flag");
        static final VersionChanges STRICT = new VersionChanges(null, null, null, null, null, null);

        public VersionChanges {
            upgrade = upgrade == null ? "none" : upgrade;
            upgradeBy = upgradeBy == null ? "server" : upgradeBy;
            downgradeWithinFamily = downgradeWithinFamily == null ? List.of("none") : List.copyOf(downgradeWithinFamily);
        }

        public boolean downgradesWithin(String family) {
            return downgradeWithinFamily.contains("all") || downgradeWithinFamily.contains(family);
        }
    }

    public Optional<Output> output(String name) {
        return outputs.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    public List<String> outputNames() {
        return outputs.stream().map(Output::name).toList();
    }

    /**
     * The supported family a requested version belongs to: {@code 16.4} is in family {@code 16},
     * {@code 7.0.12} in {@code 7.0}. Empty when the version is not supported.
     */
    public Optional<String> familyOf(String version) {
        return versions.stream()
                .filter(f -> version.equals(f) || version.startsWith(f + "."))
                .max((a, b) -> Integer.compare(a.length(), b.length()));
    }

    /** Mount path and extra environment for a version: the first matching variant, else the defaults. */
    public Storage.Variant storageFor(String version) {
        for (Storage.Variant v : storage.variants()) {
            if (VersionRange.parse(v.versions()).contains(version)) {
                return new Storage.Variant(v.versions(),
                        v.mountPath() != null ? v.mountPath() : storage.mountPath(),
                        v.env() != null ? v.env() : storage.env());
            }
        }
        return new Storage.Variant("*", storage.mountPath(), storage.env());
    }
}
