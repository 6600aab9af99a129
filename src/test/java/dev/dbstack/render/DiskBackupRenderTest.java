package dev.dbstack.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dbstack.catalog.Catalog;
import dev.dbstack.catalog.Component;
import dev.dbstack.testing.CatalogLayers;
import dev.dbstack.testing.FixedCredentials;
import dev.dbstack.testing.TestProject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code diskBackup} renders: a Velero Schedule per app deployment of a backed-up group (valid against Velero's
 * published CRD), and on every database's pod template exactly the backup hooks its catalog file declares, the same
 * whether backup is on or off. The types come from the catalog ({@link CatalogLayers}).
 */
class DiskBackupRenderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOOK = "hook.backup.velero.io/";

    private static RenderedStack render(TestProject project) {
        return new Renderer(project.catalog(), new FixedCredentials(), (id, env) -> "x").render(project.graph());
    }

    private static Path dirs(Path dir, String name) {
        try {
            return java.nio.file.Files.createDirectories(dir.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> expectedHooks(Component c) {
        Map<String, String> m = new TreeMap<>();
        for (String phase : List.of("pre", "post")) {
            Component.BackupHook h = phase.equals("pre") ? c.backup().pre() : c.backup().post();
            if (h == null) continue;
            m.put(phase + "." + HOOK + "container", c.type());
            m.put(phase + "." + HOOK + "command", JSON.valueToTree(h.command()).toString());
            m.put(phase + "." + HOOK + "on-error", h.onError());
            m.put(phase + "." + HOOK + "timeout", h.timeout());
        }
        return m;
    }

    private static Map<String, String> hooksOf(StatefulSet s) {
        Map<String, String> a = s.getSpec().getTemplate().getMetadata().getAnnotations();
        Map<String, String> m = new TreeMap<>();
        if (a != null) a.forEach((k, v) -> {
            if (k.contains(HOOK)) m.put(k, v);
        });
        return m;
    }

    @Test
    void everyTypesStatefulSetCarriesExactlyTheHooksItsCatalogFileDeclaresWhetherOrNotBackupIsOn(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        String stack = CatalogLayers.stack(catalog, 1);
        RenderedStack off = render(TestProject.create(dirs(dir, "off"), stack));
        RenderedStack on = render(TestProject.create(dirs(dir, "on"),
                stack.replace("cluster: sandbox,", "cluster: sandbox, diskBackup: {mode: filesystem},")));
        int hooked = 0;
        for (CatalogLayers.Variant v : CatalogLayers.of(catalog)) {
            Component c = v.component(catalog);
            List<StatefulSet> sets = on.allObjects().stream().filter(o -> o instanceof StatefulSet
                    && o.getMetadata().getName().equals(v.layer())).map(StatefulSet.class::cast).toList();
            if (!c.hasServer()) {
                assertThat(sets).isEmpty();
                assertThat(expectedHooks(c)).as("%s has no pod for a hook", v).isEmpty();
                continue;
            }
            StatefulSet sts = sets.get(0);
            assertThat(hooksOf(sts)).as("hooks of %s", v).isEqualTo(expectedHooks(c));
            if (!expectedHooks(c).isEmpty()) hooked++;
            StatefulSet without = off.allObjects().stream().filter(o -> o instanceof StatefulSet
                    && o.getMetadata().getName().equals(v.layer())).map(StatefulSet.class::cast).findFirst().orElseThrow();
            assertThat(sts).as("%s: turning backup on must not roll its pods", v).isEqualTo(without);
            // Filesystem mode uploads every volume of the pod but those excluded: exactly the data claim stays.
            Map<String, String> annotations = sts.getSpec().getTemplate().getMetadata().getAnnotations();
            List<String> excluded = annotations == null || !annotations.containsKey("backup.velero.io/backup-volumes-excludes")
                    ? List.of() : List.of(annotations.get("backup.velero.io/backup-volumes-excludes").split(","));
            sts.getSpec().getTemplate().getSpec().getVolumes().forEach(vol -> {
                boolean skippedByVelero = vol.getSecret() != null || vol.getConfigMap() != null || vol.getProjected() != null
                        || vol.getDownwardAPI() != null || vol.getHostPath() != null;
                assertThat(excluded.contains(vol.getName())).as("%s volume %s excluded", v, vol.getName()).isEqualTo(!skippedByVelero);
            });
        }
        assertThat(hooked).as("some type declares hooks").isPositive();
    }

    @Test
    void cautionsArePreviewWarningsOnlyWhenBackupIsOn(@TempDir Path dir) {
        Catalog catalog = Catalog.builtIn();
        String stack = CatalogLayers.stack(catalog, 1);
        RenderedStack off = render(TestProject.create(dirs(dir, "off"), stack));
        RenderedStack on = render(TestProject.create(dirs(dir, "on"), stack.replace("cluster: sandbox,", "cluster: sandbox, diskBackup: true,")));
        for (CatalogLayers.Variant v : CatalogLayers.of(catalog)) {
            Component c = v.component(catalog);
            if (c.backup().caution() == null) continue;
            String warning = "disk backup of app 'every', layer '" + v.layer() + "' (" + c.title() + "): " + c.backup().caution().strip();
            assertThat(on.warnings()).as("%s", v).contains(warning);
            assertThat(off.warnings()).doesNotContain(warning);
        }
        assertThat(off.warnings()).anyMatch(w -> w.contains("does not back up disks (diskBackup: false)"));
        assertThat(on.warnings()).noneMatch(w -> w.contains("does not back up disks"));
    }

    @Test
    void oneScheduleInVelerosNamespacePerBackedUpAppValidAgainstVelerosCrd(@TempDir Path dir) {
        TestProject project = TestProject.create(dir, """
                config:
                  dbstack:clusterGroups:
                    - name: backed
                      cluster: sandbox
                      diskBackup: {schedule: "CRON_TZ=Europe/Berlin 15 2 * * SUN", retention: 90m, storageLocation: s3,
                                   mode: filesystem, veleroNamespace: backup-system}
                    - {name: bare, cluster: sandbox}
                  dbstack:profiles:
                    - name: p
                      layers:
                        - {name: cache, type: redis, storage: 1}
                  dbstack:apps:
                    - {name: shop, profile: p, clusterGroup: backed}
                    - {name: blog, profile: p, clusterGroup: backed, virtualCluster: blog-ns}
                    - {name: wiki, profile: p, clusterGroup: bare}
                """);
        RenderedStack stack = render(project);
        List<GenericKubernetesResource> schedules = stack.allObjects().stream().filter(o -> o.getKind().equals("Schedule"))
                .map(GenericKubernetesResource.class::cast).toList();
        assertThat(schedules).extracting(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                .containsExactly("backup-system/shop", "backup-system/blog-ns");
        assertThat(stack.appObjects().get("wiki")).noneMatch(o -> o.getKind().equals("Schedule"));
        GenericKubernetesResource blog = schedules.get(1);
        assertThat(blog.getApiVersion()).isEqualTo("velero.io/v1");
        assertThat(blog.getMetadata().getLabels()).isEqualTo(Labels.app(TestProject.STACK, "blog"));
        assertThat(blog.<String>get("spec", "schedule")).isEqualTo("CRON_TZ=Europe/Berlin 15 2 * * SUN");
        assertThat(blog.<Boolean>get("spec", "skipImmediately")).isFalse();
        assertThat(blog.<Boolean>get("spec", "useOwnerReferencesInBackup")).isFalse();
        assertThat(blog.<Map<String, Object>>get("spec", "template", "metadata")).isEqualTo(Map.of("labels", Labels.app(TestProject.STACK, "blog")));
        assertThat(blog.<List<String>>get("spec", "template", "includedNamespaces")).containsExactly("blog-ns");
        assertThat(blog.<String>get("spec", "template", "storageLocation")).isEqualTo("s3");
        assertThat(blog.<String>get("spec", "template", "ttl")).isEqualTo("1h30m0s");
        assertThat(blog.<Boolean>get("spec", "template", "snapshotVolumes")).isFalse();
        assertThat(blog.<Boolean>get("spec", "template", "defaultVolumesToFsBackup")).isTrue();
        KubernetesSchema schema = KubernetesSchema.load();
        for (HasMetadata s : schedules) assertThat(schema.validate(s)).as("%s", s.getMetadata().getName()).isEmpty();
        // Deterministic: the same configuration renders the same bytes.
        assertThat(JSON.valueToTree(render(project).allObjects()).toString()).isEqualTo(JSON.valueToTree(stack.allObjects()).toString());
    }
}
