package dev.dbstack.pulumi;

import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PulumiProgramSmokeTest {
    @Test
    void runs(@TempDir Path dir) {
        TestProject.copyOfExample(dir);
        PulumiRun run = PulumiRun.of(dir, "dev");
        System.out.println("exit " + run.result.exitCode() + " errors " + run.result.errors() + " ex " + run.result.exceptions());
        run.registered.forEach(r -> System.out.println(r.type() + " " + r.name() + " " + r.inputs().keySet()));
        System.out.println(run.result.outputs().keySet());
        System.out.println(run.get("kubernetes:core/v1:Secret", "shop/postgresql-1-credentials").inputs());
        System.out.println(run.get("kubernetes:apps/v1:StatefulSet", "shop/postgresql-1").inputs().get("metadata"));
    }
}
