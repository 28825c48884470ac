package dev.warren.core.policy;

import java.util.Map;

/** The policy and the operator policy (either may be null) one queue or exchange takes. */
public record AppliedPolicies(Policy policy, Policy operatorPolicy) {
    public static final AppliedPolicies NONE = new AppliedPolicies(null, null);

    /** The definition the two give together: RabbitMQ's {@code effective_policy_definition}. */
    public Map<String, Object> effective() {
        return Policies.effective(policy, operatorPolicy);
    }
}
