package dev.dbstack.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pulumi's passphrase secrets provider, bit for bit, so that {@code pulumi config set --secret} and
 * dbstack read each other's values: the key is PBKDF2-HMAC-SHA256 of the passphrase over the stack's
 * 8-byte salt with 1,000,000 iterations; each value is AES-256-GCM with a fresh 12-byte nonce,
 * written {@code v1:<base64 nonce>:<base64 ciphertext+tag>}. A stack file's {@code encryptionsalt}
 * is {@code v1:<base64 salt>:} followed by the encryption of {@code pulumi}, which proves the passphrase.
 */
public final class PassphraseCrypter {
    private static final int ITERATIONS = 1_000_000;
    private static final int KEY_BITS = 256;
    private static final int SALT_BYTES = 8;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String VERIFIER = "pulumi";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String encryptionSalt;

    private PassphraseCrypter(SecretKeySpec key, String encryptionSalt) {
        this.key = key;
        this.encryptionSalt = encryptionSalt;
    }

    /** Thrown when the passphrase does not open the stack's secrets. */
    public static final class WrongPassphraseException extends Exception {
        WrongPassphraseException() {
            super("incorrect passphrase");
        }
    }

    /** Opens an existing stack's secrets; checks the passphrase against the salt's verifier. */
    public static PassphraseCrypter open(String encryptionSalt, String passphrase) throws WrongPassphraseException {
        checkSalt(encryptionSalt);
        String[] parts = encryptionSalt.split(":", 3);
        byte[] salt = Base64.getDecoder().decode(parts[1]);
        PassphraseCrypter crypter = new PassphraseCrypter(deriveKey(passphrase, salt), encryptionSalt);
        if (!VERIFIER.equals(crypter.decrypt(parts[2]))) throw new WrongPassphraseException();
        return crypter;
    }

    /**
     * Checks the form of an {@code encryptionsalt} without the passphrase.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkSalt(String encryptionSalt) {
        String[] parts = encryptionSalt.split(":", 3);
        boolean ok = parts.length == 3 && parts[0].equals("v1") && parts[2].startsWith("v1:");
        if (ok) {
            try {
                ok = Base64.getDecoder().decode(parts[1]).length > 0;
                checkCiphertext(parts[2]);
            } catch (IllegalArgumentException e) {
                ok = false;
            }
        }
        if (!ok) throw new IllegalArgumentException("is not a salt in Pulumi's v1:<salt>:<verifier> form");
    }

    /**
     * Checks the form of a {@code secure:} value without the key: {@code v1:<nonce>:<ciphertext>}, a
     * 12-byte nonce and a ciphertext at least as long as its 16-byte tag, both base64.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkCiphertext(String ciphertext) {
        String[] parts = ciphertext.split(":", -1);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new IllegalArgumentException("is not in Pulumi's v1:<nonce>:<ciphertext> form");
        }
        if (base64(parts[1], "nonce").length != NONCE_BYTES) {
            throw new IllegalArgumentException("has a nonce of the wrong length (Pulumi's are " + NONCE_BYTES + " bytes)");
        }
        if (base64(parts[2], "ciphertext").length < TAG_BITS / 8) {
            throw new IllegalArgumentException("has a ciphertext too short to hold its authentication tag");
        }
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has a " + what + " that is not base64");
        }
    }

    /** A new salt and key for a stack that has none yet; {@link #encryptionSalt()} goes into its stack file. */
    public static PassphraseCrypter create(String passphrase) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        SecretKeySpec key = deriveKey(passphrase, salt);
        PassphraseCrypter partial = new PassphraseCrypter(key, null);
        String encryptionSalt = "v1:" + Base64.getEncoder().encodeToString(salt) + ":" + partial.encrypt(VERIFIER);
        return new PassphraseCrypter(key, encryptionSalt);
    }

    public String encryptionSalt() {
        return encryptionSalt;
    }

    public String encrypt(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return "v1:" + Base64.getEncoder().encodeToString(nonce) + ":" + Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * @throws WrongPassphraseException when the value was sealed with another key (or altered)
     */
    public String decryptOrThrow(String ciphertext) throws WrongPassphraseException {
        String result = decrypt(ciphertext);
        if (result == null) throw new WrongPassphraseException();
        return result;
    }

    /** The plaintext, or null when authentication fails. */
    private String decrypt(String ciphertext) {
        checkCiphertext(ciphertext);
        String[] parts = ciphertext.split(":");
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Base64.getDecoder().decode(parts[1])));
            return new String(c.doFinal(Base64.getDecoder().decode(parts[2])), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static SecretKeySpec deriveKey(String passphrase, byte[] salt) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] key = f.generateSecret(new PBEKeySpec(passphrase.toCharArray(), salt, ITERATIONS, KEY_BITS)).getEncoded();
            return new SecretKeySpec(key, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}
