package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbstack.model.ContainerLayer;
import dev.dbstack.model.DatabaseLayer;
import dev.dbstack.model.Problem;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.UserInputException;
import dev.dbstack.testing.TestProject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** secure: values, as `pulumi config set --secret` writes them, decrypt with the stack's passphrase. */
class SecureConfigTest {
    private static String stack(PassphraseCrypter c, String password, String token) {
        return """
                encryptionsalt: %s
                config:
                  dbstack:clusterGroups: [{name: dev, cluster: sandbox}]
                  dbstack:profiles:
                    - name: p
                      layers:
                        - name: db
                          type: postgresql
                          storage: 1
                          password: {secure: "%s"}
                        - name: api
                          type: container
                          image: ghcr.io/acme/api:1
                          env:
                            TOKEN: {secure: "%s"}
                  dbstack:apps: [{name: a, profile: p}]
                """.formatted(c.encryptionSalt(), password, token);
    }

    private static StackModel load(TestProject project, String passphrase) {
        return new StackLoader(project.catalog(), passphrase).load(StackLoader.loadProject(project.dir()), TestProject.STACK);
    }

    @Test
    void decryptsWithThePassphraseAndKeepsCiphertextWithout(@TempDir Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create("pw");
        TestProject project = TestProject.create(dir, stack(c, c.encrypt("db-pass"), c.encrypt("tok")));

        StackModel opened = load(project, "pw");
        DatabaseLayer db = (DatabaseLayer) opened.profiles().get(0).layers().get(0);
        ContainerLayer api = (ContainerLayer) opened.profiles().get(0).layers().get(1);
        assertThat(db.credentials().get("password").reveal()).isEqualTo("db-pass");
        assertThat(api.env().get(0).secret().reveal()).isEqualTo("tok");
        assertThat(db.credentials().get("password").toString()).isEqualTo("[secret]");

        StackModel sealed = load(project, null);
        assertThat(((DatabaseLayer) sealed.profiles().get(0).layers().get(0)).credentials().get("password").isDecrypted()).isFalse();
    }

    @Test
    void aWrongPassphraseOrAForeignValueIsAClearError(@TempDir Path dir) {
        PassphraseCrypter c = PassphraseCrypter.create("pw");
        PassphraseCrypter other = PassphraseCrypter.create("other");
        TestProject project = TestProject.create(dir, stack(c, c.encrypt("db-pass"), other.encrypt("tok")));

        UserInputException wrong = catchThrowableOfType(UserInputException.class, () -> load(project, "nope"));
        assertThat(wrong.problems()).extracting(Problem::render).containsExactly("stacks/Pulumi.test.yaml:1: encryptionsalt:"
                + " incorrect passphrase: DBSTACK_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE) does not open this stack's secrets");

        UserInputException foreign = catchThrowableOfType(UserInputException.class, () -> load(project, "pw"));
        assertThat(foreign.problems()).extracting(Problem::render).containsExactly("stacks/Pulumi.test.yaml:15:"
                + " config.dbstack:profiles[p].layers[api].env.TOKEN: cannot decrypt this secure: value with the stack's"
                + " passphrase; set it again with `pulumi config set --secret`");
    }
}
