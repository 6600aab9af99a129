package dev.dbstack.engine;

import dev.dbstack.config.EncryptionSalt;
import dev.dbstack.config.PassphraseCrypter;
import dev.dbstack.config.StackFileEditor;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.state.StackState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key of a stack's credentials in state. State records the salt its credentials were encrypted
 * with (Pulumi's checkpoint keeps its secrets provider's state the same way), so they open with
 * {@code open(stateSalt, passphrase)} whatever later happens to the stack file's
 * {@code encryptionsalt}, which keeps serving the file's own {@code secure:} values.
 *
 * <ul>
 *   <li>New state records, at its first {@code up}, the stack file's salt, or one created now and written
 *       into the stack file.
 *   <li>State from before the salt was recorded adopts the stack file's salt when every credential
 *       opens with it; otherwise it is an error that says how to get the salt back.
 *   <li>A stack file that lost its salt gets state's written back rather than a new one.
 * </ul>
 * Only a command holding the stack's lock writes anything; a read-only command works in memory.
 */
final class StateSecrets {
    static final String WRONG_PASSPHRASE = "incorrect passphrase: DBSTACK_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE)"
            + " does not open this stack's secrets";

    private final LoadedStack stack;
    private final String passphrase;
    private final boolean mayWrite;
    private final PrintStream err;
    /** State's directory as messages name it, relative to the project. */
    private final String stateDir;

    private StateSecrets(LoadedStack stack, String passphrase, boolean mayWrite, PrintStream err) {
        this.stack = stack;
        this.passphrase = passphrase;
        this.mayWrite = mayWrite;
        this.err = err;
        this.stateDir = StackState.directory(Path.of(""), stack.model().stack()).toString();
    }

    /**
     * The key of the credentials in state. Deriving it is most of a short command's CPU, so it is derived when a
     * value is first encrypted or decrypted, and a wrong passphrase is then the same error as here (exit 2); a
     * run that needs no secret (a preview of a stack never deployed, refresh, destroy) derives nothing.
     *
     * @param mayWrite true only for a command holding the stack's lock: it may write the salt into the stack file
     *                 (state records it when {@code up} applies, see {@code Engine.saveCredentials})
     */
    static PassphraseCrypter open(LoadedStack stack, StackState state, String passphrase, boolean mayWrite, PrintStream err) {
        return new StateSecrets(stack, passphrase, mayWrite, err).open(state);
    }

    private PassphraseCrypter open(StackState state) {
        Optional<EncryptionSalt> fileSalt = stack.encryptionSalt();
        String recorded = state.encryptionSalt();
        if (recorded != null) {
            SourceRef where = fileSalt.filter(s -> s.value().equals(recorded)).map(EncryptionSalt::source)
                    .orElse(new SourceRef(stateDir, 0));
            PassphraseCrypter key = deferred(recorded, where);
            if (fileSalt.isEmpty()) {
                if (mayWrite) key.unlock(); // the stack file gets the salt back only for the passphrase that opens it
                restoreIntoStackFile(recorded);
            }
            return key;
        }
        Map<String, String> credentials = state.credentials();
        if (credentials.isEmpty()) {
            // Nothing in state to open: the file's salt if it has one, checked when first used.
            if (fileSalt.isPresent()) return deferred(fileSalt.get().value(), fileSalt.get().source());
            // A new salt, its key derived only if used: a read-only command keeps nothing it could encrypt.
            PassphraseCrypter key = PassphraseCrypter.create(passphrase);
            // The stack file first: if it cannot take the salt, state records nothing either.
            if (mayWrite) StackFileEditor.addEncryptionSalt(stackFile(), display(), key.encryptionSalt());
            return key;
        }
        // State written before dbstack recorded the salt: only the stack file can say which it was.
        if (fileSalt.isEmpty()) {
            throw UserInputException.of(new SourceRef(display(), 0), EncryptionSalt.KEY, "missing, but this stack's state ("
                    + stateDir + ") holds credentials encrypted with the salt this file had at its first `up`. "
                    + restoreAdvice(credentials, null));
        }
        PassphraseCrypter key = deferred(fileSalt.get().value(), fileSalt.get().source());
        key.unlock();
        if (!opensAll(key, credentials)) {
            throw UserInputException.of(fileSalt.get().source(), EncryptionSalt.KEY, "is not the salt this stack's state"
                    + " was written with: the credentials in " + stateDir + " do not open with it (the line was changed"
                    + " after the first `up`, e.g. by a git checkout). " + restoreAdvice(credentials, fileSalt.get().value()));
        }
        if (mayWrite) state.putEncryptionSalt(fileSalt.get().value());
        return key;
    }

