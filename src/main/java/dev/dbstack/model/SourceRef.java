package dev.dbstack.model;

/** Where a value came from: a file and a 1-based line (0 when unknown), for error messages. */
public record SourceRef(String file, int line) {
    public static final SourceRef UNKNOWN = new SourceRef("", 0);

    @Override
    public String toString() {
        if (file.isEmpty()) return "";
        return line > 0 ? file + ":" + line : file;
    }
}
