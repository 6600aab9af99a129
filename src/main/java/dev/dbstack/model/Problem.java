package dev.dbstack.model;

/** One thing wrong with the user's input: where, which key, and what to do about it. */
public record Problem(SourceRef source, String key, String message) {

    /** {@code file:line: key: message}, the form editors and CI logs link to. */
    public String render() {
        StringBuilder out = new StringBuilder();
        String where = source.toString();
        if (!where.isEmpty()) out.append(where).append(": ");
        if (key != null && !key.isEmpty()) out.append(key).append(": ");
        return out.append(message).toString();
    }
}
