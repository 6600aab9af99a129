package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PassphraseCrypterTest {
    /**
     * Written by Pulumi itself: the passphrase provider's state from Pulumi's own test suite
     * (pkg/secrets/passphrase), created with the passphrase "password".
     */
    private static final String PULUMI_SALT = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==";

    @Test
    void opensASaltWrittenByPulumiAndRejectsAWrongPassphrase() throws Exception {
        PassphraseCrypter crypter = PassphraseCrypter.open(PULUMI_SALT, "password");
        assertThat(crypter.decryptOrThrow("v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==")).isEqualTo("pulumi");

        assertThatThrownBy(() -> PassphraseCrypter.open(PULUMI_SALT, "password123"))
                .isInstanceOf(PassphraseCrypter.WrongPassphraseException.class);
    }

    @Test
    void valuesRoundTripAndEveryEncryptionUsesAFreshNonce() throws Exception {
        PassphraseCrypter created = PassphraseCrypter.create("correct horse");
        String a = created.encrypt("s3cr3t");
        String b = created.encrypt("s3cr3t");
        assertThat(a).startsWith("v1:").isNotEqualTo(b).doesNotContain("s3cr3t");

        PassphraseCrypter reopened = PassphraseCrypter.open(created.encryptionSalt(), "correct horse");
        assertThat(reopened.decryptOrThrow(a)).isEqualTo("s3cr3t");
        assertThat(reopened.decryptOrThrow(b)).isEqualTo("s3cr3t");

        PassphraseCrypter other = PassphraseCrypter.create("another");
        assertThatThrownBy(() -> other.decryptOrThrow(a)).isInstanceOf(PassphraseCrypter.WrongPassphraseException.class);
    }
}
