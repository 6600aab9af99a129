package dev.dbstack.engine;

import dev.dbstack.config.Names;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.ClusterGroup;
import dev.dbstack.model.DiskBackup;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import dev.dbstack.render.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Velero's Backups and Restores of a stack's apps, read and written beside the plan (they are not the stack's
 * objects, and state does not record them): {@code dbstack backups} and {@code dbstack restore}.
 *
 * <p>The Schedules dbstack renders live in the Velero namespace, one per app, labelled
 * {@link Labels#app(String, String)} in their template too, so every Backup Velero makes from one carries
 * {@code dbstack.dev/stack} and {@code dbstack.dev/app}: listing is one LIST of Backups per cluster and Velero
 * namespace by that label. A restore drill maps the app's namespace to a new one; an in-place restore must first
 * delete the app's StatefulSets and their claims, because Velero never overwrites an existing object (nor the data
 * in an existing claim).
 */
public final class Backups {
    /** Velero's namespace when a cluster group names none. */
    public static final String GROUP = "velero.io";
    static final ResourceDefinitionContext BACKUP = context("Backup", "backups");
    static final ResourceDefinitionContext RESTORE = context("Restore", "restores");
    static final ResourceDefinitionContext SCHEDULE = context("Schedule", "schedules");
    /** Phases after which a Restore changes no more. */
    public static final List<String> TERMINAL = List.of("Completed", "PartiallyFailed", "Failed", "FailedValidation");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final Duration POLL = Duration.ofMillis(250);

    private final Engine engine;
    private final StackModel model;

    public Backups(Engine engine) {
        this.engine = engine;
        this.model = engine.stack().model();
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion("v1").withKind(kind).withPlural(plural)
                .withNamespaced(true).build();
    }

    /**
     * The namespace Velero runs in for {@code app}'s cluster group: where its Schedule, Backups and Restores live.
     * The one place this is decided (a cluster group's {@code diskBackup.veleroNamespace} once the model has it).
     */
    public static String veleroNamespace(StackModel model, AppDeployment app) {
        String ns = model.clusterGroupOf(app).diskBackup().veleroNamespace();
        return ns != null ? ns : DiskBackup.DEFAULT_VELERO_NAMESPACE;
    }

