package dev.dbstack.config;

import static dev.dbstack.model.Suggest.quote;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.catalog.ParameterValues;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Deployment;
import dev.dbstack.model.DiskBackup;
import dev.dbstack.model.EnvVar;
import dev.dbstack.model.ManifestLayer;
import dev.dbstack.model.Patch;
import dev.dbstack.model.NodePool;
import dev.dbstack.model.Project;
import dev.dbstack.model.Resources;
import dev.dbstack.model.SecretValue;
import dev.dbstack.model.ServiceLayer;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import dev.dbstack.model.VirtualClusterLimits;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads {@code Pulumi.yaml} and {@code stacks/Pulumi.<stack>.yaml} into a validated {@link
 * StackModel}. All problems of a run are collected and reported together.
 */
public final class StackLoader {
    /** Our namespace in Pulumi config; keys of other namespaces belong to other tools and are left alone. */
    public static final String NAMESPACE = "dbstack";

    static final String CLUSTER_GROUPS = NAMESPACE + ":clusterGroups";
    static final String PROFILES = NAMESPACE + ":profiles";
    static final String APPS = NAMESPACE + ":apps";
    /** The Pulumi config keys dbstack reads. */
    public static final List<String> CONFIG_KEYS = List.of(CLUSTER_GROUPS, PROFILES, APPS);

    /** Keys the Pulumi CLI accepts in Pulumi.yaml; we read a few and must not reject the rest. */
    private static final List<String> PROJECT_KEYS = List.of("name", "runtime", "description", "main",
            "stackConfigDir", "config", "backend", "options", "template", "plugins", "author", "license", "website",
            "packages");
    private static final List<String> STACK_FILE_KEYS = List.of("config", "encryptionsalt", "secretsprovider",
            "encryptedkey", "environment");

    private final Catalog catalog;
    private final String passphrase;
    /** Opens secure: values of the stack being loaded; null while none can be decrypted. */
    private PassphraseCrypter crypter;
    /** Set when the values come from the Pulumi engine, which hands a program secure: values decrypted. */
    private boolean secureValuesArePlaintext;
    /** The project being loaded: manifest layers' files are read from it. */
    private Project project;
    /** The loaded stack file's encryptionsalt, if it has one. */
    private EncryptionSalt encryptionSalt;

    /** A loader that carries secure: values encrypted (no passphrase given). */
    public StackLoader(Catalog catalog) {
        this(catalog, null);
    }

    /**
     * @param passphrase the stack's secrets passphrase (Pulumi's passphrase provider), or null to
     *                   leave secure: values encrypted
     */
    public StackLoader(Catalog catalog, String passphrase) {
        this.catalog = catalog;
        this.passphrase = passphrase;
    }

    /** Reads {@code dir/Pulumi.yaml}. */
    public static Project loadProject(Path dir) {
        Path file = dir.resolve("Pulumi.yaml");
        Problems problems = new Problems();
        ConfigObject root = document(read(file, "Pulumi.yaml"), "Pulumi.yaml", "`name:` and `runtime: java`", problems);
        String name = root.requiredString("name", "the project name").orElse("");
        if (root.has("name")) Names.checkPulumiName(name, "project").ifPresent(m -> root.problem("name", m));
        root.node("runtime").ifPresent(runtime -> checkRuntime(root, runtime));
        if (!root.has("runtime")) root.problem("runtime", "missing required key (runtime: java)");
        String description = root.prose("description").orElse("");
        String stackDir = root.string("stackConfigDir").orElse(".");
        String backendUrl = null;
        SourceRef backendSource = null;
        if (root.has("backend")) {
            ConfigObject backend = root.object("backend").orElse(null);
            if (backend != null) {
                backendUrl = backend.string("url").orElse(null);
                backendSource = backend.source("url");
                if (backendUrl != null) {
                    try {
                        dev.dbstack.state.BackendUrl.parse(backendUrl);
                    } catch (IllegalArgumentException e) {
                        backend.problem("url", e.getMessage());
                    }
                }
                backend.rejectUnknownKeys();
            }
        }
        for (String k : PROJECT_KEYS) root.node(k);
        root.rejectUnknownKeys();
        problems.throwIfAny();
        return new Project(name, description, dir, dir.resolve(stackDir).normalize(), backendUrl, backendSource);
    }

    /** {@code runtime: java} or {@code runtime: {name: java, options: ...}}, as Pulumi allows. */
    private static void checkRuntime(ConfigObject root, Node runtime) {
        Node name = runtime;
        if (runtime instanceof Node.Mapping) {
            ConfigObject r = ConfigObject.of(runtime, root.path("runtime"), root.problems());
            name = r.required("name", "java");
            r.node("options");
            r.rejectUnknownKeys();
            if (name == null) return;
        }
        String path = runtime == name ? root.path("runtime") : root.path("runtime") + ".name";
        if (!(name instanceof Node.Scalar s && "java".equals(s.value()))) {
            root.problems().add(name.source(), path, "dbstack's Pulumi program runs on the java runtime; got "
                    + name.kindName() + ConfigObject.describe(name) + " (write runtime: java)");
        }
    }

    /** A file's top level, which must be a mapping; anything else is one problem, not a list of missing keys. */
    private static ConfigObject document(Node node, String file, String expected, Problems problems) {
        if (node instanceof Node.Mapping) return ConfigObject.of(node, "", problems);
        throw UserInputException.of(node.source(), "", file + " must be a YAML mapping with " + expected + ", but it"
                + " holds " + node.kindName() + ConfigObject.describe(node));
    }

    /** The stack file's path relative to the project, as shown in messages. */
    public static String stackFileName(Project project, String stack) {
        Path p = project.stackConfigDir().resolve("Pulumi." + stack + ".yaml");
        return project.dir().relativize(p).toString();
    }

    public StackModel load(Project project, String stack) {
        Names.checkStackName(stack).ifPresent(m -> {
            throw UserInputException.of(new SourceRef("", 0), "--stack", m);
        });
        String display = stackFileName(project, stack);
        Path file = project.dir().resolve(display);
        if (!Files.exists(file)) {
            String known = listStacks(project).stream().collect(Collectors.joining(", "));
            throw UserInputException.of(new SourceRef(display, 0), "", "stack " + quote(stack) + " does not exist"
                    + (known.isEmpty() ? "" : "; stacks here: " + known));
        }
        Problems problems = new Problems();
        ConfigObject root = document(read(file, display), "a stack file", "a `config:` key", problems);
        crypter = openSecrets(root);
        Map<String, Node> config = new LinkedHashMap<>();
        root.object("config").ifPresent(c -> {
            for (Map.Entry<String, Node> e : c.entries().entrySet()) {
                String key = e.getKey();
                if (key.startsWith(NAMESPACE + ":")) {
                    if (!CONFIG_KEYS.contains(key)) {
                        c.problem(key, unknownConfigKey(key));
                    } else {
                        config.put(key, e.getValue());
                    }
                }
            }
        });
        for (String k : STACK_FILE_KEYS) root.node(k);
        root.rejectUnknownKeys();
        // Without a config: map there is nothing to read: say that once, not once per key it would hold.
        if (!root.has("config") || !(root.node("config").get() instanceof Node.Mapping)) {
            if (!root.has("config")) {
                root.problem("config", "missing: a stack file holds its settings under config: (dbstack reads "
                        + String.join(", ", CONFIG_KEYS) + ")");
            }
            problems.throwIfAny();
        }
        return buildModel(project, stack, display, config, problems);
    }

