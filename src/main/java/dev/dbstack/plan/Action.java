package dev.dbstack.plan;

/** What a step does to one object, with the symbol preview prints (Terraform/Pulumi style). */
public enum Action {
    CREATE("+", "create"),
    UPDATE("~", "update"),
    REPLACE("+-", "replace"),
    EXPAND_VOLUME("~", "expand-volume"),
    DELETE("-", "delete"),
    /** The object stays in the cluster and state stops tracking it (a removed app's namespace). */
    KEEP("=", "keep"),
    DRIFT("!", "drift");

    private final String symbol;
    private final String verb;

    Action(String symbol, String verb) {
        this.symbol = symbol;
        this.verb = verb;
    }

    public String symbol() {
        return symbol;
    }

    public String verb() {
        return verb;
    }
}