    /** The app deployment named {@code name}, or exit 2 with did-you-mean and the apps there are. */
    public static AppDeployment app(StackModel model, String name, String option) {
        List<String> names = model.apps().stream().map(AppDeployment::name).toList();
        return model.apps().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() ->
                UserInputException.of(SourceRef.UNKNOWN, option, "stack '" + model.stack() + "' has no app deployment "
                        + Suggest.quote(name) + Suggest.didYouMean(name, names) + " (its apps: " + String.join(", ", names) + ")"));
    }

    // ---- listing -------------------------------------------------------------------------------

    /** One Velero Backup as {@code dbstack backups} shows it; times as Velero wrote them (RFC 3339), null when unset. */
    public record Backup(String name, String app, String phase, String started, String completed, String expires, int errors,
                         int warnings, String failureReason, List<String> validationErrors, List<String> includedNamespaces,
                         Map<String, String> labels) {
        static Backup of(GenericKubernetesResource r) {
            Map<String, Object> status = map(r.getAdditionalProperties().get("status"));
            Map<String, Object> spec = map(r.getAdditionalProperties().get("spec"));
            Map<String, String> labels = r.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(r.getMetadata().getLabels());
            return new Backup(r.getMetadata().getName(), labels.get(Labels.APP), text(status.get("phase")),
                    text(status.get("startTimestamp")), text(status.get("completionTimestamp")), text(status.get("expiration")),
                    number(status.get("errors")), number(status.get("warnings")), text(status.get("failureReason")),
                    strings(status.get("validationErrors")), strings(spec.get("includedNamespaces")), labels);
        }

        /** The phase, or New for a Backup Velero has not looked at yet. */
        public String phaseOrNew() {
            return phase == null || phase.isEmpty() ? "New" : phase;
        }

        private Instant sortKey(String created) {
            String at = started != null ? started : created;
            try {
                return at == null ? Instant.EPOCH : Instant.parse(at);
            } catch (java.time.format.DateTimeParseException e) {
                return Instant.EPOCH;
            }
        }
    }

    /**
     * The Backups of one app deployment, newest first.
     *
     * @param diskBackup whether its cluster group backs up disks (schedules Backups)
     */
    public record AppBackups(AppDeployment app, ClusterGroup group, String veleroNamespace, List<Backup> backups) {
        public boolean diskBackup() {
            return group.diskBackup().enabled();
        }
    }

    /**
     * The Backups of the stack's apps (or only {@code onlyApp}): one LIST per cluster and Velero namespace, by the
     * stack's label (and the app's, for one app). Velero not installed on a cluster is exit 2.
     */
    public List<AppBackups> list(String onlyApp) {
        List<AppDeployment> apps = onlyApp == null ? model.apps() : List.of(app(model, onlyApp, "--app"));
        // Apps sharing a cluster and a Velero namespace are read with one LIST.
        Map<KubernetesClient, Map<String, List<AppDeployment>>> byCluster = new IdentityHashMap<>();
        for (AppDeployment a : apps) {
            byCluster.computeIfAbsent(engine.clusterOf(a), c -> new LinkedHashMap<>())
                    .computeIfAbsent(veleroNamespace(model, a), ns -> new ArrayList<>()).add(a);
        }
        Map<String, List<Backup>> found = new LinkedHashMap<>();
        for (var cluster : byCluster.entrySet()) {
            for (var ns : cluster.getValue().entrySet()) {
                AppDeployment first = ns.getValue().get(0);
                var backups = cluster.getKey().genericKubernetesResources(BACKUP).inNamespace(ns.getKey())
                        .withLabel(Labels.STACK, model.stack());
                if (onlyApp != null) backups = backups.withLabel(Labels.APP, onlyApp);
                List<GenericKubernetesResource> items;
                try {
                    items = backups.list().getItems();
                } catch (KubernetesClientException e) {
                    throw notInstalled(e, first);
                }
                List<Backup> all = new ArrayList<>();
                for (GenericKubernetesResource r : items) {
                    Backup b = Backup.of(r);
                    if (b.app() != null) all.add(b);
                }
                Map<String, String> created = new LinkedHashMap<>();
                items.forEach(r -> created.put(r.getMetadata().getName(), r.getMetadata().getCreationTimestamp()));
                all.sort(Comparator.comparing((Backup b) -> b.sortKey(created.get(b.name()))).reversed()
                        .thenComparing(Backup::name, Comparator.reverseOrder()));
                for (Backup b : all) found.computeIfAbsent(ns.getKey() + "/" + b.app(), k -> new ArrayList<>()).add(b);
            }
        }
        List<AppBackups> out = new ArrayList<>();
        for (AppDeployment a : apps) {
            String ns = veleroNamespace(model, a);
            out.add(new AppBackups(a, model.clusterGroupOf(a), ns, List.copyOf(found.getOrDefault(ns + "/" + a.name(), List.of()))));
        }
        return out;
    }

    /**
     * A failed request for a Velero kind: Velero not installed (no CRD: the API answers 404 for the collection, or
     * fabric8 finds no such kind) is exit 2; anything else is the fault it is.
     */
    private RuntimeException notInstalled(KubernetesClientException e, AppDeployment app) {
        boolean missing = e.getCode() == 404 || e.getMessage() != null && e.getMessage().contains("Could not find the metadata");
        if (!missing) return e;
        ClusterGroup g = model.clusterGroupOf(app);
        return UserInputException.of(SourceRef.UNKNOWN, "", "Velero is not installed on cluster '" + g.cluster() + "' (cluster group '"
                + g.name() + "': the API serves no velero.io/v1 Backup); set diskBackup on a cluster group and install Velero"
                + " (https://velero.io/docs/main/basic-install/)");
    }

    // ---- a backup now --------------------------------------------------------------------------

    /**
     * Starts a Backup of {@code app} now from its Schedule, as {@code velero backup create --from-schedule} does: the
     * Schedule's template as the spec, the template's labels (the stack's and the app's) with Velero's
     * {@code velero.io/schedule-name}, named {@code <schedule>-<yyyyMMddHHmmss>} like the Backups Velero schedules.
     * Exit 2 when the app's cluster group does not back up, or its Schedule is not applied yet. Returns its name.
     */
    public String backupNow(AppDeployment app) {
        ClusterGroup group = model.clusterGroupOf(app);
        if (!group.diskBackup().enabled()) {
            throw UserInputException.of(group.diskBackup().source(), group.diskBackup().key(), "app '" + app.name()
                    + "' is in cluster group '" + group.name() + "', which does not back up disks (diskBackup: false): turn"
                    + " diskBackup on and run `dbstack up` first, so the app has its Velero Schedule");
        }
        KubernetesClient client = engine.clusterOf(app);
        String ns = veleroNamespace(model, app);
        String scheduleName = app.namespace();
        GenericKubernetesResource schedule;
        try {
            schedule = client.genericKubernetesResources(SCHEDULE).inNamespace(ns).withName(scheduleName).get();
        } catch (KubernetesClientException e) {
            throw notInstalled(e, app);
        }
        if (schedule == null) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--app", "app '" + app.name() + "' has no Velero Schedule " + ns + "/"
                    + scheduleName + " in the cluster yet: run `dbstack up --stack " + model.stack() + "` to apply it first");
        }
        Map<String, Object> template = new LinkedHashMap<>(map(map(schedule.getAdditionalProperties().get("spec")).get("template")));
        Map<String, String> labels = new java.util.TreeMap<>();
        map(map(template.get("metadata")).get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
        labels.put("velero.io/schedule-name", scheduleName);
        String name = scheduleName + "-" + STAMP.format(Instant.now());
        GenericKubernetesResource backup = new GenericKubernetesResource();
        backup.setApiVersion(GROUP + "/v1");
        backup.setKind("Backup");
        backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(labels).build());
        backup.setAdditionalProperty("spec", template);
        try {
            client.genericKubernetesResources(BACKUP).inNamespace(ns).resource(backup).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw UserInputException.of(SourceRef.UNKNOWN, "--app", "Backup " + ns + "/" + name + " exists already (one"
                        + " started this second): see `dbstack backups --app " + app.name() + "`");
            }
            throw e;
        }
        return name;
    }

    /**
     * Waits for the Backup {@code name} of {@code app} to reach a terminal phase, telling {@code progress} each change
     * of phase; after {@code timeout}, returns what it last read (not terminal). The Backup itself goes on.
     */
    public Backup awaitBackup(AppDeployment app, String name, Duration timeout, Consumer<Backup> progress) {
        var resource = engine.clusterOf(app).genericKubernetesResources(BACKUP).inNamespace(veleroNamespace(model, app)).withName(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        String phase = null;
        while (true) {
            GenericKubernetesResource r = resource.get();
            if (r == null) throw new WaitFailed("Backup " + name + " was deleted while dbstack waited for it");
            Backup now = Backup.of(r);
            if (!now.phaseOrNew().equals(phase)) progress.accept(now);
            phase = now.phaseOrNew();
            if (TERMINAL.contains(phase) || System.nanoTime() > deadline) return now;
            sleep();
        }
    }

    // ---- restore -------------------------------------------------------------------------------

    /**
     * A restore the checks let through.
     *
     * @param into      the namespace of a drill; null for an in-place restore
     * @param warnings  what the user should know first (a PartiallyFailed backup)
     * @param statefulSets for in-place: the app's StatefulSets to delete first
     * @param claims    for in-place: their claims (the data) to delete first
     */
    public record Checked(AppDeployment app, Backup backup, String veleroNamespace, String into, List<String> warnings,
                          List<String> statefulSets, List<String> claims) {
        public boolean inPlace() {
            return into == null;
        }
    }

    /**
     * The checks that need no cluster: {@code --into} or {@code --in-place} (one of them), the app named by both, a
     * drill namespace that is a valid name and none of the stack's. Each failure exit 2. Returns the app.
     */
    public static AppDeployment checkRequest(StackModel model, String appName, String into, String inPlace) {
        AppDeployment app = app(model, appName, "--app");
        if (into != null && inPlace != null) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--into", "--into and --in-place exclude each other: --into NAMESPACE"
                    + " restores into a new namespace (a drill that cannot touch the live data), --in-place " + appName
                    + " restores over the app's live data");
        }
        if (into == null && inPlace == null) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--into", "say where to restore: --into NAMESPACE (a new namespace,"
                    + " the restore drill) or --in-place " + appName + " (over the live data, deleting it first)");
        }
        if (inPlace != null && !inPlace.equals(appName)) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--in-place", "names app " + Suggest.quote(inPlace) + " but --app is "
                    + Suggest.quote(appName) + ": an in-place restore deletes the live data of the app it names, so --in-place"
                    + " must repeat the --app name exactly (--in-place " + appName + ")");
        }
        if (into != null) {
            Names.checkDnsLabel(into).ifPresent(m -> {
                throw UserInputException.of(SourceRef.UNKNOWN, "--into", m);
            });
            for (AppDeployment a : model.apps()) {
                if (a.namespace().equals(into)) {
                    throw UserInputException.of(SourceRef.UNKNOWN, "--into", "'" + into + "' is the namespace of app " + a.name()
                            + " of this stack; a drill restores into a new namespace, never over an app's"
                            + (a.name().equals(appName) ? " (to restore over the live data: --in-place " + appName + ")" : ""));
                }
            }
        }
        return app;
    }

    /**
     * The checks against the cluster, nothing written: the Backup exists in the Velero namespace and is this stack's
     * and app's, its phase can be restored, a drill's namespace does not exist yet; for in-place, what must be
     * deleted first. Each failure exit 2.
     */
    public Checked check(AppDeployment app, String backupName, String into) {
        KubernetesClient client = engine.clusterOf(app);
        String veleroNs = veleroNamespace(model, app);
        GenericKubernetesResource found;
        try {
            found = client.genericKubernetesResources(BACKUP).inNamespace(veleroNs).withName(backupName).get();
        } catch (KubernetesClientException e) {
            throw notInstalled(e, app);
        }
        if (found == null) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--backup", "no Backup " + Suggest.quote(backupName) + " in namespace "
                    + veleroNs + "; " + backupsOf(app));
        }
        Backup backup = Backup.of(found);
        if (!model.stack().equals(backup.labels().get(Labels.STACK)) || !app.name().equals(backup.labels().get(Labels.APP))) {
            String owner = backup.labels().containsKey(Labels.APP)
                    ? "of app " + backup.labels().get(Labels.APP) + " of stack " + backup.labels().getOrDefault(Labels.STACK, "?")
                    : "not one of dbstack's (no " + Labels.APP + " label)";
            throw UserInputException.of(SourceRef.UNKNOWN, "--backup", "Backup " + backupName + " is " + owner + ", not of app "
                    + app.name() + " of stack " + model.stack() + "; " + backupsOf(app));
        }
        List<String> warnings = new ArrayList<>();
        switch (backup.phaseOrNew()) {
            case "Completed" -> { }
            case "PartiallyFailed" -> warnings.add("Backup " + backupName + " is PartiallyFailed (" + backup.errors() + " errors, "
                    + backup.warnings() + " warnings" + (backup.failureReason() == null ? "" : ": " + backup.failureReason())
                    + "): some of its objects or volumes may be missing; `velero backup logs " + backupName + "` says which");
            default -> throw UserInputException.of(SourceRef.UNKNOWN, "--backup", "Backup " + backupName + " is "
                    + backup.phaseOrNew() + why(backup) + "; only a Completed (or PartiallyFailed) backup can be restored. "
                    + capitalize(backupsOf(app)));
        }
        List<String> included = backup.includedNamespaces();
        if (!included.isEmpty() && !included.contains("*") && !included.contains(app.namespace())) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--backup", "Backup " + backupName + " does not include namespace "
                    + app.namespace() + " (it includes " + String.join(", ", included) + ")");
        }
        if (into != null) {
            if (client.namespaces().withName(into).get() != null) {
                throw UserInputException.of(SourceRef.UNKNOWN, "--into", "namespace '" + into + "' already exists; a drill restores"
                        + " into a new namespace and never writes into existing objects: choose another name, or delete it"
                        + " first (kubectl delete namespace " + into + ")");
            }
            return new Checked(app, backup, veleroNs, into, warnings, List.of(), List.of());
        }
        List<String> statefulSets = new ArrayList<>();
        List<String> claims = new ArrayList<>();
        List<PersistentVolumeClaim> liveClaims = client.persistentVolumeClaims().inNamespace(app.namespace()).list().getItems();
        for (StatefulSet sts : client.apps().statefulSets().inNamespace(app.namespace()).withLabel(Labels.STACK, model.stack())
                .withLabel(Labels.APP, app.name()).list().getItems()) {
            String name = sts.getMetadata().getName();
            statefulSets.add(name);
            for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
                String prefix = template.getMetadata().getName() + "-" + name + "-";
                for (PersistentVolumeClaim c : liveClaims) {
                    String claim = c.getMetadata().getName();
                    if (claim.startsWith(prefix) && claim.substring(prefix.length()).matches("\\d+")) claims.add(claim);
                }
            }
        }
        statefulSets.sort(null);
        claims.sort(null);
        return new Checked(app, backup, veleroNs, null, warnings, List.copyOf(statefulSets), List.copyOf(claims));
    }

    private static String why(Backup b) {
        if (b.failureReason() != null) return " (" + b.failureReason() + ")";
        if (!b.validationErrors().isEmpty()) return " (" + String.join("; ", b.validationErrors()) + ")";
        return "";
    }

    /** "the backups of app shop: a (Completed), b (Failed)" or that there are none. */
    private String backupsOf(AppDeployment app) {
        List<Backup> backups = list(app.name()).get(0).backups();
        if (backups.isEmpty()) return "app " + app.name() + " has no backups yet (`dbstack backups --app " + app.name() + "`)";
        List<String> shown = backups.stream().limit(10).map(b -> b.name() + " (" + b.phaseOrNew() + ")").toList();
        return "the backups of app " + app.name() + ", newest first: " + String.join(", ", shown)
                + (backups.size() > 10 ? " and " + (backups.size() - 10) + " more" : "");
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * For an in-place restore: deletes the app's StatefulSets (their pods go with them) and their claims, then waits
     * until they are gone (a claim in use stays until its pod is), so that Velero finds nothing to skip.
     */
    public void deleteForInPlace(Checked c, Duration timeout, Consumer<String> progress) {
        KubernetesClient client = engine.clusterOf(c.app());
        String ns = c.app().namespace();
        for (String sts : c.statefulSets()) {
            client.apps().statefulSets().inNamespace(ns).withName(sts).delete();
            progress.accept("deleted StatefulSet " + ns + "/" + sts);
        }
        for (String claim : c.claims()) {
            client.persistentVolumeClaims().inNamespace(ns).withName(claim).delete();
            progress.accept("deleted PersistentVolumeClaim " + ns + "/" + claim);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> left = new ArrayList<>();
            for (String sts : c.statefulSets()) {
                if (client.apps().statefulSets().inNamespace(ns).withName(sts).get() != null) left.add("StatefulSet " + ns + "/" + sts);
            }
            for (var claim : client.persistentVolumeClaims().inNamespace(ns).list().getItems()) {
                if (c.claims().contains(claim.getMetadata().getName())) left.add("PersistentVolumeClaim " + ns + "/" + claim.getMetadata().getName());
            }
            if (left.isEmpty()) return;
            if (System.nanoTime() > deadline) {
                throw new WaitFailed("still not gone after " + timeout.toSeconds() + "s: " + String.join(", ", left)
                        + "; no Restore was created. Once they are gone, run the restore again");
            }
            sleep();
        }
    }

    /** A restore that could not be done or did not complete: exit 1 with the message. */
    public static final class WaitFailed extends RuntimeException {
        public WaitFailed(String message) {
            super(message);
        }
    }

    /**
     * Creates the Velero Restore in the Velero namespace, named {@code <app namespace>-<yyyyMMddHHmmss>} and labelled
     * with the app's labels: the backup, the app's namespace only, its volumes, and for a drill the namespace mapping.
     * Returns its name.
     */
    public String createRestore(Checked c) {
        KubernetesClient client = engine.clusterOf(c.app());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("backupName", c.backup().name());
        spec.put("includedNamespaces", List.of(c.app().namespace()));
        if (c.into() != null) spec.put("namespaceMapping", Map.of(c.app().namespace(), c.into()));
        spec.put("restorePVs", true);
        String base = c.app().namespace() + "-" + STAMP.format(Instant.now());
        if (base.length() > 60) base = base.substring(base.length() - 60).replaceFirst("^[^a-z0-9]+", "");
        for (int attempt = 1; ; attempt++) {
            String name = attempt == 1 ? base : base + "-" + attempt;
            GenericKubernetesResource restore = new GenericKubernetesResource();
            restore.setApiVersion(GROUP + "/v1");
            restore.setKind("Restore");
            restore.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(c.veleroNamespace())
                    .withLabels(Labels.app(model.stack(), c.app().name())).build());
            restore.setAdditionalProperty("spec", spec);
            try {
                client.genericKubernetesResources(RESTORE).inNamespace(c.veleroNamespace()).resource(restore).create();
                return name;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
        }
    }

    /** A Restore as it was last read. */
    public record RestoreStatus(String name, String phase, int itemsRestored, int totalItems, int errors, int warnings,
                                String failureReason, List<String> validationErrors, boolean timedOut) {
        public boolean terminal() {
            return TERMINAL.contains(phase);
        }

        static RestoreStatus of(GenericKubernetesResource r, boolean timedOut) {
            Map<String, Object> status = map(r == null ? null : r.getAdditionalProperties().get("status"));
            Map<String, Object> progress = map(status.get("progress"));
            String phase = text(status.get("phase"));
            return new RestoreStatus(r == null ? null : r.getMetadata().getName(), phase == null ? "New" : phase,
                    number(progress.get("itemsRestored")), number(progress.get("totalItems")), number(status.get("errors")),
                    number(status.get("warnings")), text(status.get("failureReason")), strings(status.get("validationErrors")), timedOut);
        }
    }

    /**
     * Waits for the Restore {@code name} to reach a terminal phase, telling {@code progress} each change of phase or
     * item count; after {@code timeout}, returns what it last read with {@code timedOut}. The Restore itself goes on.
     */
    public RestoreStatus await(Checked c, String name, Duration timeout, Consumer<RestoreStatus> progress) {
        KubernetesClient client = engine.clusterOf(c.app());
        var resource = client.genericKubernetesResources(RESTORE).inNamespace(c.veleroNamespace()).withName(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        RestoreStatus last = null;
        while (true) {
            GenericKubernetesResource r = resource.get();
            if (r == null) throw new WaitFailed("Restore " + c.veleroNamespace() + "/" + name + " was deleted while dbstack waited for it");
            RestoreStatus now = RestoreStatus.of(r, false);
            if (last == null || !Objects.equals(last.phase(), now.phase()) || last.itemsRestored() != now.itemsRestored()
                    || last.totalItems() != now.totalItems()) {
                progress.accept(now);
            }
            last = now;
            if (now.terminal()) return now;
            if (System.nanoTime() > deadline) return RestoreStatus.of(r, true);
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitFailed("interrupted");
        }
    }

    // ---- reading Velero's objects --------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static int number(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }

    private static List<String> strings(Object o) {
        if (!(o instanceof List<?> l)) return List.of();
        return l.stream().map(String::valueOf).toList();
    }
}
