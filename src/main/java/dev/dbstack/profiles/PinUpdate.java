package dev.dbstack.profiles;

import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.SemVer;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.StackModel;
import dev.dbstack.model.Suggest;
import dev.dbstack.model.UserInputException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code dbstack app update APP [--to VERSION]} changes: the version one app is to pin, checked against the
 * versions the project and stack define. A wrong argument is one message naming what exists.
 *
 * @param app    the app deployment, as configured now
 * @param target the version to pin
 */
public record PinUpdate(AppDeployment app, String target) {
    /** Whether the app already pins the target: nothing to write. */
    public boolean unchanged() {
        return app.profileVersion().equals(target);
    }

    public String newRef() {
        return app.profile() + "@" + target;
    }

    /** @param to the version asked for, or null for the newest */
    public static PinUpdate of(StackModel model, String appName, String to) {
        List<String> names = model.apps().stream().map(AppDeployment::name).toList();
        AppDeployment app = model.apps().stream().filter(a -> a.name().equals(appName)).findFirst()
                .orElseThrow(() -> UserInputException.of(new SourceRef(model.stackFile(), 0), "APP", "no app deployment "
                        + Suggest.quote(appName) + Suggest.didYouMean(appName, names) + " (apps: " + String.join(", ", names) + ")"));
        if (!app.source().file().isEmpty() && !app.source().file().equals(model.stackFile())) {
            throw UserInputException.of(app.source(), "APP", "app " + app.name() + "'s pin lives in " + app.source().file()
                    + ", not in the stack file " + model.stackFile() + "; edit it there");
        }
        List<AppProfile> versions = ProfileUpdates.versions(model, app.profile());
        String listed = versions.stream().map(AppProfile::version).collect(Collectors.joining(", "));
        if (to == null) return new PinUpdate(app, versions.get(versions.size() - 1).version());
        if (!SemVer.isValid(to)) {
            throw UserInputException.of(new SourceRef("", 0), "--to", Suggest.quote(to) + " is not a semantic version such"
                    + " as 1.2.0 (profile " + app.profile() + " has " + listed + ")");
        }
        if (versions.stream().noneMatch(p -> p.version().equals(to))) {
            throw UserInputException.of(new SourceRef("", 0), "--to", "profile " + app.profile() + " has no version " + to
                    + " (versions: " + listed + ")");
        }
        return new PinUpdate(app, to);
    }
}