    private String restoreAdvice(Map<String, String> credentials, String current) {
        OptionalInt glued = lineHoldingSalt(credentials, current);
        if (glued.isPresent()) {
            return "Line " + glued.getAsInt() + " holds it outside YAML (an older dbstack appended it to a last line that"
                    + " had no final newline, e.g. a comment): make that value the file's only `encryptionsalt:` line and"
                    + " run again";
        }
        return "Restore the original line (`git log -p -S encryptionsalt -- " + display() + "` shows every value it had)"
                + " and run again. dbstack does not generate new credentials for databases that hold data; if that salt"
                + " is lost, see \"State, secrets and the lock\" in the README for the last resort";
    }

    /** A salt-shaped value anywhere in the stack file's text. */
    private static final Pattern SALT_TEXT = Pattern.compile("v1:[A-Za-z0-9+/=]+:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");

    /**
     * Only to say where to look: older versions appended the salt to a last line without a newline,
     * into a comment, so it may still be in the file though YAML does not see it. A value counts only
     * if it opens every credential (each try costs a key derivation, so only a few are tried).
     */
    private OptionalInt lineHoldingSalt(Map<String, String> credentials, String current) {
        List<String> lines;
        try {
            lines = Files.readAllLines(stackFile(), StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return OptionalInt.empty();
        }
        int tried = 0;
        for (int i = 0; i < lines.size() && tried < 3; i++) {
            Matcher m = SALT_TEXT.matcher(lines.get(i));
            while (m.find() && tried < 3) {
                if (m.group().equals(current)) continue;
                tried++;
                try {
                    if (opensAll(PassphraseCrypter.open(m.group(), passphrase), credentials)) return OptionalInt.of(i + 1);
                } catch (PassphraseCrypter.WrongPassphraseException | IllegalArgumentException e) {
                    // not it
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The stack file lost its salt (reverted, deleted): state's goes back, never a new one. */
    private void restoreIntoStackFile(String recorded) {
        if (!mayWrite) {
            err.println("warning: " + display() + " has no encryptionsalt; using the one this stack's state was written"
                    + " with; the next `up` writes it back");
            return;
        }
        StackFileEditor.addEncryptionSalt(stackFile(), display(), recorded);
        err.println("warning: " + display() + " had no encryptionsalt; wrote back the one this stack's state was written"
                + " with (commit it)");
    }

    /**
     * The key of {@code salt}, derived when first used. The stack file's own key when it is the same salt and
     * passphrase, so that secure: values and state's credentials share one derivation.
     */
    private PassphraseCrypter deferred(String salt, SourceRef where) {
        Optional<PassphraseCrypter> fileKey = stack.fileKey();
        if (fileKey.isPresent() && stack.encryptionSalt().map(EncryptionSalt::value).filter(salt::equals).isPresent()
                && passphrase.equals(LoadedStack.passphrase())) {
            return fileKey.get();
        }
        try {
            return PassphraseCrypter.deferred(salt, passphrase, () -> wrongPassphrase(where));
        } catch (IllegalArgumentException e) {
            throw UserInputException.of(where, EncryptionSalt.KEY, e.getMessage());
        }
    }

    private static UserInputException wrongPassphrase(SourceRef where) {
        return UserInputException.of(where, EncryptionSalt.KEY, LoadedStack.passphrase() == null
                ? "this stack's secrets are sealed with a passphrase and none is set: set DBSTACK_CONFIG_PASSPHRASE"
                + " (or PULUMI_CONFIG_PASSPHRASE)" : WRONG_PASSPHRASE);
    }

    private static boolean opensAll(PassphraseCrypter key, Map<String, String> credentials) {
        for (String sealed : credentials.values()) {
            try {
                key.decryptOrThrow(sealed);
            } catch (PassphraseCrypter.WrongPassphraseException | IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    private String display() {
        return stack.model().stackFile();
    }

    private Path stackFile() {
        return stack.project().dir().resolve(display());
    }
}