    private static String unknownConfigKey(String key) {
        return "unknown key" + Suggest.didYouMean(key, CONFIG_KEYS) + " (dbstack reads " + String.join(", ", CONFIG_KEYS) + ")";
    }

    /**
     * Builds the model from configuration the Pulumi engine hands a program: each {@code dbstack:}
     * key's value as JSON text, with nested {@code secure:} values already decrypted. Pulumi only says
     * which keys hold secrets, not where, so for those keys the stack file tells which values were
     * {@code secure:} and they stay secrets here. Problems name the stack file and key, without lines.
     *
     * @param values     {@code dbstack:<name>} → JSON, as {@code Config.get} returns it
     * @param secretKeys the keys Pulumi marks secret
     * @param allKeys    every config key the stack has, so a misspelt {@code dbstack:} key is reported
     */
    public StackModel loadPulumiConfig(Project project, String stack, Map<String, String> values, Set<String> secretKeys,
                                       Set<String> allKeys) {
        String display = stackFileName(project, stack);
        Problems problems = new Problems();
        allKeys.stream().filter(k -> k.startsWith(NAMESPACE + ":") && !CONFIG_KEYS.contains(k)).sorted()
                .forEach(k -> problems.add(new SourceRef(display, 0), "config." + k, unknownConfigKey(k)));
        secureValuesArePlaintext = true;
        Map<String, Node> config = new LinkedHashMap<>();
        Node fileConfig = null;
        for (String key : CONFIG_KEYS) {
            String json = values.get(key);
            if (json == null) continue;
            Node value = YamlReader.read(new StringReader(json), display, false);
            if (secretKeys.contains(key)) {
                if (fileConfig == null) fileConfig = stackFileConfig(project, display, key);
                Node written = fileConfig instanceof Node.Mapping m ? m.entries().get(key) : null;
                if (written == null) {
                    throw UserInputException.of(new SourceRef(display, 0), "config." + key, "Pulumi marks this value"
                            + " secret, but the stack file does not show which parts are secure:, so dbstack cannot keep"
                            + " them secret; keep dbstack configuration in " + display);
                }
                value = restoreSecure(value, written);
            }
            config.put(key, value);
        }
        return buildModel(project, stack, display, config, problems);
    }

    private static Node stackFileConfig(Project project, String display, String key) {
        Path file = project.dir().resolve(display);
        if (!Files.exists(file)) {
            throw UserInputException.of(new SourceRef(display, 0), "config." + key, "Pulumi marks this value secret,"
                    + " but the stack file is missing, so dbstack cannot tell which parts are secure:");
        }
        return read(file, display) instanceof Node.Mapping root ? root.entries().get("config") : null;
    }

