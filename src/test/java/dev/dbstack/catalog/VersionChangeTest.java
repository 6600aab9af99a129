package dev.dbstack.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.catalog.VersionChange.Verdict;
import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version changes judged by each type's declared rules; the types come from the catalog. */
class VersionChangeTest {
    private static final Catalog CATALOG = Catalog.builtIn();

    @Test
    void everyTypeFollowsItsDeclaredRules() {
        for (String type : CATALOG.types()) {
            Component c = CATALOG.get(type);
            Component.VersionChanges rules = c.versionChanges();
            List<String> families = c.versions();
            for (int i = 0; i < families.size(); i++) {
                String f = families.get(i);
                assertThat(verdict(c, f + ".1", f + ".2")).as("%s patch upgrade", type).isEqualTo(Verdict.SAFE);
                assertThat(verdict(c, f + ".1", f)).as("%s pinned to floating", type).isEqualTo(Verdict.SAFE);
                assertThat(verdict(c, f, f + ".1")).as("%s floating to pinned may be older", type)
                        .isEqualTo(Verdict.NEEDS_DOWNGRADE_FLAG);
                assertThat(verdict(c, f + ".2", f + ".1")).as("%s patch downgrade", type)
                        .isEqualTo(rules.downgradesWithin(f) ? Verdict.NEEDS_DOWNGRADE_FLAG : Verdict.REFUSED);
                for (int j = 0; j < families.size(); j++) {
                    if (i == j) continue;
                    String to = families.get(j);
                    Verdict expected;
                    if (j < i) {
                        expected = Verdict.REFUSED; // across families, a downgrade never opens the data
                    } else {
                        int from = i;
                        int until = j;
                        boolean crossesNewFormat = rules.incompatibleFrom().stream()
                                .anyMatch(b -> families.indexOf(b) > from && families.indexOf(b) <= until);
                        boolean allowed = !crossesNewFormat && (rules.upgrade().equals("any")
                                || rules.upgrade().equals("next") && j == i + 1);
                        expected = !allowed ? Verdict.REFUSED
                                : rules.upgradeBy().equals("flag") ? Verdict.NEEDS_MAJOR_UPGRADE_FLAG : Verdict.SAFE;
                    }
                    assertThat(verdict(c, f, to)).as("%s %s → %s", type, f, to).isEqualTo(expected);
                    assertThat(verdict(c, f + ".3", to + ".1")).as("%s %s.3 → %s.1", type, f, to).isEqualTo(expected);
                }
            }
        }
    }

    private static Verdict verdict(Component c, String from, String to) {
        return VersionChange.judge(c, from, to).verdict();
    }

    @Test
    void postgresqlNeverCrossesAMajorInPlace() {
        Component pg = CATALOG.get("postgresql");
        VersionChange.Judgement up = VersionChange.judge(pg, "17", "18");
        assertThat(up.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(up.explanation()).contains("does not upgrade its data from 17 to 18 in place")
                .contains("/var/lib/postgresql/data → /var/lib/postgresql").contains("empty database");
        assertThat(VersionChange.migrationPath(pg, "db", "18")).contains("add a new postgresql layer on version 18")
                .contains("pg_dump").contains("switch the consumers").contains("then remove db");
        assertThat(VersionChange.judge(pg, "17", "16").explanation()).contains("downgrade").contains("would not start again");
    }

    @Test
    void mysqlMovesToTheNextLtsOnlyAndTheServerDoesIt() {
        Component mysql = CATALOG.get("mysql");
        VersionChange.Judgement j = VersionChange.judge(mysql, "8.0", "8.4");
        assertThat(j.verdict()).isEqualTo(Verdict.SAFE);
        assertThat(j.explanation()).contains("upgrades its data to 8.4 on its first start").contains("no way back to 8.0");
        assertThat(verdict(mysql, "8.0.40", "8.0.36")).isEqualTo(Verdict.REFUSED);
        assertThat(verdict(mysql, "8.4.3", "8.4.2")).isEqualTo(Verdict.NEEDS_DOWNGRADE_FLAG);
    }

    @Test
    void mongodbGoesOneMajorAtATimeWithItsFeatureCompatibilityVersion() {
        Component mongo = CATALOG.get("mongodb");
        VersionChange.Judgement skip = VersionChange.judge(mongo, "6.0", "8.0");
        assertThat(skip.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(skip.explanation()).contains("6.0 → 7.0 → 8.0").contains("featureCompatibilityVersion is 6.0")
                .contains("one step per `up`");
        VersionChange.Judgement next = VersionChange.judge(mongo, "7.0", "8.0");
        assertThat(next.verdict()).isEqualTo(Verdict.NEEDS_MAJOR_UPGRADE_FLAG);
        assertThat(next.explanation()).contains("setFeatureCompatibilityVersion: \"7.0\"");
        assertThat(next.after()).contains("setFeatureCompatibilityVersion: \"8.0\", confirm: true");
    }

    @Test
    void redisOnlyMovesForward() {
        Component redis = CATALOG.get("redis");
        assertThat(verdict(redis, "7.2", "8.2")).isEqualTo(Verdict.SAFE);
        assertThat(verdict(redis, "8.2", "7.4")).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void floatingTagsAreNewerThanEveryReleaseOfTheirFamily() {
        assertThat(VersionChange.compare("17", "17.9")).isPositive();
        assertThat(VersionChange.compare("17.2", "17.10")).isNegative();
        assertThat(VersionChange.compare("8.0", "8.4.1")).isNegative();
        assertThat(VersionChange.compare("7.0.12", "7.0.12")).isZero();
    }

    @Test
    void aFileWithoutRulesGetsTheStrictestAndBadRulesAreReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("components"));
        String redis = Files.readString(Path.of("components/redis.yaml"));
        String withoutRules = redis.substring(0, redis.indexOf("versionChanges:"))
                + redis.substring(redis.indexOf("\n", redis.indexOf("  migration:")) + 1);
        Files.writeString(dir.resolve("components/redis.yaml"), withoutRules);
        Component strict = Catalog.load(dir).get("redis");
        assertThat(verdict(strict, "7.4", "8.0")).isEqualTo(Verdict.REFUSED);
        assertThat(verdict(strict, "7.4.2", "7.4.1")).isEqualTo(Verdict.REFUSED);
        assertThat(verdict(strict, "7.4.1", "7.4.2")).isEqualTo(Verdict.SAFE);

        Files.writeString(dir.resolve("components/redis.yaml"), redis.replace("upgrade: any", "upgrade: sometimes")
                .replace("downgradeWithinFamily: all", "downgradeWithinFamily: [\"9.9\"]")
                .replace("versions: [\"7.2\", \"7.4\", \"8.0\", \"8.2\"]", "versions: [\"7.2\", \"8.0\", \"7.4\", \"8.2\"]"));
        UserInputException e = catchThrowableOfType(UserInputException.class, () -> Catalog.load(dir));
        assertThat(e.problems()).extracting(Problem::render).containsExactlyInAnyOrder(
                "components/redis.yaml: versions: must be listed oldest first ('8.0' before '7.4'): version changes are"
                        + " judged by that order",
                "components/redis.yaml: versionChanges.upgrade: must be one of [none, next, any]",
                "components/redis.yaml: versionChanges.downgradeWithinFamily: must be all, none, or families from versions"
                        + " [7.2, 8.0, 7.4, 8.2], got [9.9]");
    }
}
