package dev.warren.mgmt.http;

/** The tag a route needs, in RabbitMQ's order: each level includes the ones before it. */
public enum Requirement {
    /** No login at all (/metrics). */
    NONE("no login"),
    /** management, policymaker, monitoring or administrator. */
    MANAGEMENT("Not management user"),
    /** policymaker or administrator (a tag beside the others, not above or below them). */
    POLICYMAKER("Not policymaker user"),
    /** monitoring or administrator. */
    MONITORING("Not monitor user"),
    /** administrator. */
    ADMINISTRATOR("Not administrator user");

    private final String refusal;

    Requirement(String refusal) {
        this.refusal = refusal;
    }

    /** The reason given when a logged-in user lacks the tag (RabbitMQ's wording). */
    public String refusal() {
        return refusal;
    }
}
