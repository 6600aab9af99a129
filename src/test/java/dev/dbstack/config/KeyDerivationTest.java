package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbstack.cli.Main;
import dev.dbstack.testing.TestProject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passphrase key derivation (PBKDF2, 1,000,000 iterations) is most of a short command's CPU: it runs
 * only when a value is encrypted or decrypted, and then once. Counted through the CLI as a user runs it
 * (tests have no passphrase in the environment: sandbox stacks use the empty one, still derived).
 */
class KeyDerivationTest {
    private static final String FILE = "stacks/Pulumi.test.yaml";
    /** One database (a generated credential in state) under one container. */
    private static final String STACK = """
            config:
              dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
              dbstack:profiles:
                - name: p
                  layers:
                    - {name: db, type: postgresql, storage: 1}
                    - name: api
                      type: container
                      image: ghcr.io/acme/api:1
                      env:
                        PGPASSWORD: "{{.spectro.app.$appDeploymentName.db.PASSWORD}}"
              dbstack:apps: [{name: a, profile: p}]
            """;

    record Run(int exit, String out, String err, long derivations) {}

    /** The CLI in-process, its streams captured, and the keys it derived. */
    private static synchronized Run cli(Path dir, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "-C", dir.toString(), "--stack", TestProject.STACK));
        if (command.equals("up") || command.equals("destroy")) args.add("--yes");
        args.addAll(List.of(extra));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        long before = PassphraseCrypter.derivations();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args.toArray(String[]::new));
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8),
                    PassphraseCrypter.derivations() - before);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Run ok(Run r) {
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    @Test
    void aPreviewOfAStackWithoutSaltOrStateDerivesNoKey(@TempDir Path dir) throws IOException {
        TestProject.create(dir, STACK);

        Run preview = ok(cli(dir, "preview"));

        assertThat(preview.out()).contains("(no state recorded yet)").contains("to create");
        assertThat(preview.derivations()).as("no throwaway key").isZero();
        assertThat(Files.readString(dir.resolve(FILE))).isEqualTo(STACK);
        assertThat(ok(cli(dir, "render")).derivations()).isZero();
    }

    @Test
    void aPreviewOfAStackWithASaltButNothingInStateDerivesNoKey(@TempDir Path dir) {
        String salt = PassphraseCrypter.create("").encryptionSalt();
        TestProject.create(dir, "encryptionsalt: " + salt + "\n" + STACK);

        Run preview = ok(cli(dir, "preview"));

        assertThat(preview.out()).contains("to create");
        assertThat(preview.derivations()).isZero();
    }

    @Test
    void commandsDeriveTheKeyOnlyToOpenOrSealACredentialAndThenOnce(@TempDir Path dir) throws IOException {
        TestProject.create(dir, STACK);

        Run first = ok(cli(dir, "up"));
        assertThat(first.derivations()).as("one key seals the new salt's verifier and the credential").isEqualTo(1);
        assertThat(Files.readString(dir.resolve(FILE))).contains("encryptionsalt: v1:");

        // The credential in state is rendered into Secrets compared with the cluster's: one derivation, not one per use.
        Run preview = ok(cli(dir, "preview"));
        assertThat(preview.out()).contains("No changes.");
        assertThat(preview.derivations()).isEqualTo(1);
        Run noop = ok(cli(dir, "up"));
        assertThat(noop.out()).contains("No changes.");
        assertThat(noop.derivations()).isEqualTo(1);
        assertThat(ok(cli(dir, "outputs", "--show-secrets")).derivations()).isEqualTo(1);
        Run outputs = ok(cli(dir, "outputs"));
        assertThat(outputs.out()).contains("POSTGRESMSTR_SVC = db.a.svc.cluster.local").contains("PASSWORD = [secret]");
        assertThat(outputs.derivations()).as("secret outputs not shown").isZero();

        // Reading the cluster against state, or deleting what state lists, opens no secret.
        assertThat(ok(cli(dir, "refresh")).derivations()).isZero();
        assertThat(ok(cli(dir, "render")).derivations()).as("Secret values withheld").isZero();
        Run destroy = ok(cli(dir, "destroy"));
        assertThat(destroy.out()).contains("Destroying stack");
        assertThat(destroy.derivations()).isZero();
    }

    @Test
    void aDeferredKeyIsDerivedOnceWhateverTheThreadsAskingAndAWrongPassphraseEachTime() throws Exception {
        PassphraseCrypter created = PassphraseCrypter.create("right");
        String sealed = created.encrypt("value");
        long before = derivationsNow();
        PassphraseCrypter key = PassphraseCrypter.deferred(created.encryptionSalt(), "right",
                () -> new IllegalStateException("wrong"));
        assertThat(derivationsNow() - before).as("nothing until a value is opened").isZero();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<String>> opens = new ArrayList<>();
            for (int i = 0; i < 8; i++) opens.add(() -> key.decryptOrThrow(sealed));
            for (Future<String> f : pool.invokeAll(opens)) assertThat(f.get()).isEqualTo("value");
        } finally {
            pool.shutdownNow();
        }
        assertThat(derivationsNow() - before).isEqualTo(1);

        PassphraseCrypter wrong = PassphraseCrypter.deferred(created.encryptionSalt(), "wrong",
                () -> new IllegalStateException("incorrect passphrase (test)"));
        for (int i = 0; i < 2; i++) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> wrong.decryptOrThrow(sealed)))
                    .hasMessage("incorrect passphrase (test)");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> wrong.encrypt("x")))
                    .hasMessage("incorrect passphrase (test)");
        }
        assertThat(derivationsNow() - before).as("a refused passphrase is not derived again").isEqualTo(2);
    }

    private static long derivationsNow() {
        return PassphraseCrypter.derivations();
    }
}
