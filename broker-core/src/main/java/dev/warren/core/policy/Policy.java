package dev.warren.core.policy;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One policy of a virtual host: the queues and exchanges whose names its pattern matches (a regular
 * expression found anywhere in the name, as RabbitMQ runs it) and that its {@code apply-to} covers take its
 * definition. Immutable; checked when made.
 */
public final class Policy {
    private final String name;
    private final String pattern;
    private final Pattern compiled;
    private final ApplyTo applyTo;
    private final int priority;
    private final Map<String, Object> definition;

    private Policy(String name, String pattern, Pattern compiled, ApplyTo applyTo, int priority,
                   Map<String, Object> definition) {
        this.name = name;
        this.pattern = pattern;
        this.compiled = compiled;
        this.applyTo = applyTo;
        this.priority = priority;
        this.definition = definition;
    }

    /**
     * A checked policy of the layer.
     *
     * @throws InvalidPolicyException in RabbitMQ's words when the pattern or the definition is not valid
     */
    public static Policy of(PolicyLayer layer, String name, String pattern, ApplyTo applyTo, int priority,
                            Map<String, Object> definition) {
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new InvalidPolicyException("pattern should be regular expression but is invalid: {\""
                    + e.getDescription() + "\"," + Math.max(e.getIndex(), 0) + "}");
        }
        return new Policy(name, pattern, compiled, applyTo, priority, PolicyDefinition.validate(definition, layer));
    }

    public String name() {
        return name;
    }

    public String pattern() {
        return pattern;
    }

    public ApplyTo applyTo() {
        return applyTo;
    }

    public int priority() {
        return priority;
    }

    /** The checked definition, keys in order. */
    public Map<String, Object> definition() {
        return definition;
    }

    /** Whether this policy covers the queue (or exchange) of this name. */
    public boolean matches(boolean queue, String objectName) {
        return (queue ? applyTo.queues() : applyTo.exchanges()) && compiled.matcher(objectName).find();
    }

    /** Whether this one wins over {@code other} where both match: the higher priority, then the first name. */
    boolean beats(Policy other) {
        return other == null || priority > other.priority || (priority == other.priority && name.compareTo(other.name) < 0);
    }
}
