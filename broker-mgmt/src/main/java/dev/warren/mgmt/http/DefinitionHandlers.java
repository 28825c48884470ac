package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.store.DefinitionsJson;

/**
 * /api/definitions (administrators only): GET exports users (with their password hashes), vhosts,
 * permissions and the durable exchanges, queues and bindings in RabbitMQ's format; POST imports such a
 * document, adding to what is there.
 */
final class DefinitionHandlers {
    private final Scope scope;
    private final String productVersion;

    DefinitionHandlers(Scope scope, String productVersion) {
        this.scope = scope;
        this.productVersion = productVersion;
    }

    void register(Router router) {
        router.get("/api/definitions", Requirement.ADMINISTRATOR, this::export);
        router.post("/api/definitions", Requirement.ADMINISTRATOR, this::importAll);
    }

    private ApiResponse export(ApiRequest request) {
        ObjectNode document = DefinitionsJson.write(scope.broker().exportDefinitions());
        document.put("product_version", productVersion);
        // sections Warren has no equivalent of, present and empty so that tools reading them find them
        for (String empty : new String[] {"parameters", "global_parameters", "policies"}) {
            if (!document.has(empty)) {
                document.putArray(empty);
            }
        }
        ApiResponse response = ApiResponse.json(document);
        String download = request.queryParam("download");
        if (download != null && download.matches("[A-Za-z0-9._-]+")) {
            response = response.withHeader("Content-Disposition", "attachment; filename=\"" + download + "\"");
        }
        return response;
    }

    private ApiResponse importAll(ApiRequest request) {
        ObjectNode document = request.jsonObject();
        BrokerDefinitions definitions;
        try {
            definitions = DefinitionsJson.read(document);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        scope.broker().importDefinitions(definitions);
        return ApiResponse.noContent();
    }
}
