package dev.dbstack.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One catalog entry ({@code components/<type>.yaml}) as render sees it for one engine and one
 * version family: everything that differs between database types, as data. Render turns a
 * {@link dev.dbstack.model.DatabaseLayer} plus its component into Kubernetes objects; nothing
 * type-specific lives in Java unless data cannot say it (then a {@code TypeHook} of that type does).
 *
 * <p>A file may layer {@code engines:} (MySQL, Percona Server, MariaDB under one type) and
 * {@code variants:} (a version range whose data lives elsewhere, or whose image takes other
 * variables) over its top level as JSON merge patches; {@link Catalog} resolves them, so each
 * {@code Component} is flat. {@code readiness} lists {@link ReadyCondition}s the workload must meet,
 * besides its kind's own readiness check, before the layers that consume it start.
 *
 * @param engine          the engine this component is resolved for; null for a type without engines
 * @param engines         the type's engines, the default first; empty for a type without engines
 * @param workload        {@code statefulset}: a server with a volume per pod; {@code none}: no server,
 *                        only a volume that the containers consuming the layer mount (SQLite)
 * @param developmentOnly refused in a cluster group marked {@code production: true}
 * @param extraPorts      ports besides {@code port} (a management UI, a second protocol), on the
 *                        container and the Services; templates see them as {@code ports.<name>}
 * @param storageByFamily where each version family of this engine keeps its data, so that a version
 *                        change can be checked for data that would not be found
 * @param imageTag        how a version becomes the image's tag, for an image not tagged with the bare
 *                        version (CockroachDB: {@code v26.2.5}, its family's newest {@code latest-v26.2};
 *                        RabbitMQ: {@code 4.3-management})
 * @param familyTags      the release a layer that names only a family runs, for a registry that publishes no
 *                        tag per family (Elastic's has only {@code 9.5.2}, no {@code 9.5}): family → release
 * @param backup          how a disk backup (Velero) makes the data consistent: hooks run in the server's container
 *                        before and after the volume is backed up, and a caution for a type disk backups cannot make
 *                        consistent; {@link Backup#NONE} when the file has no {@code backup:} section
 * @param environment     the connection settings a container above a layer of this type receives as environment
 *                        variables, Maestro style ({@code MYSQL_ADDRESS}, ...); {@link Environment#NONE} when none
 * @param replication     what a layer with {@code replicas > 1} is; {@link Replication#NONE} for a type of one server
 */
public record Component(
        String type,
        String title,
        String description,
        String image,
        ImageTag imageTag,
        Map<String, String> familyTags,
        List<String> versions,
        String defaultVersion,
        String engine,
        List<String> engines,
        String workload,
        boolean developmentOnly,
        int maxReplicas,
        Port port,
        List<Port> extraPorts,
        Storage storage,
        Map<String, Storage> storageByFamily,
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
        List<String> readiness,
        Backup backup,
        Environment environment,
        Parameters parameters,
        Replication replication) {

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
        engines = engines == null ? List.of() : List.copyOf(engines);
        workload = workload == null ? WORKLOAD_STATEFULSET : workload;
        extraPorts = extraPorts == null ? List.of() : List.copyOf(extraPorts);
        storageByFamily = storageByFamily == null ? Map.of() : new java.util.TreeMap<>(storageByFamily);
        imageTag = imageTag == null ? ImageTag.BARE : imageTag;
        familyTags = familyTags == null ? Map.of() : new java.util.TreeMap<>(familyTags);
        backup = backup == null ? Backup.NONE : backup;
        environment = environment == null ? Environment.NONE : environment;
        parameters = parameters == null ? Parameters.NONE : parameters;
        replication = replication == null ? Replication.NONE : replication;
    }

    public static final String WORKLOAD_STATEFULSET = "statefulset";
    public static final String WORKLOAD_NONE = "none";
    public static final List<String> WORKLOADS = List.of(WORKLOAD_STATEFULSET, WORKLOAD_NONE);

    /** Whether the type runs a server; a type without one (SQLite) is only a volume its consumers mount. */
    public boolean hasServer() {
        return !WORKLOAD_NONE.equals(workload);
    }

    /** {@link #port} and {@link #extraPorts}, the primary first. */
    public List<Port> allPorts() {
        List<Port> all = new java.util.ArrayList<>();
        if (port != null) all.add(port);
        all.addAll(extraPorts);
        return all;
    }

    /** {@link #readiness}, parsed: what the workload must meet besides its kind's own readiness check. */
    public List<ReadyCondition> readyConditions() {
        return readiness.stream().map(ReadyCondition::parse).toList();
    }

    public record Port(String name, int number) {}

    /**
     * The {@code parameters:} section: the server settings a layer may give under {@code parameters:}, and how the
     * image reads them. Either {@code file} (a ConfigMap {@code <layer>-config} mounted at that path, one line per
     * parameter in {@code format}) or {@code flag} (each parameter as container arguments after the catalog's own).
     * {@link #NONE} when the file has no section: the type accepts no parameters.
     *
     * @param file    where the image reads an extra configuration file (MySQL's {@code /etc/mysql/conf.d/}); null for flags
     * @param format  how the file's lines look: {@code mycnf} ({@code [mysqld]} then {@code name = value}) or
     *                {@code redis} ({@code name value})
     * @param flag    the arguments of one parameter, templates of {@code {{name}}} and {@code {{value}}}
     *                ({@code ["-c", "{{name}}={{value}}"]}, {@code ["--{{name}}", "{{value}}"]}); empty for a file
     * @param accepts the parameters by name, each with its type
     */
    public record Parameters(String file, String format, List<String> flag, Map<String, Parameter> accepts) {
        public static final Parameters NONE = new Parameters(null, null, null, null);
        public static final List<String> FORMATS = List.of("mycnf", "redis");

        public Parameters {
            flag = flag == null ? List.of() : List.copyOf(flag);
            accepts = accepts == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(accepts));
        }

        public boolean any() {
            return !accepts.isEmpty();
        }

        /** The file's name inside the ConfigMap (and the mount's subPath). */
        public String fileName() {
            return file == null ? null : file.substring(file.lastIndexOf('/') + 1);
        }
    }

    /**
     * One parameter a layer may set.
     *
     * @param type        {@code integer}, {@code number} (a decimal fraction, no exponent), {@code size} (a whole number
     *                    and one of {@code units}, as the server writes it: {@code 256MB}), {@code duration} (likewise:
     *                    {@code 500ms}), {@code enum} (one of {@code values}) or {@code boolean} (written {@code true} or
     *                    {@code false}, rendered as {@code as[0]} or {@code as[1]})
     * @param min         least value of an integer or number; null for none
     * @param max         greatest value of an integer or number; null for none
     * @param units       the units of a size or duration, as the server spells them
     * @param values      the values of an enum
     * @param as          how a boolean is rendered: the text for true, then for false
     * @param description what the parameter does, for the README
     */
    public record Parameter(String type, java.math.BigDecimal min, java.math.BigDecimal max, List<String> units,
                            List<String> values, List<String> as, String description) {
        public static final List<String> TYPES = List.of("integer", "number", "size", "duration", "enum", "boolean");

        public Parameter {
            units = units == null ? List.of() : List.copyOf(units);
            values = values == null ? List.of() : List.copyOf(values);
            as = as == null ? List.of("true", "false") : List.copyOf(as);
        }
    }

    /**
     * The {@code backup:} section: Velero backup hooks, rendered as annotations on the server's pod template
     * ({@code pre.hook.backup.velero.io/...}), and a caution preview shows when the type's cluster group backs
     * up disks.
     *
     * @param pre     run before Velero backs up the pod's volumes (a checkpoint, a flush, a lock); may be null
     * @param post    run after (the lock's release); may be null
     * @param caution what a backup of this type's disks does not give, said when backup is on; may be null
     */
    public record Backup(BackupHook pre, BackupHook post, String caution) {
        public static final Backup NONE = new Backup(null, null, null);
    }

    /**
     * One backup hook: {@code command} runs in the server's container without a shell (write
     * {@code ["/bin/sh", "-c", "..."]} for variables); Velero waits {@code timeout} (a Go duration, 30s) and then
     * goes on without stopping it; {@code onError} is {@code Fail} (the pod's hooks stop and the backup is
     * PartiallyFailed) or {@code Continue}, always written: Velero treats a missing one as Continue.
     */
    public record BackupHook(List<String> command, String timeout, String onError) {
        public static final List<String> ON_ERROR = List.of("Continue", "Fail");

        public BackupHook {
            command = command == null ? List.of() : List.copyOf(command);
        }
    }

    /**
     * The image tag of a version: {@code family} when the layer names a version family as listed in
     * {@code versions} (a floating tag), {@code release} when it names a release in one. Both are
     * templates of {@code {{version}}}, which is the version as the layer writes it; either defaults to it.
     */
    public record ImageTag(String family, String release) {
        public static final String DEFAULT = "{{version}}";
        static final ImageTag BARE = new ImageTag(null, null);

        public ImageTag {
            family = family == null ? DEFAULT : family;
            release = release == null ? DEFAULT : release;
        }
    }

    /**
     * The image reference a version runs: {@code image:tag}. A family the registry has no tag for runs its
     * pinned release ({@link #familyTags}); a release is tagged by {@code imageTag.release}, a family by
     * {@code imageTag.family}.
     */
    public String imageFor(String version) {
        String pinned = familyTags.get(version);
        String template = pinned == null && versions.contains(version) ? imageTag.family() : imageTag.release();
        return image + ":" + CatalogTemplate.expand(template, Map.of("version", pinned != null ? pinned : version));
    }

    /**
     * Where data lives: the volume's mount path, and variables that point inside it ({@code PGDATA}).
     * A version range that keeps it elsewhere says so in a {@code variants:} entry.
     *
     * @param removeLostFound for a server that refuses to initialise a directory holding anything (MySQL's
     *                        {@code --initialize}, CockroachDB's entrypoint): an init container removes the
     *                        volume's {@code lost+found} while it is empty ({@code rmdir}, which never removes
     *                        a file), so the data stays at the volume's root
     */
    public record Storage(String mountPath, Map<String, String> env, boolean removeLostFound) {
        public Storage {
            env = env == null ? Map.of() : new java.util.TreeMap<>(env);
        }
    }

    /**
     * The user and group the server runs as, and the group that owns its volume. A type without a
     * server gives only {@code fsGroup}: the pods that mount its volume get it as a supplementary group.
     * A server that runs as root may leave {@code fsGroup} out: it owns its volume anyway, and some
     * (CockroachDB) refuse keys that the kubelet's group ownership change made group-readable.
     */
    public record SecurityContext(Long runAsUser, Long runAsGroup, Long fsGroup) {}

    public record Resources(String cpu, String memory) {}

    /**
     * A type-specific key a layer may set ({@code database}, {@code user}); {@code pattern} guards the value.
     * {@code initOnly}: the server reads it only when it initialises an empty data directory (the database
     * it creates, its first user), so changing it later would point consumers at something that does not
     * exist, or at a new empty database, while the data stays under the old name: the plan refuses that.
     */
    public record Setting(String defaultValue, String pattern, String description, boolean initOnly) {}

    /** A credential generated once per service unless the layer supplies it as a {@code secure:} value. */
    public record Credential(int length, String description) {}

    /** A container environment variable: a catalog template ({@code value}) or a key of the credentials Secret. */
    public record Env(String value, String secret) {}

    /** A probe: an exec command, an HTTP GET of a port, or a TCP check of the service port. */
    public record Probe(List<String> exec, HttpGet httpGet, Boolean tcpSocket, int initialDelaySeconds, int periodSeconds,
                        int timeoutSeconds, int failureThreshold) {}

    /** An HTTP(S) GET; {@code port} names one of the component's ports (the primary when unset). */
    public record HttpGet(String path, String port, String scheme) {}

    /**
     * An output variable, exposed to higher layers under {@code name}. Secret outputs are stored in
     * the service's credentials Secret and reach consumers only as {@code secretKeyRef}.
     */
    public record Output(String name, String value, boolean secret, String description, String replicatedValue) {
        /**
         * The value for a layer of {@code replicas}: {@code replicatedValue} when there are several and the file gives
         * one (a MongoDB replica set's URI names its members and the set), else {@code value}.
         */
        public String value(int replicas) {
            return replicas > 1 && replicatedValue != null ? replicatedValue : value;
        }
    }

    /**
     * What the pods of a layer with {@code replicas > 1} are to each other, for a type whose {@code maxReplicas} is
     * more than 1 (dbstack runs no operator: only what the server does by itself).
     *
     * @param kind      {@code primary}: pod 0 takes the writes and the other pods follow it, so the layer's client
     *                  Service (and its Maestro names) select pod 0 only, and a {@code <layer>-read} Service all pods;
     *                  {@code cluster}: every pod is a member that clients may reach (a MongoDB replica set, an
     *                  Elasticsearch or RabbitMQ cluster), so the Services select all pods
     * @param failover  what happens when a pod, pod 0 above all, fails: the README's words for the type
     * @param scaleDown what to do before scaling down, shown as a caution in the plan when replicas go down; null
     *                  when scaling down needs nothing
     */
    public record Replication(String kind, String failover, String scaleDown) {
        public static final Replication NONE = new Replication(null, null, null);
        public static final String PRIMARY = "primary";
        public static final String CLUSTER = "cluster";
        public static final List<String> KINDS = List.of(PRIMARY, CLUSTER);

        /** Whether pod 0 is the one writer, the rest following it. */
        public boolean primary() {
            return PRIMARY.equals(kind);
        }
    }

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
     * @param incompatibleFrom      families that start a new on-disk format (InfluxDB 2.7 after 1.x): no in-place
     *                              upgrade from an older family reaches them or anything after them, whatever
     *                              {@code upgrade} says; between them {@code upgrade} applies
     */
    public record VersionChanges(String upgrade, String upgradeBy, List<String> downgradeWithinFamily, String before,
                                 String after, String migration, List<String> incompatibleFrom) {
        public static final List<String> UPGRADES = List.of("none", "next", "any");
        public static final List<String> UPGRADERS = List.of("server", "flag");
        static final VersionChanges STRICT = new VersionChanges(null, null, null, null, null, null, null);

        public VersionChanges {
            upgrade = upgrade == null ? "none" : upgrade;
            upgradeBy = upgradeBy == null ? "server" : upgradeBy;
            downgradeWithinFamily = downgradeWithinFamily == null ? List.of("none") : List.copyOf(downgradeWithinFamily);
            incompatibleFrom = incompatibleFrom == null ? List.of() : List.copyOf(incompatibleFrom);
        }

        public boolean downgradesWithin(String family) {
            return downgradeWithinFamily.contains("all") || downgradeWithinFamily.contains(family);
        }
    }

    /**
     * The {@code environment:} section: the variables {@code <prefix>_<NAME>} (and {@code <prefix>_<GROUP>_<NAME>} per
     * database group) each container above a layer of the type receives. A value is either exactly
     * {@code {{outputs.NAME}}}, which takes that output (a secret one as a {@code secretKeyRef} to the credentials
     * Secret, never as text), or a template over the plain variables, where {@code {{host}}} is the host name of the
     * Maestro Service the family of variables is for ({@code mysql}, {@code mysql-spare}).
     */
    public record Environment(String prefix, Map<String, String> variables) {
        public static final Environment NONE = new Environment(null, Map.of());
        static final Pattern OUTPUT = Pattern.compile("\\{\\{\\s*outputs\\.([A-Z][A-Z0-9_]*)\\s*}}");

        public Environment {
            variables = variables == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
        }

        /** The output a value takes whole ({@code {{outputs.PASSWORD}}}), else empty: then it is a template. */
        public static Optional<String> outputOf(String value) {
            var m = OUTPUT.matcher(value.strip());
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
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

    /** Where a version of this engine keeps its data; this component's own storage for an unknown version. */
    public Storage storageFor(String version) {
        return familyOf(version).map(storageByFamily::get).orElse(storage);
    }
}
