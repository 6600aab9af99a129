package dev.dbstack.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dbstack.engine.LoadedStack;
import dev.dbstack.profiles.ProfileUpdates;
import dev.dbstack.profiles.UpdatePrinter;
import java.util.List;

/** The update notifications preview and up show next to the plan: computed from the configuration alone. */
final class UpdateNotes {
    private UpdateNotes() {}

    static List<ProfileUpdates.Update> of(LoadedStack stack) {
        return ProfileUpdates.all(stack.model(), stack.catalog());
    }

    /** The notifications after a text plan, a blank line first; empty when every app is on its newest version. */
    static String text(LoadedStack stack) {
        String text = UpdatePrinter.text(of(stack));
        return text.isEmpty() ? "" : "\n" + text;
    }

    /** The plan document with its {@code updates} (docs/plan-output.schema.json). */
    static ObjectNode addTo(ObjectNode doc, LoadedStack stack) {
        doc.set("updates", UpdatePrinter.json(of(stack)));
        return doc;
    }

    static String markdown(LoadedStack stack) {
        return UpdatePrinter.markdown(of(stack));
    }
}
