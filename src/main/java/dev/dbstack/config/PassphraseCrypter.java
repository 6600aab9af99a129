package dev.dbstack.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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
 *
 * <p>The derivation is deliberately slow (most of a short command's CPU), so it happens once per
 * crypter and only when a value is first encrypted or decrypted: a run that touches no secret derives nothing.
 */
public final class PassphraseCrypter {
    private static final int ITERATIONS = 1_000_000;
    private static final int KEY_BITS = 256;
    private static final int SALT_BYTES = 8;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String VERIFIER = "pulumi";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Key derivations this process ran: each is most of a short command's CPU, so tests count them. */
    private static final AtomicLong DERIVATIONS = new AtomicLong();

    private final byte[] salt;
    /** Null once the key is derived: nothing needs it after. */
    private char[] passphrase;
    /** The salt's verifier ({@code v1:<nonce>:<ciphertext>} of "pulumi"), null for a salt created here. */
    private final String verifier;
    /** What a key that fails the verifier throws (a deferred open); null where the caller checks at once. */
    private final Supplier<? extends RuntimeException> wrongPassphrase;
    private volatile SecretKeySpec key;
    private volatile String encryptionSalt;
    /** The passphrase failed the verifier: never derived again. */
    private boolean refused;

    private PassphraseCrypter(byte[] salt, String passphrase, String verifier, Supplier<? extends RuntimeException> wrongPassphrase) {
        this.salt = salt;
        this.passphrase = passphrase.toCharArray();
        this.verifier = verifier;
        this.wrongPassphrase = wrongPassphrase;
        if (verifier != null) this.encryptionSalt = "v1:" + Base64.getEncoder().encodeToString(salt) + ":" + verifier;
    }

    /** Thrown when the passphrase does not open the stack's secrets. */
    public static final class WrongPassphraseException extends Exception {
        WrongPassphraseException() {
            super("incorrect passphrase");
        }
    }

    /** Opens an existing stack's secrets; derives the key now and checks the passphrase against the salt's verifier. */
    public static PassphraseCrypter open(String encryptionSalt, String passphrase) throws WrongPassphraseException {
        PassphraseCrypter crypter = deferred(encryptionSalt, passphrase, null);
        if (!crypter.derive()) throw new WrongPassphraseException();
        return crypter;
    }

    /**
     * Opens an existing stack's secrets without deriving the key: that happens, and the passphrase is checked,
     * on the first {@link #encrypt}, {@link #decryptOrThrow} or {@link #unlock} — so a run that never
     * touches a secret never pays for the derivation.
     *
     * @param wrongPassphrase what those throw when the passphrase does not open the salt (each time)
     * @throws IllegalArgumentException when the salt is malformed (checked now: that needs no key)
     */
    public static PassphraseCrypter deferred(String encryptionSalt, String passphrase,
                                             Supplier<? extends RuntimeException> wrongPassphrase) {
        checkSalt(encryptionSalt);
        String[] parts = encryptionSalt.split(":", 3);
        return new PassphraseCrypter(Base64.getDecoder().decode(parts[1]), passphrase, parts[2], wrongPassphrase);
    }

    /**
     * Derives the key now if that has not happened yet (exactly once, whatever the number of threads asking),
     * for a caller that must know the passphrase is right before it goes on.
     *
     * @throws RuntimeException what {@link #deferred} was given, when the passphrase does not open the salt
     */
    public void unlock() {
        key();
    }

    private synchronized boolean derive() {
        if (key != null) return true;
        if (refused) return false;
        SecretKeySpec derived = deriveKey(passphrase, salt);
        if (verifier != null && !VERIFIER.equals(decrypt(verifier, derived))) {
            refused = true;
            return false;
        }
        key = derived;
        java.util.Arrays.fill(passphrase, '\0');
        passphrase = null;
        return true;
    }

    /** The key, derived on first use. */
    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k != null) return k;
        if (derive()) return key;
        // Only a deferred open can get here: open() and create() hold a checked key.
        throw wrongPassphrase != null ? wrongPassphrase.get() : new IllegalStateException("incorrect passphrase");
    }

    /** Package-private for tests: how many keys this process has derived so far. */
    static long derivations() {
        return DERIVATIONS.get();
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

    /**
     * A new salt for a stack that has none yet; {@link #encryptionSalt()} goes into its stack file. The key
     * is derived when first needed (the salt's verifier needs it), so a throwaway that is never used costs nothing.
     */
    public static PassphraseCrypter create(String passphrase) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PassphraseCrypter(salt, passphrase, null, null);
    }

    public String encryptionSalt() {
        String s = encryptionSalt;
        if (s == null) {
            // A created salt: its verifier is the encryption of "pulumi" under its key.
            synchronized (this) {
                if (encryptionSalt == null) {
                    encryptionSalt = "v1:" + Base64.getEncoder().encodeToString(salt) + ":" + encrypt(VERIFIER);
                }
                s = encryptionSalt;
            }
        }
        return s;
    }

    public String encrypt(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, nonce));
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
        checkCiphertext(ciphertext);
        String result = decrypt(ciphertext, key());
        if (result == null) throw new WrongPassphraseException();
        return result;
    }

    /** The plaintext, or null when authentication fails. */
    private static String decrypt(String ciphertext, SecretKeySpec key) {
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

    private static SecretKeySpec deriveKey(char[] passphrase, byte[] salt) {
        DERIVATIONS.incrementAndGet();
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] key = f.generateSecret(new PBEKeySpec(passphrase, salt, ITERATIONS, KEY_BITS)).getEncoded();
            return new SecretKeySpec(key, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}
