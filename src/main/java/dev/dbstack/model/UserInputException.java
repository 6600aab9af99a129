package dev.dbstack.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Input the user can fix (configuration, references, catalog entries). The CLI prints every
 * problem on its own line and exits with code 2; it never shows a stack trace for these.
 */
public class UserInputException extends RuntimeException {
    private final List<Problem> problems;

    public UserInputException(List<Problem> problems) {
        super(problems.stream().map(Problem::render).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public UserInputException(Problem problem) {
        this(List.of(problem));
    }

    public static UserInputException of(SourceRef source, String key, String message) {
        return new UserInputException(new Problem(source, key, message));
    }

    public List<Problem> problems() {
        return problems;
    }
}
