package dev.dbstack.model;

import java.nio.file.Path;

/** {@code Pulumi.yaml}: the project's name and where its stack files live. */
public record Project(String name, String description, Path dir, Path stackConfigDir) {}
