package dev.dbstack.model;

import java.nio.file.Path;

/**
 * {@code Pulumi.yaml}: the project's name, where its stack files live and where its state lives
 * ({@code backend.url}, null for the default {@code file://}; {@code backendSource} is its line).
 */
public record Project(String name, String description, Path dir, Path stackConfigDir, String backendUrl,
                      SourceRef backendSource) {
    public Project(String name, String description, Path dir, Path stackConfigDir) {
        this(name, description, dir, stackConfigDir, null, null);
    }
}
