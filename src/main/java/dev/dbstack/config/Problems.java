package dev.dbstack.config;

import dev.dbstack.model.Problem;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of one load so the user sees them all at once, in file order. */
final class Problems {
    private static final int MAX_KEY = 300;
    private final List<Problem> list = new ArrayList<>();

    void add(SourceRef source, String key, String message) {
        // A key path holds the user's keys, which may be a megabyte long: a message shows a short piece.
        list.add(new Problem(source, key.length() > MAX_KEY ? key.substring(0, MAX_KEY) + "…" : key, message));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    void throwIfAny() {
        if (list.isEmpty()) return;
        List<Problem> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing((Problem p) -> p.source().file()).thenComparingInt(p -> p.source().line()));
        throw new UserInputException(sorted);
    }
}
