package dev.dbstack.profiles;

import dev.dbstack.catalog.Catalog;
import dev.dbstack.model.AppDeployment;
import dev.dbstack.model.AppProfile;
import dev.dbstack.model.SemVer;
import dev.dbstack.model.StackModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Palette's update notifications: an app pinned to an older version of its profile than the newest one the
 * project and stack define is behind, and is told every change since its version.
 */
public final class ProfileUpdates {
    /**
     * @param versions the versions after the pinned one up to the newest, oldest first
     * @param layers   the changes from the pinned version to the newest
     */
    public record Update(String app, String profile, String pinned, String newest, List<String> versions,
                         List<ProfileDiff.LayerChange> layers) {}

    private ProfileUpdates() {}

    /** The versions of a profile the model knows, oldest first. */
    public static List<AppProfile> versions(StackModel model, String profile) {
        return model.profiles().stream().filter(p -> p.name().equals(profile))
                .sorted(Comparator.comparing((AppProfile p) -> SemVer.parse(p.version()))).toList();
    }

    public static AppProfile newest(StackModel model, String profile) {
        List<AppProfile> all = versions(model, profile);
        return all.get(all.size() - 1);
    }

    /** The update of one app, when it is behind. */
    public static Optional<Update> of(StackModel model, AppDeployment app, Catalog catalog) {
        AppProfile pinned = model.profileOf(app);
        AppProfile newest = newest(model, app.profile());
        SemVer at = SemVer.parse(pinned.version());
        if (SemVer.parse(newest.version()).compareTo(at) <= 0) return Optional.empty();
        List<String> between = versions(model, app.profile()).stream().map(AppProfile::version)
                .filter(v -> SemVer.parse(v).compareTo(at) > 0).toList();
        return Optional.of(new Update(app.name(), app.profile(), pinned.version(), newest.version(), between,
                ProfileDiff.between(pinned, newest, catalog, app.name())));
    }

    /** Every app of the stack that is behind, in the stack file's order. */
    public static List<Update> all(StackModel model, Catalog catalog) {
        List<Update> out = new ArrayList<>();
        for (AppDeployment app : model.apps()) of(model, app, catalog).ifPresent(out::add);
        return out;
    }
}