    /** {@code value} with each string that the stack file writes as {@code {secure: ...}} wrapped the same way. */
    private static Node restoreSecure(Node value, Node written) {
        if (ConfigObject.secure(written).isPresent() && value instanceof Node.Scalar s && s.value() instanceof String) {
            LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
            entries.put("secure", s);
            return new Node.Mapping(entries, Map.of("secure", s.source()), s.source());
        }
        if (value instanceof Node.Mapping m && written instanceof Node.Mapping w) {
            LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> entries.put(k, w.entries().containsKey(k) ? restoreSecure(v, w.entries().get(k)) : v));
            return new Node.Mapping(entries, m.keySources(), m.source());
        }
        if (value instanceof Node.Sequence q && written instanceof Node.Sequence w && q.items().size() == w.items().size()) {
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < q.items().size(); i++) items.add(restoreSecure(q.items().get(i), w.items().get(i)));
            return new Node.Sequence(List.copyOf(items), q.source());
        }
        return value;
    }

    private StackModel buildModel(Project project, String stack, String display, Map<String, Node> config, Problems problems) {
        this.project = project;
        List<ClusterGroup> groups = readClusterGroups(config.get(CLUSTER_GROUPS), problems, display);
        // Profiles shared by every stack live in Pulumi.yaml's project config; the stack file may add its own.
        Node shared = ProjectConfig.profiles(project.dir(), problems);
        List<AppProfile> projectProfiles = shared == null ? List.of() : readProfiles(shared, problems, ProjectConfig.FILE, true);
        List<AppProfile> stackProfiles = readProfiles(config.get(PROFILES), problems, display, shared == null);
        List<AppProfile> profiles = ProjectConfig.union(projectProfiles, shared, stackProfiles, config.get(PROFILES), problems);
        List<AppDeployment> apps = readApps(config.get(APPS), groups, profiles, problems, display);
        problems.throwIfAny();
        return new StackModel(project, stack, display, groups, profiles, apps);
    }

    /**
     * The {@code encryptionsalt} of the stack file {@link #load} read, as YAML (so quoted values and
     * trailing comments are what YAML says they are); empty when it has none.
     */
    public Optional<EncryptionSalt> encryptionSalt() {
        return Optional.ofNullable(encryptionSalt);
    }

    /** The stack's crypter when a passphrase was given and the stack has an encryptionsalt. */
    private PassphraseCrypter openSecrets(ConfigObject root) {
        String key = EncryptionSalt.KEY;
        encryptionSalt = null;
        if (root.isWrittenEmpty(key)) {
            // Written but empty: neither a salt to use nor a place dbstack may write one without losing what was meant.
            root.problem(key, "is empty: give it the salt it held (`git log -p -S encryptionsalt -- " + root.source().file()
                    + "` shows earlier values) or delete the line; then `up` writes back the salt this stack's state was"
                    + " written with, or a new one for a stack never deployed");
            return null;
        }
        Optional<String> salt = root.string(key);
        if (salt.isEmpty()) return null;
        try {
            PassphraseCrypter.checkSalt(salt.get());
        } catch (IllegalArgumentException e) {
            root.problem(key, e.getMessage());
            return null;
        }
        encryptionSalt = new EncryptionSalt(salt.get(), root.source(key));
        if (passphrase == null) return null;
        // Derived (and the passphrase checked) at the first secure: value: a file without any costs nothing.
        SourceRef where = root.source(key);
        return PassphraseCrypter.deferred(salt.get(), passphrase, () -> UserInputException.of(where, key,
                "incorrect passphrase: DBSTACK_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE) does not open this stack's secrets"));
    }

    /**
     * The key of the stack file's {@code encryptionsalt} with the loader's passphrase, once {@link #load} read
     * it: not derived until used, and then once, so a caller needing the same salt shares the derivation.
     */
    public Optional<PassphraseCrypter> fileKey() {
        return Optional.ofNullable(crypter);
    }

    /** A {@code {secure: ...}} value, decrypted when the stack's passphrase is known. */
    private Optional<SecretValue> secure(ConfigObject owner, String key, Node n) {
        Optional<SecretValue> secret = ConfigObject.secure(n);
        if (secret.isPresent() && secureValuesArePlaintext) return Optional.of(SecretValue.plain(secret.get().ciphertext()));
        if (secret.isEmpty()) return secret;
        try {
            PassphraseCrypter.checkCiphertext(secret.get().ciphertext());
        } catch (IllegalArgumentException e) {
            owner.problem(key, "this secure: value " + e.getMessage() + "; set it again with `pulumi config set --secret`");
            return Optional.empty();
        }
        if (crypter == null) return secret;
        try {
            return Optional.of(SecretValue.plain(crypter.decryptOrThrow(secret.get().ciphertext())));
        } catch (PassphraseCrypter.WrongPassphraseException | IllegalArgumentException e) {
            owner.problem(key, "cannot decrypt this secure: value with the stack's passphrase; set it again with"
                    + " `pulumi config set --secret`");
            return Optional.empty();
        }
    }

    /** Stack names that have a settings file, sorted. */
    public static List<String> listStacks(Project project) {
        if (!Files.isDirectory(project.stackConfigDir())) return List.of();
        try (var files = Files.list(project.stackConfigDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("Pulumi.") && n.endsWith(".yaml") && n.length() > 12)
                    .map(n -> n.substring(7, n.length() - 5))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Node read(Path file, String display) {
        if (Files.notExists(file)) {
            throw UserInputException.of(new SourceRef(display, 0), "",
                    "not found; run dbstack in a project directory or pass --cwd");
        }
        return YamlReader.readFile(file, display);
    }

    // ---- cluster groups ----------------------------------------------------------------------

    private List<ClusterGroup> readClusterGroups(Node node, Problems problems, String file) {
        List<ClusterGroup> groups = new ArrayList<>();
        if (node == null) {
            problems.add(new SourceRef(file, 0), "config." + CLUSTER_GROUPS,
                    "missing: declare at least one cluster group (cluster: sandbox, or a kubeconfig context)");
            return groups;
        }
        for (ConfigObject o : items(node, "config." + CLUSTER_GROUPS, problems)) {
            String name = o.requiredString("name", "the cluster group's name").orElse(null);
            String cluster = o.requiredString("cluster", "'sandbox', 'sandbox:<name>' or a kubeconfig context").orElse(null);
            String domain = o.string("clusterDomain").orElse("cluster.local");
            Names.checkDnsSubdomain(domain).ifPresent(m -> o.problem("clusterDomain", m));
            if (cluster != null) checkCluster(cluster).ifPresent(m -> o.problem("cluster", m));
            DiskBackup backup = readDiskBackup(o);
            boolean production = o.bool("production").orElse(false);
            boolean privileged = o.bool("privileged").orElse(true);
            VirtualClusterLimits defaults = new VirtualClusterLimits(VirtualClusterLimits.DEFAULT_CPU,
                    VirtualClusterLimits.DEFAULT_MEMORY, VirtualClusterLimits.DEFAULT_STORAGE, o.path("virtualClusters"), o.source());
            VirtualClusterLimits limits = o.object("virtualClusters").map(v -> readLimits(v, defaults, null)).orElse(defaults);
            boolean networkPolicy = o.bool("networkPolicy").orElse(true);
            NodePool databaseNodes = o.object("databaseNodes").map(StackLoader::readNodePool).orElse(NodePool.NONE);
            o.rejectUnknownKeys();
            if (name != null) Names.checkDnsLabel(name).ifPresent(m -> o.problem("name", m));
            if (name == null || cluster == null) continue;
            if (groups.stream().anyMatch(g -> g.name().equals(name))) {
                o.problem("name", "cluster group " + quote(name) + " is declared twice");
                continue;
            }
            groups.add(new ClusterGroup(name, cluster, domain, backup, production, privileged, networkPolicy, limits,
                    databaseNodes, o.source()));
        }
        return groups;
    }

    private static final List<String> TOLERATION_OPERATORS = List.of("Equal", "Exists");
    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    /**
     * {@code databaseNodes: {nodeSelector: {label: value}, tolerations: [{key, operator, value, effect,
     * tolerationSeconds}]}}: where a group's database pods run, each label and toleration checked as the API
     * server would, so a typo is said here and not by pods left Pending.
     */
    private static NodePool readNodePool(ConfigObject o) {
        Map<String, String> selector = new TreeMap<>();
        o.object("nodeSelector").ifPresent(n -> {
            for (Map.Entry<String, Node> e : n.entries().entrySet()) {
                Optional<String> value = n.string(e.getKey(), true);
                Optional<String> bad = Names.checkLabelKey(e.getKey())
                        .or(() -> value.flatMap(Names::checkLabelValue));
                if (bad.isPresent()) n.problem(e.getKey(), bad.get());
                else value.ifPresent(v -> selector.put(e.getKey(), v));
            }
        });
        List<NodePool.Toleration> tolerations = new ArrayList<>();
        List<Node> items = o.list("tolerations");
        for (int i = 0; i < items.size(); i++) {
            ConfigObject t = ConfigObject.of(items.get(i), o.path("tolerations") + "[" + i + "]", o.problems());
            String key = t.string("key").orElse(null);
            String operator = t.string("operator").orElse("Equal");
            String value = t.string("value", true).orElse(null);
            String effect = t.string("effect").orElse(null);
            Long seconds = t.node("tolerationSeconds").isPresent()
                    ? t.integer("tolerationSeconds", 0, Long.MAX_VALUE / 1_000_000_000L, "tolerationSeconds").orElse(null) : null;
            t.rejectUnknownKeys();
            int before = o.problems().size();
            if (key != null) Names.checkLabelKey(key).ifPresent(m -> t.problem("key", m));
            if (!TOLERATION_OPERATORS.contains(operator)) {
                t.problem("operator", quote(operator) + " is not an operator: Equal (the default) or Exists"
                        + Suggest.didYouMean(operator, TOLERATION_OPERATORS));
            }
            if (value != null) Names.checkLabelValue(value).ifPresent(m -> t.problem("value", m));
            if (effect != null && !TAINT_EFFECTS.contains(effect)) {
                t.problem("effect", quote(effect) + " is not a taint effect: NoSchedule, PreferNoSchedule or NoExecute"
                        + " (leave it out for all three)" + Suggest.didYouMean(effect, TAINT_EFFECTS));
            }
            if ("Exists".equals(operator) && value != null && !value.isEmpty()) {
                t.problem("value", "must be left out with operator: Exists (it tolerates any value of the key)");
            }
            if (key == null && !"Exists".equals(operator)) {
                t.problem("key", "missing: a toleration without a key tolerates every taint and needs operator: Exists");
            }
            if (seconds != null && !"NoExecute".equals(effect)) {
                t.problem("tolerationSeconds", "applies only to effect: NoExecute (how long a pod stays on a node tainted"
                        + " after it started)");
            }
            if (o.problems().size() == before) {
                tolerations.add(new NodePool.Toleration(key, operator, value, effect, seconds));
            }
        }
        o.rejectUnknownKeys();
        if (!o.has("nodeSelector") && !o.has("tolerations")) {
            o.problems().add(o.source(), o.path(), "names no nodes: give nodeSelector and/or tolerations, e.g."
                    + " {nodeSelector: {pool: db}, tolerations: [{key: dedicated, value: db, effect: NoSchedule}]}");
        }
        return new NodePool(Map.copyOf(selector), List.copyOf(tolerations));
    }

    /**
     * {@code diskBackup}: {@code false} (the default, Palette's), {@code true} (Velero with the defaults of
     * {@link DiskBackup}), or {@code {schedule, retention, storageLocation, mode, veleroNamespace}}, each
     * checked as Velero would take it, so a bad value is said here rather than by a Schedule that never runs.
     */
    private static DiskBackup readDiskBackup(ConfigObject group) {
        String key = group.path("diskBackup");
        Optional<Node> node = group.node("diskBackup");
        if (node.isEmpty()) return DiskBackup.off(key, group.source());
        SourceRef at = group.source("diskBackup");
        if (node.get() instanceof Node.Scalar s && s.value() instanceof Boolean b) {
            return b ? new DiskBackup(true, DiskBackup.DEFAULT_SCHEDULE, GoDuration.format(GoDuration.nanos(DiskBackup.DEFAULT_RETENTION)),
                    DiskBackup.DEFAULT_STORAGE_LOCATION, DiskBackup.Mode.SNAPSHOT, DiskBackup.DEFAULT_VELERO_NAMESPACE, key, at)
                    : DiskBackup.off(key, at);
        }
        if (!(node.get() instanceof Node.Mapping)) {
            group.problem("diskBackup", "expected true, false or a map {schedule, retention, storageLocation, mode,"
                    + " veleroNamespace}, got " + node.get().kindName() + ConfigObject.describe(node.get()));
            return DiskBackup.off(key, at);
        }
        ConfigObject o = ConfigObject.of(node.get(), key, group.problems());
        String schedule = DiskBackup.DEFAULT_SCHEDULE;
        Optional<String> scheduleText = o.string("schedule");
        if (scheduleText.isPresent()) {
            Optional<String> p = CronSchedule.problem(scheduleText.get());
            if (p.isPresent()) o.problem("schedule", p.get());
            else schedule = scheduleText.get().strip();
        }
        String ttl = GoDuration.format(GoDuration.nanos(DiskBackup.DEFAULT_RETENTION));
        Optional<Node> retentionNode = o.node("retention");
        Optional<String> retention = retentionNode.isPresent() && retentionNode.get() instanceof Node.Scalar n
                && n.value() instanceof Number ? Optional.empty() : o.string("retention");
        if (retention.isEmpty() && retentionNode.isPresent() && retentionNode.get() instanceof Node.Scalar n
                && n.value() instanceof Number) {
            o.problem("retention", "'" + n.text() + "' has no unit: a retention is a Go duration such as " + n.text()
                    + "h (hours); 720h is 30 days");
        }
        if (retention.isPresent()) {
            String text = retention.get().strip();
            Optional<String> p = GoDuration.problem(text);
            if (p.isPresent()) {
                o.problem("retention", "'" + text + "' " + p.get());
            } else if (GoDuration.nanos(text) <= 0) {
                o.problem("retention", "'" + text + "' keeps nothing: a retention is more than zero, such as 720h (30 days)");
            } else if (GoDuration.nanos(text) < 1_000_000_000L) {
                o.problem("retention", "'" + text + "' is less than a second: a retention is hours, such as 720h (30 days)");
            } else {
                ttl = GoDuration.format(GoDuration.nanos(text));
            }
        }
        String location = o.string("storageLocation").orElse(DiskBackup.DEFAULT_STORAGE_LOCATION);
        if (o.has("storageLocation")) Names.checkDnsSubdomain(location).ifPresent(m -> o.problem("storageLocation", m));
        String namespace = o.string("veleroNamespace").orElse(DiskBackup.DEFAULT_VELERO_NAMESPACE);
        if (o.has("veleroNamespace")) Names.checkDnsLabel(namespace).ifPresent(m -> o.problem("veleroNamespace", m));
        DiskBackup.Mode mode = DiskBackup.Mode.SNAPSHOT;
        Optional<String> modeText = o.string("mode");
        if (modeText.isPresent()) {
            Optional<DiskBackup.Mode> m = java.util.Arrays.stream(DiskBackup.Mode.values())
                    .filter(v -> v.toString().equals(modeText.get())).findFirst();
            if (m.isPresent()) mode = m.get();
            else o.problem("mode", quote(modeText.get()) + " is not a mode: snapshot (volume snapshots) or filesystem"
                    + " (Velero's file-system backup of the data volumes)" + Suggest.didYouMean(modeText.get(),
                    List.of("snapshot", "filesystem")));
        }
        o.rejectUnknownKeys();
        return new DiskBackup(true, schedule, ttl, location, mode, namespace, key, at);
    }

    /**
     * {@code {cpu, memory, storage}}: each a Kubernetes quantity greater than zero, a key left out taking
     * {@code fallback}'s value. An app's limits ({@code group} set) stay within its cluster group's.
     */
    private static VirtualClusterLimits readLimits(ConfigObject o, VirtualClusterLimits fallback, ClusterGroup group) {
        String cpu = limit(o, "cpu", "2 or 1500m", fallback.cpu(), group == null ? null : group.virtualClusters().cpu(), group);
        String memory = limit(o, "memory", "8Gi", fallback.memory(), group == null ? null : group.virtualClusters().memory(), group);
        String storage = limit(o, "storage", "10Gi", fallback.storage(), group == null ? null : group.virtualClusters().storage(), group);
        o.rejectUnknownKeys();
        return new VirtualClusterLimits(cpu, memory, storage, o.path(), o.source());
    }

    private static String limit(ConfigObject o, String key, String example, String fallback, String most, ClusterGroup group) {
        Optional<String> text = o.string(key, true);
        if (text.isEmpty()) return fallback;
        String v = text.get().strip();
        if (v.startsWith("-")) {
            o.problem(key, quote(text.get()) + " is negative: a limit is a quantity greater than zero, such as " + example);
            return fallback;
        }
        if (!Names.isQuantity(v)) {
            o.problem(key, quote(text.get()) + " is not a Kubernetes quantity such as " + example);
            return fallback;
        }
        java.math.BigDecimal amount = Names.amount(v);
        if (amount.signum() == 0) {
            o.problem(key, "is zero: nothing would fit; give a quantity greater than zero, such as " + example);
            return fallback;
        }
        // Layers give storage in GiB (storage: 10), but a quantity without a unit is bytes: catch the slip.
        if (!key.equals("cpu") && amount.compareTo(java.math.BigDecimal.valueOf(1L << 20)) < 0) {
            o.problem(key, v + " is " + amount.stripTrailingZeros().toPlainString() + " bytes, less than 1Mi: a quantity"
                    + " without a unit is bytes" + (v.matches("[0-9]{1,4}") ? " (did you mean " + v + "Gi?)" : ""));
            return fallback;
        }
        if (most != null && amount.compareTo(Names.amount(most)) > 0) {
            o.problem(key, v + " is more than cluster group '" + group.name() + "' allows each virtual cluster (" + most
                    + ", virtualClusters." + key + "); ask for at most that, or raise the group's limit");
            return fallback;
        }
        return v;
    }

    /** {@code sandbox}, or the name of a kubeconfig context; a near miss of the former is a typo, not a context. */
    private static Optional<String> checkCluster(String cluster) {
        if (cluster.isBlank()) return Optional.of("is empty: write sandbox, or the name of a kubeconfig context");
        if (!cluster.equals(ClusterGroup.SANDBOX) && cluster.strip().equalsIgnoreCase(ClusterGroup.SANDBOX)) {
            return Optional.of(quote(cluster) + " is not a cluster: the embedded cluster is written sandbox (lower case,"
                    + " no spaces)");
        }
        if (cluster.startsWith(ClusterGroup.NAMED_SANDBOX)) {
            String name = cluster.substring(ClusterGroup.NAMED_SANDBOX.length());
            Optional<String> bad = Names.checkDnsLabel(name);
            if (bad.isPresent()) {
                return Optional.of(quote(cluster) + ": a further embedded sandbox is written sandbox:<name>, the name a DNS"
                        + " label (kept in .dbstack/sandbox-<name>): " + bad.get());
            }
            return Optional.empty();
        }
        if (cluster.chars().anyMatch(ch -> Character.isWhitespace(ch) || Character.isISOControl(ch))) {
            return Optional.of(quote(cluster) + " is not a kubeconfig context name: it has whitespace or control characters");
        }
        return Optional.empty();
    }

    // ---- profiles ----------------------------------------------------------------------------

    private List<AppProfile> readProfiles(Node node, Problems problems, String file, boolean required) {
        List<AppProfile> profiles = new ArrayList<>();
        if (node == null && !required) return profiles;
        if (node == null) {
            problems.add(new SourceRef(file, 0), "config." + PROFILES, "missing: declare at least one app profile (here, or"
                    + " in Pulumi.yaml's config: to share it with every stack)");
            return profiles;
        }
        for (ConfigObject o : items(node, "config." + PROFILES, problems)) {
            String name = o.requiredString("name", "the profile's name").orElse(null);
            String version = o.string("version", true).orElse("1.0.0");
            List<Node> layerNodes = o.list("layers");
            if (!o.has("layers") || layerNodes.isEmpty()) o.problem("layers", "a profile needs at least one service layer");
            o.rejectUnknownKeys();
            if (name != null) Names.checkDnsLabel(name).ifPresent(m -> o.problem("name", m));
            if (!Names.isSemver(version)) {
                o.problem("version", quote(version) + " is not a semantic version such as 1.0.0");
            }
            List<ServiceLayer> layers = new ArrayList<>();
            Map<String, SourceRef> seen = new HashMap<>();
            for (int i = 0; i < layerNodes.size(); i++) {
                String layerPath = o.path("layers") + "[" + label(layerNodes.get(i), i) + "]";
                ConfigObject lo = ConfigObject.of(layerNodes.get(i), layerPath, problems);
                ServiceLayer layer = readLayer(lo, i);
                if (layer == null) continue;
                SourceRef first = seen.putIfAbsent(layer.name(), layer.source());
                if (first != null) {
                    lo.problem("name", "duplicate layer name " + quote(layer.name())
                            + (first.line() > 0 ? " (first at line " + first.line() + ")" : "")
                            + "; layer names must be unique within a profile");
                    continue;
                }
                layers.add(layer);
            }
            checkRenames(o, layers);
            if (name == null) continue;
            if (profiles.stream().anyMatch(p -> p.name().equals(name) && p.version().equals(version))) {
                o.problem("version", "profile " + name + "@" + version + " is declared twice; give the new one a new version");
                continue;
            }
            profiles.add(new AppProfile(name, version, List.copyOf(layers), o.source()));
        }
        return profiles;
    }

    /** Each name a profile's data lives under belongs to one layer only. */
    private static void checkRenames(ConfigObject profile, List<ServiceLayer> layers) {
        Map<String, String> owners = new HashMap<>();
        for (ServiceLayer l : layers) owners.put(l.name(), l.name());
        for (ServiceLayer l : layers) {
            if (!(l instanceof DatabaseLayer db) || db.renamedFrom() == null) continue;
            String owner = owners.putIfAbsent(db.renamedFrom(), db.name());
            if (owner != null) {
                profile.problems().add(db.source(), profile.path("layers") + "[" + db.name() + "].renamedFrom",
                        quote(db.renamedFrom()) + " is already " + (owner.equals(db.renamedFrom())
                                ? "a layer of this profile" : "the earlier name of layer " + owner)
                                + "; one layer's data cannot become two layers");
            }
        }
    }

    private ServiceLayer readLayer(ConfigObject o, int index) {
        Optional<String> name = o.requiredString("name", "the layer's name, e.g. postgresql-1");
        Optional<String> type = o.requiredString("type", "a catalog type, 'container' or 'manifest'");
        List<String> dependsOn = o.stringList("dependsOn");
        List<Patch> patches = ManifestReader.readPatches(o);
        name.ifPresent(n -> Names.checkLayerName(n).ifPresent(m -> o.problem("name", m)));
        if (type.isPresent() && type.get().equals(ManifestLayer.TYPE)) {
            Path stackDir = project.dir().resolve(o.source().file().isEmpty() ? "." : o.source().file()).getParent();
            return ManifestReader.read(o, name.orElse(null), dependsOn, index, patches, project,
                    stackDir != null ? stackDir : project.stackConfigDir(), !secureValuesArePlaintext);
        }
        Resources resources = readResources(o);
        if (type.isEmpty()) return null; // which other keys are allowed depends on the type
        if (type.get().equals(ContainerLayer.TYPE)) {
            return readContainer(o, name.orElse(null), dependsOn, resources, index, patches);
        }
        Optional<Component> component = catalog.find(type.get());
        if (component.isEmpty()) {
            List<String> known = new ArrayList<>(catalog.types());
            known.add(ContainerLayer.TYPE);
            known.add(ManifestLayer.TYPE);
            o.problem("type", "unknown service type " + quote(type.get()) + Suggest.didYouMean(type.get(), known)
                    + " (known types: " + String.join(", ", known) + ")");
            return null; // its other keys depend on the type, so they cannot be checked
        }
        return readDatabase(o, component.get(), name.orElse(null), dependsOn, resources, index, patches);
    }

    private DatabaseLayer readDatabase(ConfigObject o, Component type, String name, List<String> dependsOn,
                                       Resources resources, int index, List<Patch> patches) {
        Component engine = type;
        if (!type.engines().isEmpty()) {
            String wanted = o.string("engine").orElse(type.engine());
            Optional<Component> found = catalog.find(type.type(), wanted);
            if (found.isPresent()) {
                engine = found.get();
            } else {
                o.problem("engine", "unknown engine " + quote(wanted) + " of " + type.title() + Suggest.didYouMean(wanted,
                        type.engines()) + " (engines: " + String.join(", ", type.engines()) + ")");
            }
        }
        String version = o.string("version", true).orElse(engine.defaultVersion());
        Component c = catalog.resolve(engine.type(), engine.engine(), version);
        Long storage = readStorage(o, "storage");
        String storageClass = storageClass(o);
        long replicas = o.integer("replicas", 1, c.maxReplicas(), c.maxReplicas() == 1
                ? c.title() + " runs as a single server in dbstack" + replicatingEngines(type) + "; replicas" : "replicas")
                .orElse(1L);
        String renamedFrom = o.string("renamedFrom").orElse(null);
        if (renamedFrom != null) {
            Names.checkLayerName(renamedFrom).ifPresent(m -> o.problem("renamedFrom", m));
            if (renamedFrom.equals(name)) o.problem("renamedFrom", "names the layer itself; leave it out");
        }
        String group = o.string("group").orElse(null);
        if (group != null) {
            Optional<String> notALabel = Names.checkDnsLabel(group);
            if (notALabel.isPresent()) {
                o.problem("group", notALabel.get().replace("Kubernetes name", "database group name")
                        + "; the group names the Service " + c.type() + "-<group>");
                group = null;
            } else if (c.type().length() + 1 + group.length() > 63) {
                o.problem("group", "group " + quote(group) + " is too long: the Service " + c.type() + "-" + group
                        + " must be at most 63 characters");
                group = null;
            }
        }
        boolean primary = o.bool("primary").orElse(false);
        Deployment deployment = readDeployment(o, c, replicas);
        Map<String, String> parameters = parameters(o, c);
        Map<String, String> settings = new TreeMap<>();
        for (Map.Entry<String, Component.Setting> s : c.settings().entrySet()) {
            String value = o.scalar(s.getKey()).orElse(s.getValue().defaultValue());
            String pattern = s.getValue().pattern();
            if (value != null && pattern != null && !value.matches(pattern)) {
                o.problem(s.getKey(), quote(value) + " is not a valid " + s.getKey() + " for " + c.title()
                        + " (must match " + pattern + ")");
            }
            if (value != null) settings.put(s.getKey(), value);
        }
        Map<String, SecretValue> credentials = new TreeMap<>();
        for (String credential : c.credentials().keySet()) {
            o.node(credential).ifPresent(n -> {
                if (ConfigObject.secure(n).isPresent()) secure(o, credential, n).ifPresent(v -> credentials.put(credential, v));
                else o.problem(credential, "must be a secret: set it with `pulumi config set --secret` so the stack"
                        + " file holds {secure: ...}, or leave it out and dbstack generates one");
            });
        }
        o.rejectUnknownKeys();
        Optional<String> notAVersion = Names.checkVersion(version);
        notAVersion.ifPresent(m -> o.problem("version", m));
        if (notAVersion.isEmpty() && c.familyOf(version).isEmpty()) {
            o.problem("version", "version " + quote(version) + " of " + c.title() + (c.engine() == null ? ""
                    : " (engine " + c.engine() + ")") + " is not supported (supported: " + String.join(", ", c.versions()) + ")");
        }
        boolean external = deployment != null ? deployment.isExternal() : o.node("deployment")
                .filter(n -> n instanceof Node.Scalar sc && Deployment.Type.EXTERNAL.toString().equals(sc.value())).isPresent()
                && c.hasServer();
        if (external) {
            for (String key : List.of("storage", "storageClass")) {
                if (o.has(key)) o.problem(key, "an external database keeps its data on its own server; leave " + key + " out");
            }
            if (o.has("parameters")) {
                o.problem("parameters", "an external database's server is configured where it runs, not by dbstack; leave"
                        + " parameters out");
            }
            // What the outputs hand consumers (a password; not RabbitMQ's Erlang cookie, the servers' own affair).
            List<String> missing = c.credentials().keySet().stream()
                    .filter(k -> c.outputs().stream().anyMatch(out -> out.value().contains("credentials." + k)))
                    .filter(k -> !credentials.containsKey(k) && !o.has(k)).toList();
            if (!missing.isEmpty()) {
                o.problem("external", "an external " + c.title() + " needs its credentials from secure: config, and "
                        + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing: set "
                        + (missing.size() == 1 ? "it" : "each") + " with `pulumi config set --secret --path` so the layer"
                        + " holds " + missing.stream().map(k -> k + ": {secure: ...}").collect(Collectors.joining(", ")));
            }
        } else if (!o.has("storage")) {
            o.problem("storage", "missing required key (storage in GiB for the data volume, e.g. storage: 10)");
        }
        if (name == null || deployment == null || (storage == null && !external)) return null;
        return new DatabaseLayer(name, c.type(), c.engine(), version, external ? 0 : storage.intValue(),
                external ? null : storageClass, (int) replicas, Map.copyOf(settings), Map.copyOf(credentials), resources,
                List.copyOf(dependsOn), renamedFrom != null && !renamedFrom.equals(name) ? renamedFrom : null, group, primary,
                deployment, parameters, index, o.source(), patches);
    }

    /** For an engine of one server: the type's engines that have replicas, if any (MariaDB beside MySQL). */
    private String replicatingEngines(Component type) {
        List<String> engines = type.engines().stream()
                .filter(e -> catalog.find(type.type(), e).map(x -> x.maxReplicas() > 1).orElse(false)).toList();
        return engines.isEmpty() ? "" : " (replicas need engine " + String.join(" or ", engines) + ")";
    }

    /**
     * {@code deployment: dedicated | local | external} (dedicated when left out) and, for external, {@code external:
     * {host, port, check}}; null when it is wrong (the problem is reported).
     */
    private static Deployment readDeployment(ConfigObject o, Component c, long replicas) {
        String text = o.string("deployment").orElse(Deployment.Type.DEDICATED.toString());
        List<String> names = java.util.Arrays.stream(Deployment.Type.values()).map(Deployment.Type::toString).toList();
        Deployment.Type type = java.util.Arrays.stream(Deployment.Type.values()).filter(t -> t.toString().equals(text))
                .findFirst().orElse(null);
        Optional<ConfigObject> external = o.object("external");
        if (type == null) {
            o.problem("deployment", quote(text) + " is not a deployment type: dedicated (the default: its own pods),"
                    + " local (one pod next to the app's, for development) or external (a server dbstack does not run)"
                    + Suggest.didYouMean(text, names));
            external.ifPresent(ConfigObject::entries);
            return null;
        }
        if (type != Deployment.Type.EXTERNAL) {
            if (external.isPresent()) {
                o.problem("external", "applies to deployment: external only (this layer is " + type + ")");
                external.get().entries();
            }
            if (type == Deployment.Type.LOCAL && replicas > 1) {
                o.problem("replicas", "a local database is one pod next to the app's pods: replicas " + replicas
                        + " needs deployment: dedicated");
                return null;
            }
            return type == Deployment.Type.LOCAL ? Deployment.LOCAL : Deployment.DEDICATED;
        }
        if (!c.hasServer()) {
            o.problem("deployment", c.title() + " has no server to connect to (its data is a file its consumers mount):"
                    + " it cannot be external");
            return null;
        }
        if (replicas > 1) {
            o.problem("replicas", "an external database's servers are not dbstack's to scale; leave replicas out");
        }
        if (external.isEmpty()) {
            o.problem("external", "missing: deployment: external needs external: {host: <IP address or DNS name>, port: "
                    + c.port().number() + "}");
            return null;
        }
        ConfigObject e = external.get();
        Optional<String> host = e.requiredString("host", "the external server's IP address or DNS name");
        long port = e.integer("port", 1, 65535, "port").orElse((long) c.port().number());
        boolean check = e.bool("check").orElse(true);
        e.rejectUnknownKeys();
        Optional<String> bad = host.flatMap(Names::checkHost);
        bad.ifPresent(m -> e.problem("host", m));
        if (host.isEmpty() || bad.isPresent()) return null;
        return Deployment.external(Names.normalHost(host.get()), (int) port, check);
    }

    /**
     * {@code parameters:}, each checked against the type's list ({@link ParameterValues}): an unknown name, or a value
     * of the wrong type, unit or range, is a problem at its own key.
     */
    private static Map<String, String> parameters(ConfigObject o, Component c) {
        Map<String, String> out = new TreeMap<>();
        Optional<Node> node = o.node("parameters");
        if (node.isEmpty()) return out;
        ConfigObject p = ConfigObject.of(node.get(), o.path("parameters"), o.problems());
        if (!(node.get() instanceof Node.Mapping)) return out;
        Component.Parameters accepted = c.parameters();
        for (Map.Entry<String, Node> e : p.entries().entrySet()) {
            Component.Parameter spec = accepted.accepts().get(e.getKey());
            if (spec == null) {
                p.problem(e.getKey(), ParameterValues.unknown(e.getKey(), c.title()
                        + (c.engine() != null && !c.engine().equals(c.type()) ? " (engine " + c.engine() + ")" : ""), accepted));
                if (!accepted.any()) break;
                continue;
            }
            ParameterValues.Checked checked = ParameterValues.check(e.getKey(), spec, e.getValue());
            if (checked.problem() != null) p.problem(e.getKey(), checked.problem());
            else out.put(e.getKey(), checked.value());
        }
        return out;
    }

    private ContainerLayer readContainer(ConfigObject o, String name, List<String> dependsOn, Resources resources,
                                         int index, List<Patch> patches) {
        Optional<String> image = o.requiredString("image", "the container image, e.g. ghcr.io/acme/api:1.2.3");
        image.flatMap(Names::checkImage).ifPresent(m -> o.problem("image", m));
        long replicas = o.integer("replicas", 1, ContainerLayer.MAX_REPLICAS, "replicas").orElse(1L);
        List<ContainerLayer.Port> ports = readPorts(o);
        List<EnvVar> env = readEnv(o);
        List<ContainerLayer.Argument> command = readArguments(o, "command");
        List<ContainerLayer.Argument> args = readArguments(o, "args");
        List<String> autoEnv = readAutoEnv(o);
        ContainerLayer.Volume volume = o.object("volume").map(v -> {
            Long size = readStorage(v, "size");
            Optional<String> mount = v.requiredString("mountPath", "where the volume is mounted, e.g. /data");
            String storageClass = storageClass(v);
            v.rejectUnknownKeys();
            mount.flatMap(StackLoader::checkMountPath).ifPresent(m -> v.problem("mountPath", m));
            if (!v.has("size")) v.problem("size", "missing required key (volume size in GiB)");
            return size == null || mount.isEmpty() ? null
                    : new ContainerLayer.Volume(size.intValue(), mount.get(), storageClass);
        }).orElse(null);
        o.rejectUnknownKeys();
        if (name == null || image.isEmpty() || image.flatMap(Names::checkImage).isPresent()) return null;
        return new ContainerLayer(name, image.get(), (int) replicas, List.copyOf(ports), List.copyOf(env),
                List.copyOf(command), List.copyOf(args), volume, resources, List.copyOf(dependsOn), autoEnv, index,
                o.source(), patches);
    }

    /**
     * {@code autoEnv:} true (the default: every database layer below), false (none) or a list of database layers;
     * null stands for every one. Which layers a list may name is the graph's to check (it knows the profile).
     */
    private static List<String> readAutoEnv(ConfigObject o) {
        Optional<Node> n = o.node("autoEnv");
        if (n.isEmpty()) return null;
        if (n.get() instanceof Node.Scalar s && s.value() instanceof Boolean b) return b ? null : List.of();
        if (n.get() instanceof Node.Sequence) {
            List<String> layers = o.stringList("autoEnv");
            Set<String> seen = new java.util.HashSet<>();
            for (String l : layers) {
                if (!seen.add(l)) o.problem("autoEnv", "names layer " + quote(l) + " twice");
            }
            return List.copyOf(layers);
        }
        o.problem("autoEnv", "expected true, false or a list of database layers, got " + n.get().kindName()
                + ConfigObject.describe(n.get()));
        return null;
    }

    /** The largest volume dbstack asks for, in GiB (64 TiB, beyond any single disk a cloud offers). */
    static final long MAX_STORAGE_GIB = 65536;

    /** A size in whole GiB, greater than zero. */
    private static Long readStorage(ConfigObject o, String key) {
        return o.integer(key, 1, MAX_STORAGE_GIB, key + " in GiB").orElse(null);
    }

    /** An absolute path without backsteps or control characters, as Kubernetes mounts it. */
    private static Optional<String> checkMountPath(String path) {
        if (!path.startsWith("/")) return Optional.of("must be an absolute path, e.g. /data");
        if (path.chars().anyMatch(Character::isISOControl)) return Optional.of("contains control characters");
        if (List.of(path.split("/")).contains("..")) return Optional.of(quote(path) + " must not contain '..'");
        return Optional.empty();
    }

    /** A storage class names a Kubernetes object, so it is a DNS subdomain. */
    private static String storageClass(ConfigObject o) {
        Optional<String> name = o.string("storageClass");
        name.flatMap(Names::checkDnsSubdomain).ifPresent(m -> o.problem("storageClass", m));
        return name.filter(n -> Names.checkDnsSubdomain(n).isEmpty()).orElse(null);
    }

    private static Resources readResources(ConfigObject o) {
        return o.object("resources").map(r -> {
            Optional<String> cpu = r.string("cpu", true);
            Optional<String> memory = r.string("memory", true);
            r.rejectUnknownKeys();
            cpu.filter(v -> !Names.isQuantity(v)).ifPresent(v -> r.problem("cpu", quote(v) + " is not a quantity such as 250m or 2"));
            memory.filter(v -> !Names.isQuantity(v)).ifPresent(v -> r.problem("memory", quote(v) + " is not a quantity such as 512Mi"));
            return new Resources(cpu.orElse(null), memory.orElse(null));
        }).orElse(Resources.DEFAULT);
    }

    /**
     * {@code ports: [8080]} or {@code ports: [{name: http, port: 8080}]}. Each number and each name
     * (given, or the default: http for the first, port-N after) appears once: the Service maps ports by name.
     */
    private static List<ContainerLayer.Port> readPorts(ConfigObject o) {
        List<ContainerLayer.Port> ports = new ArrayList<>();
        Map<Long, String> numbers = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        List<Node> items = o.list("ports");
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = o.path("ports") + "[" + i + "]";
            Optional<Long> number;
            String name;
            if (item instanceof Node.Scalar) {
                number = ConfigObject.wholeNumber(item, path, 1, 65535, "a port", o.problems());
                name = null;
            } else {
                ConfigObject p = ConfigObject.of(item, path, o.problems());
                number = p.integer("port", 1, 65535, "port");
                name = p.string("name").orElse(null);
                if (!p.has("port")) p.problem("port", "missing required key (the container port)");
                p.rejectUnknownKeys();
                if (name != null && Names.checkPortName(name).isPresent()) {
                    p.problem("name", Names.checkPortName(name).get());
                    continue;
                }
            }
            if (number.isEmpty()) continue;
            String portName = name != null ? name : (i == 0 ? "http" : "port-" + number.get());
            String label = "ports[" + i + "]";
            String sameNumber = numbers.putIfAbsent(number.get(), label);
            String sameName = names.putIfAbsent(portName, label);
            if (sameNumber != null) {
                o.problems().add(item.source(), path, "port " + number.get() + " is already listed as " + sameNumber);
            } else if (sameName != null) {
                o.problems().add(item.source(), path, "port name '" + portName + "'" + (name == null ? " (the default name"
                        + " of this port)" : "") + " is already used by " + sameName + "; give each port its own name");
            } else {
                ports.add(new ContainerLayer.Port(portName, number.get().intValue()));
            }
        }
        return ports;
    }

    /** {@code command} or {@code args}: strings (or numbers, as written) that may consume output variables. */
    private static List<ContainerLayer.Argument> readArguments(ConfigObject o, String key) {
        List<ContainerLayer.Argument> out = new ArrayList<>();
        List<Node> items = o.list(key);
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            o.asTemplate(item, o.path(key) + "[" + i + "]", false)
                    .ifPresent(t -> out.add(new ContainerLayer.Argument(t, item.source())));
        }
        return out;
    }

    /** {@code env: {NAME: value}}; values are templates or {@code {secure: ...}}. */
    private List<EnvVar> readEnv(ConfigObject o) {
        List<EnvVar> env = new ArrayList<>();
        o.object("env").ifPresent(e -> {
            for (Map.Entry<String, Node> entry : e.entries().entrySet()) {
                String key = entry.getKey();
                SourceRef at = e.source(key);
                Names.checkEnvName(key).ifPresent(m -> e.problem(key, m));
                if (ConfigObject.secure(entry.getValue()).isPresent()) {
                    secure(e, key, entry.getValue()).ifPresent(v -> env.add(EnvVar.secret(key, v, at)));
                    continue;
                }
                // Environment values are strings to Kubernetes; take `true` or `8080` as written.
                e.asTemplate(entry.getValue(), e.path(key), true).ifPresent(t -> env.add(EnvVar.of(key, t, at)));
            }
        });
        return env;
    }

    // ---- app deployments ---------------------------------------------------------------------

    /** A type meant for development only (SQLite) has no place in a cluster group marked {@code production: true}. */
    private void refuseDevelopmentOnly(AppProfile profile, String app, ClusterGroup group, Problems problems) {
        if (!group.production()) return;
        for (ServiceLayer layer : profile.layers()) {
            if (!(layer instanceof DatabaseLayer db)) continue;
            if (db.deployment().type() == Deployment.Type.LOCAL) {
                problems.add(db.source(), "config." + PROFILES + "[" + profile.name() + "].layers[" + db.name()
                        + "].deployment", "a local database is for development only, and app '" + app + "' runs in cluster"
                        + " group '" + group.name() + "', which is marked production: true; use deployment: dedicated"
                        + " (or external) there");
            }
            Component c = catalog.resolve(db.type(), db.engine(), db.version());
            if (!c.developmentOnly()) continue;
            problems.add(db.source(), "config." + PROFILES + "[" + profile.name() + "].layers[" + db.name() + "].type",
                    c.title() + " is for development only, and app '" + app + "' runs in cluster group '" + group.name()
                    + "', which is marked production: true; use a database server type there (known types: "
                    + catalog.types().stream().filter(t -> !catalog.get(t).developmentOnly()).collect(Collectors.joining(", "))
                    + ")");
        }
    }

    private List<AppDeployment> readApps(Node node, List<ClusterGroup> groups, List<AppProfile> profiles,
                                         Problems problems, String file) {
        List<AppDeployment> apps = new ArrayList<>();
        if (node == null) {
            problems.add(new SourceRef(file, 0), "config." + APPS, "missing: declare at least one app deployment");
            return apps;
        }
        Map<String, String> namespaceOwners = new HashMap<>();
        for (ConfigObject o : items(node, "config." + APPS, problems)) {
            Optional<String> name = o.requiredString("name", "the app deployment's name");
            Optional<String> profileRef = o.requiredString("profile", "profile@version");
            Optional<String> group = o.string("clusterGroup");
            Optional<String> vcluster = o.string("virtualCluster");
            Optional<ConfigObject> ownLimits = o.object("limits");
            o.rejectUnknownKeys();
            name.ifPresent(n -> Names.checkDnsLabel(n).ifPresent(m -> o.problem("name", m)));
            vcluster.ifPresent(n -> Names.checkDnsLabel(n).ifPresent(m -> o.problem("virtualCluster", m)));
            if (name.isEmpty() || profileRef.isEmpty()) continue;
            if (apps.stream().anyMatch(a -> a.name().equals(name.get()))) {
                o.problem("name", "app deployment " + quote(name.get()) + " is declared twice");
                continue;
            }
            Optional<AppProfile> profile = resolveProfile(o, profileRef.get(), profiles);
            String groupName = group.orElseGet(() -> {
                if (groups.size() == 1) return groups.get(0).name();
                o.problem("clusterGroup", "missing: with " + groups.size() + " cluster groups, say which one ("
                        + groups.stream().map(ClusterGroup::name).collect(Collectors.joining(", ")) + ")");
                return null;
            });
            if (groupName != null && groups.stream().noneMatch(g -> g.name().equals(groupName))) {
                List<String> names = groups.stream().map(ClusterGroup::name).toList();
                o.problem("clusterGroup", "unknown cluster group " + quote(groupName) + Suggest.didYouMean(groupName, names)
                        + " (cluster groups: " + String.join(", ", names) + ")");
                continue;
            }
            if (groupName == null) continue;
            String namespace = vcluster.orElse(name.get());
            // Unique in the whole stack, not only per cluster: state, plans and ObjectRef name an object by
            // apiVersion/kind/namespace/name without its cluster, so two apps in one namespace of two clusters
            // would be one object to the engine.
            String cluster = groups.stream().filter(g -> g.name().equals(groupName)).findFirst().orElseThrow().cluster();
            String owner = namespaceOwners.putIfAbsent(namespace, name.get());
            if (owner != null) {
                String ownerCluster = apps.stream().filter(a -> a.name().equals(owner)).findFirst()
                        .flatMap(a -> groups.stream().filter(g -> g.name().equals(a.clusterGroup())).findFirst())
                        .map(ClusterGroup::cluster).orElse(cluster);
                o.problem(vcluster.isPresent() ? "virtualCluster" : "name", "namespace " + quote(namespace)
                        + (ownerCluster.equals(cluster) ? " of cluster " + quote(cluster) + " already holds app '" + owner + "'"
                        : " is already app '" + owner + "''s (on cluster " + quote(ownerCluster) + "); dbstack names objects by"
                        + " namespace and name whatever their cluster, so a namespace is unique in the whole stack")
                        + "; each app deployment needs its own (set virtualCluster: to give it another)");
                continue;
            }
            if (profile.isEmpty()) continue;
            ClusterGroup clusterGroup = groups.stream().filter(g -> g.name().equals(groupName)).findFirst().orElseThrow();
            refuseDevelopmentOnly(profile.get(), name.get(), clusterGroup, problems);
            VirtualClusterLimits limits = ownLimits.map(l -> readLimits(l, clusterGroup.virtualClusters(), clusterGroup))
                    .orElse(clusterGroup.virtualClusters());
            apps.add(new AppDeployment(name.get(), profile.get().name(), profile.get().version(), groupName, namespace,
                    limits, o.source()));
        }
        return apps;
    }

    /** {@code shop@1.2.0}, or {@code shop} when exactly one version of it exists. */
    private static Optional<AppProfile> resolveProfile(ConfigObject o, String ref, List<AppProfile> profiles) {
        String name = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
        String version = ref.contains("@") ? ref.substring(ref.indexOf('@') + 1) : null;
        List<AppProfile> named = profiles.stream().filter(p -> p.name().equals(name)).toList();
        if (named.isEmpty()) {
            Set<String> names = profiles.stream().map(AppProfile::name).collect(Collectors.toCollection(java.util.TreeSet::new));
            o.problem("profile", "unknown profile " + quote(name) + Suggest.didYouMean(name, names)
                    + (names.isEmpty() ? "" : " (profiles: " + String.join(", ", names) + ")"));
            return Optional.empty();
        }
        String versions = named.stream().map(AppProfile::version).collect(Collectors.joining(", "));
        if (version == null) {
            if (named.size() == 1) return Optional.of(named.get(0));
            o.problem("profile", "profile " + quote(name) + " has versions " + versions + "; name one as " + name + "@<version>");
            return Optional.empty();
        }
        Optional<AppProfile> match = named.stream().filter(p -> p.version().equals(version)).findFirst();
        if (match.isEmpty()) o.problem("profile", "profile " + quote(name) + " has no version " + version + " (versions: " + versions + ")");
        return match;
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** The maps of a list, each with a readable path: {@code dbstack:profiles[shop]}. */
    private static List<ConfigObject> items(Node node, String path, Problems problems) {
        if (!(node instanceof Node.Sequence seq)) {
            problems.add(node.source(), path, "expected a list, got " + node.kindName());
            return List.of();
        }
        List<ConfigObject> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            Node item = seq.items().get(i);
            out.add(ConfigObject.of(item, path + "[" + label(item, i) + "]", problems));
        }
        return out;
    }

    /** An item's name when it has one (and it is not a misplaced output reference), else its index. */
    private static String label(Node item, int index) {
        if (item instanceof Node.Mapping m && m.entries().get("name") instanceof Node.Scalar s
                && s.value() instanceof String n && !n.isBlank() && !n.contains("{{") && !n.contains("}}")) {
            return n;
        }
        return Integer.toString(index);
    }
}
