package dev.dbstack.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Velero's server, simulated for the sandbox's {@code velero.io/v1} objects, and only once Velero's
 * CRDs are installed (without them there are no such objects, as on a cluster without Velero):
 * <ul>
 *   <li>a Backup goes New → InProgress → Completed, one write each (watches see every phase), with
 *       {@code startTimestamp}, {@code expiration} (creation + {@code spec.ttl}, Velero's default 720h)
 *       and {@code completionTimestamp}; like Velero it writes the defaults it applies into the spec
 *       ({@code ttl}, {@code storageLocation}) and labels the Backup {@code velero.io/storage-location}.
 *       A storage location that does not exist, or a ttl that is no Go duration, ends in FailedValidation.
 *       When it completes, the objects it covers are captured, as Velero uploads them to object storage: every
 *       namespaced object of its {@code includedNamespaces} (all namespaces when none are named) that its
 *       {@code labelSelector}'s {@code matchLabels} select (its {@code matchExpressions} and resource filters
 *       are not simulated), and those namespaces themselves; except Pods a controller owns (their
 *       controller makes them again, and the sandbox runs no containers), Events and Velero's own objects.
 *       The capture is kept in the sandbox's store (so on disk, surviving restarts) as an object of a type the
 *       API does not serve, {@value #CAPTURES}, named and owned by the Backup (it goes when the Backup goes);
 *   <li>a Restore goes New → InProgress → Completed from a Completed (or PartiallyFailed) Backup named by
 *       {@code backupName}, or the newest of {@code scheduleName}'s (written into {@code backupName}, as
 *       Velero does); otherwise FailedValidation. Completing, it creates copies of the captured objects of
 *       its {@code includedNamespaces} (all when none), each in its namespace after {@code namespaceMapping},
 *       creating that namespace when missing: without uid, resourceVersion, creationTimestamp, generation,
 *       ownerReferences and status (a Service without its cluster IPs, a claim without its volume, so that
 *       the sandbox binds it anew), labelled {@code velero.io/backup-name} and {@code velero.io/restore-name}
 *       as Velero labels what it restores. An object that already exists is skipped and counted as a warning
 *       (Velero's default {@code existingResourcePolicy: none}; data in an existing claim is never
 *       overwritten); one the API refuses is an error, and the Restore ends PartiallyFailed. {@code progress.totalItems}/{@code itemsRestored} count the captured objects and the
 *       ones processed. The sandbox holds no volume data: a restored claim is a new, empty claim of the size
 *       captured. Like a workload, a Restore stays InProgress for {@link Sandbox#READY_AFTER} (or while a test's
 *       {@link Sandbox#holdReadiness} on {@code <velero namespace>/<restore>} holds it);
 *   <li>a Schedule gets {@code status.phase} Enabled (FailedValidation for a schedule that is not cron) and,
 *       as Velero's schedule controller does, {@code spec.skipImmediately: false} when it has none. It
 *       creates no Backup by itself: {@link Sandbox#runSchedule} fires it;
 *   <li>a new BackupStorageLocation (no phase yet) becomes Available; a phase written since stays.
 * </ul>
 * Called by {@link SandboxControllers} under the store's lock, one object per reconcile.
 */
final class SandboxVelero {
    static final String GROUP = "velero.io";
    static final String BACKUPS = GROUP + "/backups";
    static final String RESTORES = GROUP + "/restores";
    static final String SCHEDULES = GROUP + "/schedules";
    static final String LOCATIONS = GROUP + "/backupstoragelocations";
    static final Set<String> TYPES = Set.of(BACKUPS, RESTORES, SCHEDULES, LOCATIONS);
    static final String SCHEDULE_LABEL = "velero.io/schedule-name";
    static final String LOCATION_LABEL = "velero.io/storage-location";
    static final String BACKUP_NAME_LABEL = "velero.io/backup-name";
    static final String RESTORE_NAME_LABEL = "velero.io/restore-name";
    /** Where a Backup's capture is kept: a type the API does not serve (no CRD, a group that is not Kubernetes' own). */
    static final String CAPTURE_API_VERSION = "sandbox.dbstack.dev/v1";
    static final String CAPTURE_KIND = "BackupCapture";
    static final String CAPTURES = "sandbox.dbstack.dev/backupcaptures";
    private static final String NAMESPACES = "/namespaces";
    private static final String PODS = "/pods";
    static final Duration DEFAULT_TTL = Duration.ofHours(720);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Set<String> DESCRIPTORS = Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");

    private final SandboxApi api;
    private final SandboxObjects objects;

    SandboxVelero(SandboxApi api) {
        this.api = api;
        this.objects = api.objects();
    }

    /** Whether the CRD of {@code type} ({@code velero.io/<plural>}) is installed. */
    boolean installed(String type) {
        return objects.get(SandboxCrds.TYPE, null, type.substring(GROUP.length() + 1) + "." + GROUP) != null;
    }

    /**
     * @param released for a Restore in progress: whether it may complete now (false while {@link Sandbox#READY_AFTER}
     *                 or a {@link Sandbox#holdReadiness hold} on it keeps it InProgress; it is looked at again shortly)
     */
    void reconcile(String type, ObjectNode o, java.util.function.BooleanSupplier released) {
        if (!installed(type)) return;
        switch (type) {
            case BACKUPS -> backup(o);
            case RESTORES -> {
                if (!"InProgress".equals(o.path("status").path("phase").asText()) || released.getAsBoolean()) restore(o);
            }
            case SCHEDULES -> schedule(o);
            case LOCATIONS -> location(o);
            default -> { }
        }
    }

    private void backup(ObjectNode b) {
        ObjectNode next = b.deepCopy();
        ObjectNode status = status(next);
        String now = now();
        switch (b.path("status").path("phase").asText("")) {
            case "" -> status.put("phase", "New");
            case "New" -> {
                ObjectNode spec = next.has("spec") && next.get("spec").isObject() ? (ObjectNode) next.get("spec") : next.putObject("spec");
                List<String> errors = new ArrayList<>();
                Duration ttl = DEFAULT_TTL;
                String ttlText = spec.path("ttl").asText("");
                if (!ttlText.isEmpty()) {
                    ttl = goDuration(ttlText);
                    if (ttl == null) errors.add("invalid ttl \"" + ttlText + "\": not a duration such as 720h0m0s");
                }
                if (ttl != null && ttl.isZero()) ttl = DEFAULT_TTL;
                String location = spec.path("storageLocation").asText("");
                String namespace = b.path("metadata").path("namespace").asText();
                if (location.isEmpty()) {
                    if (objects.get(LOCATIONS, namespace, "default") == null) {
                        errors.add("an existing backup storage location wasn't specified at backup creation time and the default"
                                + " 'default' wasn't found. Please address this issue (see `velero backup-location -h` for options)"
                                + " and create a new backup. Error: backupstoragelocations.velero.io \"default\" not found");
                    }
                    location = "default";
                } else if (objects.get(LOCATIONS, namespace, location) == null) {
                    errors.add("an existing backup storage location wasn't specified at backup creation time and the server"
                            + " default 'default' doesn't exist. Please address this issue (see `velero backup-location -h` for"
                            + " options) and create a new backup. Error: backupstoragelocations.velero.io \"" + location + "\" not found");
                }
                if (!errors.isEmpty()) {
                    status.put("phase", "FailedValidation");
                    errors.forEach(status.putArray("validationErrors")::add);
                    status.put("completionTimestamp", now);
                    break;
                }
                spec.put("storageLocation", location);
                if (ttlText.isEmpty() || goDuration(ttlText).isZero()) spec.put("ttl", goString(ttl));
                ((ObjectNode) next.get("metadata")).with("labels").put(LOCATION_LABEL, location);
                Instant created = Instant.parse(b.path("metadata").path("creationTimestamp").asText(now));
                status.put("phase", "InProgress").put("version", 1).put("formatVersion", "1.1.0")
                        .put("startTimestamp", now).put("expiration", created.plus(ttl).toString());
            }
            case "InProgress" -> {
                int items = capture(b);
                status.put("phase", "Completed").put("completionTimestamp", now).put("errors", 0).put("warnings", 0);
                status.putObject("progress").put("totalItems", items).put("itemsBackedUp", items);
            }
            default -> { return; } // a terminal phase: nothing more happens
        }
        write(BACKUPS, b, next);
    }

    private void restore(ObjectNode r) {
        ObjectNode next = r.deepCopy();
        ObjectNode status = status(next);
        String now = now();
        String namespace = r.path("metadata").path("namespace").asText();
        switch (r.path("status").path("phase").asText("")) {
            case "" -> status.put("phase", "New");
            case "New" -> {
                ObjectNode spec = next.has("spec") && next.get("spec").isObject() ? (ObjectNode) next.get("spec") : next.putObject("spec");
                String backupName = spec.path("backupName").asText("");
                String scheduleName = spec.path("scheduleName").asText("");
                String problem = null;
                if (backupName.isEmpty() == scheduleName.isEmpty()) {
                    problem = "Either a backup or schedule must be specified as a source for the restore, but not both";
                } else if (!scheduleName.isEmpty()) {
                    ObjectNode newest = null;
                    for (ObjectNode b : objects.list(BACKUPS, namespace)) {
                        if (!scheduleName.equals(b.path("metadata").path("labels").path(SCHEDULE_LABEL).asText())
                                || !"Completed".equals(b.path("status").path("phase").asText())) continue;
                        if (newest == null || b.path("status").path("startTimestamp").asText()
                                .compareTo(newest.path("status").path("startTimestamp").asText()) >= 0) newest = b;
                    }
                    if (newest == null) problem = "No backups found for schedule";
                    else spec.put("backupName", newest.path("metadata").path("name").asText());
                } else {
                    ObjectNode b = objects.get(BACKUPS, namespace, backupName);
                    String phase = b == null ? "" : b.path("status").path("phase").asText();
                    if (b == null) problem = "Error retrieving backup: backups.velero.io \"" + backupName + "\" not found";
                    else if (!phase.equals("Completed") && !phase.equals("PartiallyFailed")) {
                        problem = "Backup \"" + backupName + "\" is in phase " + (phase.isEmpty() ? "New" : phase)
                                + ": only Completed or PartiallyFailed backups can be restored";
                    }
                }
                if (problem != null) {
                    status.put("phase", "FailedValidation").put("completionTimestamp", now).putArray("validationErrors").add(problem);
                } else {
                    status.put("phase", "InProgress").put("startTimestamp", now);
                    ObjectNode capture = objects.get(CAPTURES, namespace, spec.path("backupName").asText());
                    int total = capture == null ? 0 : selected(capture, spec).size();
                    status.putObject("progress").put("totalItems", total).put("itemsRestored", 0);
                }
            }
            case "InProgress" -> {
                int[] counts = restoreCapture(r);
                status.put("phase", counts[3] == 0 ? "Completed" : "PartiallyFailed").put("completionTimestamp", now)
                        .put("errors", counts[3]).put("warnings", counts[2]);
                status.putObject("progress").put("totalItems", counts[0]).put("itemsRestored", counts[1]);
            }
            default -> { return; }
        }
        write(RESTORES, r, next);
    }

    private void schedule(ObjectNode s) {
        ObjectNode next = s.deepCopy();
        ObjectNode spec = next.has("spec") && next.get("spec").isObject() ? (ObjectNode) next.get("spec") : next.putObject("spec");
        if (!spec.has("skipImmediately") || spec.get("skipImmediately").isNull()) spec.put("skipImmediately", false);
        ObjectNode status = status(next);
        String problem = cronProblem(spec.path("schedule").asText(""));
        status.remove("validationErrors");
        if (problem == null) status.put("phase", "Enabled");
        else status.put("phase", "FailedValidation").putArray("validationErrors").add(problem);
        write(SCHEDULES, s, next);
    }

    private void location(ObjectNode l) {
        // Validated once, when new: a phase written since (Unavailable, by a test) stays, as a broken bucket would.
        if (!l.path("status").path("phase").asText("").isEmpty()) return;
        ObjectNode next = l.deepCopy();
        status(next).put("phase", "Available").put("lastValidationTime", now());
        write(LOCATIONS, l, next);
    }

    /**
     * A Backup of the Schedule {@code namespace/name} now, as Velero's schedule controller makes one when
     * the cron fires: named {@code <schedule>-<yyyyMMddHHmmss>}, its spec the Schedule's template, labelled
     * with the template's labels (or else the Schedule's own) and {@code velero.io/schedule-name}; the
     * Schedule's {@code status.lastBackup} is set. Returns the Backup's name.
     */
    String runSchedule(String namespace, String name) {
        ObjectNode s = objects.get(SCHEDULES, namespace, name);
        if (s == null) throw new IllegalArgumentException("no Schedule " + namespace + "/" + name);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String backupName = name + "-" + STAMP.format(now);
        ObjectNode spec = s.path("spec").path("template").isObject() ? s.path("spec").path("template").deepCopy()
                : SandboxApi.JSON.createObjectNode();
        JsonNode templateLabels = spec.path("metadata").path("labels");
        spec.remove("metadata");
        ObjectNode backup = SandboxApi.JSON.createObjectNode().put("apiVersion", GROUP + "/v1").put("kind", "Backup");
        ObjectNode meta = backup.putObject("metadata").put("name", backupName).put("namespace", namespace);
        ObjectNode labels = meta.putObject("labels");
        JsonNode from = templateLabels.isObject() && !templateLabels.isEmpty() ? templateLabels : s.path("metadata").path("labels");
        if (from.isObject()) labels.setAll((ObjectNode) from.deepCopy());
        labels.put(SCHEDULE_LABEL, name);
        if (s.path("spec").path("useOwnerReferencesInBackup").asBoolean(false)) {
            meta.putArray("ownerReferences").addObject().put("apiVersion", GROUP + "/v1").put("kind", "Schedule").put("name", name)
                    .put("uid", s.path("metadata").path("uid").asText()).put("controller", true);
        }
        backup.set("spec", spec);
        check(api.create(path(BACKUPS, namespace, null), backup));
        ObjectNode next = s.deepCopy();
        status(next).put("lastBackup", now.toString());
        write(SCHEDULES, s, next);
        return backupName;
    }

    /** Why robfig/cron (which Velero uses) would refuse {@code schedule}, or null. */
    static String cronProblem(String schedule) {
        String spec = schedule.trim();
        if (spec.isEmpty()) return "Schedule must be a non-empty valid Cron expression";
        if (spec.startsWith("CRON_TZ=") || spec.startsWith("TZ=")) {
            int space = spec.indexOf(' ');
            if (space < 0) return "invalid schedule: provided bad location " + spec.substring(spec.indexOf('=') + 1) + ": unknown time zone";
            spec = spec.substring(space + 1).trim();
        }
        if (spec.startsWith("@every ")) {
            return goDuration(spec.substring(7).trim()) == null ? "invalid schedule: failed to parse duration " + spec : null;
        }
        if (spec.startsWith("@")) return DESCRIPTORS.contains(spec) ? null : "invalid schedule: unrecognized descriptor: " + spec;
        String[] fields = spec.split("\\s+");
        if (fields.length != 5) return "invalid schedule: expected exactly 5 fields, found " + fields.length + ": [" + spec + "]";
        for (String f : fields) {
            if (!f.matches("[0-9A-Za-z*?/,\\-]+")) return "invalid schedule: failed to parse int from " + f;
        }
        return null;
    }

    /** A Go {@code time.ParseDuration} text ({@code 720h0m0s}, {@code 1.5h}, {@code 90m}), or null when it is none. */
    static Duration goDuration(String text) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) t = t.substring(1);
        if (t.equals("0")) return Duration.ZERO;
        if (t.isEmpty()) return null;
        Matcher m = GO_DURATION.matcher(t);
        int at = 0;
        double nanos = 0;
        while (m.find() && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at != t.length()) return null;
        Duration d = Duration.ofNanos((long) nanos);
        return negative ? d.negated() : d;
    }

    /** Go's {@code Duration.String()} for whole seconds: {@code 720h0m0s}. */
    static String goString(Duration d) {
        long s = d.getSeconds();
        if (s == 0) return "0s";
        return (s >= 3600 ? s / 3600 + "h" : "") + (s >= 60 ? (s % 3600) / 60 + "m" : "") + s % 60 + "s";
    }

    private static ObjectNode status(ObjectNode o) {
        return o.has("status") && o.get("status").isObject() ? (ObjectNode) o.get("status") : o.putObject("status");
    }

    private void write(String type, ObjectNode current, ObjectNode next) {
        if (next.equals(current)) return;
        ((ObjectNode) next.get("metadata")).remove("resourceVersion");
        JsonNode meta = current.path("metadata");
        check(api.update(path(type, meta.path("namespace").asText(null), meta.path("name").asText()), next));
    }

    /**
     * Captures what the Backup {@code b} covers into its {@value #CAPTURES} object (replacing an earlier one of the
     * same name); returns how many objects it holds.
     */
    private int capture(ObjectNode b) {
        JsonNode spec = b.path("spec");
        Set<String> included = strings(spec.path("includedNamespaces"));
        boolean all = included.isEmpty() || included.contains("*");
        JsonNode matchLabels = spec.path("labelSelector").path("matchLabels");
        ObjectNode capture = SandboxApi.JSON.createObjectNode().put("apiVersion", CAPTURE_API_VERSION).put("kind", CAPTURE_KIND);
        JsonNode bm = b.path("metadata");
        ObjectNode meta = capture.putObject("metadata").put("name", bm.path("name").asText()).put("namespace", bm.path("namespace").asText())
                .put("uid", java.util.UUID.randomUUID().toString()).put("creationTimestamp", now());
        meta.putArray("ownerReferences").addObject().put("apiVersion", GROUP + "/v1").put("kind", "Backup")
                .put("name", bm.path("name").asText()).put("uid", bm.path("uid").asText());
        var items = capture.putArray("items");
        java.util.Map<String, List<ObjectNode>> everything = objects.all();
        for (var e : everything.entrySet()) {
            String type = e.getKey();
            if (type.startsWith(GROUP + "/") || type.equals(CAPTURES) || type.equals("/events") || type.equals("events.k8s.io/events")) continue;
            for (ObjectNode o : e.getValue()) {
                JsonNode m = o.path("metadata");
                String ns = m.path("namespace").asText("");
                if (type.equals(NAMESPACES)) {
                    if (!all && !included.contains(m.path("name").asText())) continue;
                } else if (ns.isEmpty() || !all && !included.contains(ns)) {
                    continue; // cluster-scoped objects other than the namespaces are not captured
                }
                if (type.equals(PODS) && !m.path("ownerReferences").isEmpty()) continue;
                if (!matches(matchLabels, m.path("labels")) && !type.equals(NAMESPACES)) continue;
                items.addObject().put("type", type).set("object", o.deepCopy());
            }
        }
        ObjectNode old = objects.get(CAPTURES, bm.path("namespace").asText(), bm.path("name").asText());
        if (old != null) objects.remove(CAPTURES, bm.path("namespace").asText(), bm.path("name").asText());
        meta.put("resourceVersion", String.valueOf(objects.nextVersion()));
        objects.put(CAPTURES, capture);
        return items.size();
    }

    private static boolean matches(JsonNode matchLabels, JsonNode labels) {
        if (!matchLabels.isObject()) return true;
        for (var it = matchLabels.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) return false;
        }
        return true;
    }

    /** The captured items a Restore with {@code spec} covers: those of its {@code includedNamespaces} (all when none). */
    private static List<JsonNode> selected(ObjectNode capture, JsonNode spec) {
        Set<String> included = strings(spec.path("includedNamespaces"));
        boolean all = included.isEmpty() || included.contains("*");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : capture.path("items")) {
            JsonNode m = item.path("object").path("metadata");
            String ns = item.path("type").asText().equals(NAMESPACES) ? m.path("name").asText() : m.path("namespace").asText();
            if (all || included.contains(ns)) out.add(item);
        }
        return out;
    }

    /**
     * Creates the copies a Restore makes from its Backup's capture: namespaces first, then claims, then the rest.
     * Returns {total, restored (created or skipped), skipped because they exist, refused by the API}.
     */
    private int[] restoreCapture(ObjectNode r) {
        String veleroNs = r.path("metadata").path("namespace").asText();
        String backupName = r.path("spec").path("backupName").asText();
        ObjectNode capture = objects.get(CAPTURES, veleroNs, backupName);
        if (capture == null) return new int[] {0, 0, 0, 0};
        JsonNode mapping = r.path("spec").path("namespaceMapping");
        List<JsonNode> items = new ArrayList<>(selected(capture, r.path("spec")));
        items.sort(java.util.Comparator.comparingInt(SandboxVelero::priority));
        int restored = 0;
        int skipped = 0;
        int errors = 0;
        for (JsonNode item : items) {
            String type = item.path("type").asText();
            ObjectNode copy = item.path("object").deepCopy();
            ObjectNode meta = (ObjectNode) copy.get("metadata");
            for (String f : List.of("uid", "resourceVersion", "creationTimestamp", "generation", "ownerReferences", "managedFields",
                    "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")) {
                meta.remove(f);
            }
            copy.remove("status");
            ObjectNode labels = meta.with("labels");
            labels.put(BACKUP_NAME_LABEL, backupName).put(RESTORE_NAME_LABEL, r.path("metadata").path("name").asText());
            String target;
            if (type.equals(NAMESPACES)) {
                target = mapping.path(meta.path("name").asText()).asText(meta.path("name").asText());
                meta.put("name", target);
                copy.remove("spec"); // finalizers: the API server's own
                target = null;
            } else {
                String ns = meta.path("namespace").asText();
                target = mapping.path(ns).asText(ns);
                meta.put("namespace", target);
                ensureNamespace(target, backupName, r);
            }
            if (type.equals("/services")) {
                ObjectNode spec = copy.with("spec");
                if (!"None".equals(spec.path("clusterIP").asText())) {
                    spec.remove("clusterIP");
                    spec.remove("clusterIPs");
                }
            }
            if (type.equals("/persistentvolumeclaims")) copy.with("spec").remove("volumeName");
            String name = meta.path("name").asText();
            if (objects.get(type, target, name) != null) {
                skipped++;
                restored++;
                continue;
            }
            String apiVersion = copy.path("apiVersion").asText("v1");
            String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
            int slash = type.indexOf('/');
            SandboxApi.Response created = api.create(new ApiPath(type.substring(0, slash), version, target, type.substring(slash + 1),
                    null, null), copy);
            if (created.ok()) restored++;
            else errors++; // as Velero: the item fails, the restore goes on and ends PartiallyFailed
        }
        return new int[] {items.size(), restored, skipped, errors};
    }

    /** A restore's target namespace, created when missing (Velero does, before the objects in it). */
    private void ensureNamespace(String name, String backupName, ObjectNode r) {
        if (objects.get(NAMESPACES, null, name) != null) return;
        ObjectNode ns = SandboxApi.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ns.putObject("metadata").put("name", name).putObject("labels").put(BACKUP_NAME_LABEL, backupName)
                .put(RESTORE_NAME_LABEL, r.path("metadata").path("name").asText());
        check(api.create(new ApiPath("", "v1", null, "namespaces", null, null), ns));
    }

    /** Velero's restore order, roughly: namespaces, then claims, Secrets and ConfigMaps, then workloads and the rest. */
    private static int priority(JsonNode item) {
        return switch (item.path("type").asText()) {
            case NAMESPACES -> 0;
            case "/persistentvolumeclaims" -> 1;
            case "/secrets", "/configmaps", "/serviceaccounts" -> 2;
            default -> 3;
        };
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new java.util.LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Velero's published CRDs (v1.18.2), vendored under {@code src/main/resources/velero/}, by plural. */
    static final List<String> CRD_PLURALS = List.of("schedules", "backups", "restores", "backupstoragelocations");
    static final String NAMESPACE = "velero";
    static final String DEFAULT_LOCATION = "default";

    /**
     * Installs "Velero" into a fresh sandbox, as {@code velero install} would into a cluster: its CRDs, the
     * {@value #NAMESPACE} namespace and a BackupStorageLocation named {@value #DEFAULT_LOCATION} (which this
     * simulation then makes Available), so that a stack with {@code diskBackup} works on the sandbox as it is.
     */
    static void install(SandboxApi api) {
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        ApiPath crds = new ApiPath(SandboxCrds.GROUP, "v1", null, "customresourcedefinitions", null, null);
        for (String plural : CRD_PLURALS) {
            String file = "/velero/velero.io_" + plural + ".yaml";
            try (java.io.InputStream in = SandboxVelero.class.getResourceAsStream(file)) {
                if (in == null) throw new IllegalStateException(file + " missing from dbstack's resources");
                check(api.create(crds, yaml.readTree(in)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ObjectNode ns = SandboxApi.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ns.putObject("metadata").put("name", NAMESPACE);
        check(api.create(new ApiPath("", "v1", null, "namespaces", null, null), ns));
        ObjectNode bsl = SandboxApi.JSON.createObjectNode().put("apiVersion", GROUP + "/v1").put("kind", "BackupStorageLocation");
        bsl.putObject("metadata").put("name", DEFAULT_LOCATION).put("namespace", NAMESPACE);
        ObjectNode spec = bsl.putObject("spec").put("provider", "sandbox").put("default", true);
        spec.putObject("objectStorage").put("bucket", "dbstack-sandbox-backups");
        check(api.create(path(LOCATIONS, NAMESPACE, null), bsl));
    }

    /** Whether the storage location {@code namespace/name} exists and is Available. */
    boolean available(String namespace, String name) {
        ObjectNode l = objects.get(LOCATIONS, namespace, name);
        return l != null && "Available".equals(l.path("status").path("phase").asText());
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static ApiPath path(String type, String namespace, String name) {
        return new ApiPath(GROUP, "v1", namespace, type.substring(GROUP.length() + 1), name, null);
    }

    private static void check(SandboxApi.Response r) {
        if (!r.ok()) throw new IllegalStateException("sandbox Velero write refused: " + r.code() + " " + r.body().path("message").asText());
    }
}
