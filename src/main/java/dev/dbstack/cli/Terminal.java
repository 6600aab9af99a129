package dev.dbstack.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Whether a person is watching: prompts only then, and a status line redrawn in place (carriage
 * returns, ANSI erase) only on a terminal that can show it. CI systems set {@code CI}; some give jobs a
 * pseudo-terminal all the same, where a prompt would wait for ever and redraws would litter the log.
 */
final class Terminal {
    private Terminal() {}

    /** stdin and stdout are a terminal, and {@code CI} is not set: a prompt can be answered. */
    static boolean canPrompt() {
        return canPrompt(isTerminal(System.console()), System.getenv());
    }

    /** As {@link #canPrompt}, and the terminal is not {@code TERM=dumb}: lines may be redrawn. */
    static boolean canRedraw() {
        return canRedraw(isTerminal(System.console()), System.getenv());
    }

    static boolean canPrompt(boolean terminal, Map<String, String> env) {
        return terminal && !isSet(env.get("CI"));
    }

    static boolean canRedraw(boolean terminal, Map<String, String> env) {
        return canPrompt(terminal, env) && !"dumb".equalsIgnoreCase(env.getOrDefault("TERM", ""));
    }

    /** CI=false (or empty) is how some set it when they mean "not CI". */
    private static boolean isSet(String value) {
        return value != null && !value.isBlank() && !value.equalsIgnoreCase("false") && !value.equals("0");
    }

    /**
     * Up to Java 21 {@link System#console()} is null unless stdin and stdout are a terminal; from Java 22 it
     * may be a console on pipes too, and {@code Console.isTerminal()} says which.
     */
    private static boolean isTerminal(Console console) {
        if (console == null) return false;
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
