package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Policies and operator policies, as rabbitmqctl sets them: {@code set_policy [--priority N]
 * [--apply-to queues|exchanges|all] <name> <pattern> <definition>}, {@code clear_policy <name>},
 * {@code list_policies}, and the same for operator policies. The node checks the definition; its refusal
 * is printed as rabbitmqctl prints it ("Validation failed" and why) with exit 69.
 */
final class PolicyActions {
    static final String POLICIES = "policies";
    static final String OPERATOR_POLICIES = "operator-policies";

    private PolicyActions() {
    }

    static Result set(Call call, String collection) {
        String priority = call.option(Option.PRIORITY, "0");
        int priorityValue;
        try {
            priorityValue = Integer.parseInt(priority);
        } catch (NumberFormatException e) {
            throw new CliException(ExitCodes.USAGE, "Error (argument validation): Invalid options for this command:\n"
                    + "--priority : " + priority);
        }
        JsonNode definition;
        try {
            definition = NodeClient.JSON.readTree(call.arg(2));
        } catch (java.io.IOException e) {
            definition = null;
        }
        if (!(definition instanceof ObjectNode)) {
            throw CliException.error(ExitCodes.UNAVAILABLE, "JSON decoding error. Reason: badarg");
        }
        ObjectNode body = NodeClient.JSON.createObjectNode()
                .put("pattern", call.arg(1))
                .put("apply-to", call.option(Option.APPLY_TO, "all"))
                .put("priority", priorityValue);
        body.set("definition", definition);
        ApiResponse response = call.node().put(path(call, collection), body);
        if (response.status() == 400) {
            throw CliException.error(ExitCodes.UNAVAILABLE, response.reason().strip());
        }
        NodeClient.require(response, () -> Failures.noSuchVhost(call.vhost()));
        return Result.done();
    }

    /** Clearing a policy that is not there is an error, as in rabbitmqctl (69, "Parameter does not exist"). */
    static Result clear(Call call, String collection) {
        ApiResponse response = call.node().delete(path(call, collection), Map.of());
        if (response.status() == 404) {
            Failures.requireVhost(call.node(), call.vhost());
            throw CliException.error(ExitCodes.UNAVAILABLE, "Parameter does not exist");
        }
        NodeClient.require(response);
        return Result.done();
    }

    static Result list(Call call, String collection) {
        return Listing.inVhost(call, collection);
    }

    static String setBanner(Call call, String what) {
        return "Setting " + what + " \"" + call.arg(0) + "\" for pattern \"" + call.arg(1) + "\" to \"" + call.arg(2)
                + "\" with priority \"" + call.option(Option.PRIORITY, "0") + "\" for vhost \"" + call.vhost() + "\" ...";
    }

    private static String path(Call call, String collection) {
        return "/api/" + collection + "/" + NodeClient.segment(call.vhost()) + "/" + NodeClient.segment(call.arg(0));
    }
}
