package dev.dbstack.cli;

import dev.dbstack.engine.LoadedStack;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.plan.Plan;
import dev.dbstack.plan.PlanMarkdown;
import dev.dbstack.plan.PlanPrinter;
import dev.dbstack.plan.PlanReport;
import java.io.PrintStream;

/**
 * How {@code preview} and {@code up} print a plan: for people ({@code text}), for programs
 * ({@code json}, schema {@code docs/plan-output.schema.json}), for a pull request ({@code markdown}).
 */
final class PlanOutput {
    enum Format { text, json, markdown }

    private PlanOutput() {}

    /** {@code --json} is short for {@code --format json}; with another {@code --format} it is a contradiction. */
    static Format format(Format format, boolean json) {
        if (!json) return format;
        if (format != Format.text && format != Format.json) {
            throw UserInputException.of(SourceRef.UNKNOWN, "--json", "--json is --format json; it cannot go with --format " + format);
        }
        return Format.json;
    }

    /**
     * For input that could not be planned or a refused plan, a machine format still gets its document
     * (with the problems as refusals) on stdout; Main prints the problems on stderr and exits with 2.
     *
     * @param stack null when the project could not be loaded
     * @param compact one line (a JSON Lines stream) rather than an indented document
     */
    static void refused(Format format, LoadedStack stack, String stackOption, UserInputException e, PrintStream out,
                        boolean compact) {
        String project = stack == null ? null : stack.project().name();
        String stackName = stack == null ? stackOption : stack.model().stack();
        switch (format) {
            case json -> {
                var doc = PlanReport.refused(project, stackName, e.problems());
                out.println(compact ? PlanReport.compact(doc) : PlanReport.pretty(doc));
            }
            case markdown -> out.print(PlanMarkdown.refused(project, stackName, e.problems()));
            case text -> { }
        }
        out.flush();
    }

    /**
     * {@code --expect-no-changes} and the plan has some: says so on stderr; the caller exits with
     * {@link Main#EXIT_CHANGES_PENDING}.
     */
    static int changesPending(Plan plan, String command, PrintStream err) {
        err.println("changes pending (--expect-no-changes): " + PlanPrinter.summary(plan)
                + ("up".equals(command) ? " Nothing was applied." : ""));
        err.flush();
        return Main.EXIT_CHANGES_PENDING;
    }
}
