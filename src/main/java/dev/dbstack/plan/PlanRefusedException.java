package dev.dbstack.plan;

import dev.dbstack.model.Problem;
import dev.dbstack.model.UserInputException;
import java.util.List;

/** A plan that would lose data or cannot be carried out; nothing is executed. */
public final class PlanRefusedException extends UserInputException {
    public PlanRefusedException(List<Problem> problems) {
        super(problems);
    }
}
