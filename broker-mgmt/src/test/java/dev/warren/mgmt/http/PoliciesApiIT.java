package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /api/policies and /api/operator-policies as RabbitMQ's API has them (responses and reason texts taken
 * from RabbitMQ 3.10.8 with its management plugin): set, replace, list, show, delete; refusals with 400 and
 * RabbitMQ's validation text, changing nothing; the policy fields of queues and exchanges; who may set them.
 */
@Timeout(60)
class PoliciesApiIT extends SharedManagementIT {
    private static final String TTL_POLICY = "{\"pattern\":\"^papi\\\\.\",\"definition\":{\"message-ttl\":60000,\"max-length\":10},"
            + "\"priority\":1,\"apply-to\":\"queues\"}";

    @AfterEach
    void clearPolicies() {
        for (String name : List.of("papi-ttl", "papi-other", "papi-ae", "papi-by-policymaker")) {
            api.delete("/api/policies/%2F/" + name);
        }
        api.delete("/api/operator-policies/%2F/papi-op");
        api.delete("/api/queues/%2F/papi.q");
        api.delete("/api/queues/%2F/other.q");
        api.delete("/api/exchanges/%2F/papi.x");
        api.delete("/api/users/papi-policymaker");
        api.delete("/api/users/papi-manager");
    }

    @Test
    void aPolicyIsCreatedReplacedListedShownAndDeleted() {
        assertEquals(201, api.put("/api/policies/%2F/papi-ttl", TTL_POLICY).status());
        JsonNode shown = api.get("/api/policies/%2F/papi-ttl").json();
        assertEquals("{\"vhost\":\"/\",\"name\":\"papi-ttl\",\"pattern\":\"^papi\\\\.\",\"apply-to\":\"queues\","
                + "\"definition\":{\"max-length\":10,\"message-ttl\":60000},\"priority\":1}", shown.toString());
        assertTrue(api.get("/api/policies").json().toString().contains("\"name\":\"papi-ttl\""));
        assertEquals(1, api.get("/api/policies/%2F").json().size());

        assertEquals(204, api.put("/api/policies/%2F/papi-ttl", "{\"pattern\":\"^papi\\\\.\",\"definition\":{\"max-length\":5}}").status());
        JsonNode replaced = api.get("/api/policies/%2F/papi-ttl").json();
        assertEquals("all", replaced.path("apply-to").asText(), "apply-to defaults to all");
        assertEquals(0, replaced.path("priority").asInt(), "priority defaults to 0");
        assertEquals("{\"max-length\":5}", replaced.path("definition").toString());

        assertEquals(204, api.delete("/api/policies/%2F/papi-ttl").status());
        assertEquals(404, api.get("/api/policies/%2F/papi-ttl").status());
        assertEquals(404, api.delete("/api/policies/%2F/papi-ttl").status());
        assertEquals(404, api.put("/api/policies/no-such-vhost/papi-ttl", TTL_POLICY).status());
    }

    @Test
    void aBadPolicyIsRefusedWith400AndRabbitMqsValidationTextChangingNothing() {
        assertEquals(201, api.put("/api/policies/%2F/papi-ttl", TTL_POLICY).status());
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"message-ttl\":\"x\"}}",
                "Validation failed\n\n<<\"x\">> is not a valid message TTL\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"expires\":0}}",
                "Validation failed\n\n0 is not a valid queue expiry\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"max-length\":1.5}}",
                "Validation failed\n\n1.5 is not a valid maximum length\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"overflow\":\"bad\"}}",
                "Validation failed\n\n<<\"bad\">> is not a valid overflow value\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"foo\":1,\"bar\":true}}",
                "Validation failed\n\n[{<<\"bar\">>,true},{<<\"foo\">>,1}] are not recognised policy settings\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{}}",
                "Validation failed\n\nno policy provided\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\"}", "[{key_missing,definition}]");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"definition\":{\"max-length\":1}}", "[{key_missing,pattern}]");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"max-length\":1},\"priority\":\"7\"}",
                "Validation failed\n\npriority should be a number, actually was <<\"7\">>\n");
        assertRefused("/api/policies/%2F/papi-ttl", "{\"pattern\":\"x\",\"definition\":{\"max-length\":1},\"apply-to\":\"bad\"}",
                "Validation failed\n\napply-to 'bad' unrecognised; should be 'queues', 'classic_queues', 'exchanges' or 'all'\n");
        ApiClient.Response badPattern = api.put("/api/policies/%2F/papi-ttl", "{\"pattern\":\"(\",\"definition\":{\"max-length\":1}}");
        assertEquals(400, badPattern.status());
        assertTrue(badPattern.json().path("reason").asText().startsWith(
                "Validation failed\n\npattern should be regular expression but is invalid: "), badPattern.body());
        assertRefused("/api/operator-policies/%2F/papi-op", "{\"pattern\":\"x\",\"definition\":{\"dead-letter-exchange\":\"dlx\"}}",
                "Validation failed\n\n[{<<\"dead-letter-exchange\">>,<<\"dlx\">>}] are not recognised policy settings\n");

        assertEquals("{\"max-length\":10,\"message-ttl\":60000}",
                api.get("/api/policies/%2F/papi-ttl").json().path("definition").toString(), "unchanged");
        assertEquals(404, api.get("/api/operator-policies/%2F/papi-op").status());
    }

    private static void assertRefused(String path, String body, String reason) {
        ApiClient.Response r = api.put(path, body);
        assertEquals(400, r.status(), r.body());
        assertEquals("bad_request", r.json().path("error").asText());
        assertEquals(reason, r.json().path("reason").asText());
    }

    @Test
    void queuesShowTheirPolicyOperatorPolicyAndTheEffectiveDefinitionAndExchangesTheirPolicy() {
        api.put("/api/queues/%2F/papi.q", "{\"durable\":false,\"arguments\":{\"x-max-length\":3}}");
        api.put("/api/queues/%2F/other.q", "{\"durable\":false}");
        api.put("/api/exchanges/%2F/papi.x", "{\"type\":\"fanout\",\"durable\":false}");
        api.put("/api/policies/%2F/papi-ttl", TTL_POLICY);
        api.put("/api/policies/%2F/papi-ae", "{\"pattern\":\"^papi\\\\.x$\",\"definition\":{\"alternate-exchange\":\"ae\"},"
                + "\"apply-to\":\"exchanges\"}");
        api.put("/api/operator-policies/%2F/papi-op", "{\"pattern\":\"^papi\\\\.\",\"definition\":{\"message-ttl\":5000,"
                + "\"max-length\":100},\"apply-to\":\"queues\"}");

        JsonNode q = api.get("/api/queues/%2F/papi.q").json();
        assertEquals("papi-ttl", q.path("policy").asText());
        assertEquals("papi-op", q.path("operator_policy").asText());
        assertEquals("{\"max-length\":10,\"message-ttl\":5000}", q.path("effective_policy_definition").toString(),
                "the lower of policy and operator policy; the queue's own argument is not part of it");
        assertEquals("{\"x-max-length\":3}", q.path("arguments").toString());

        JsonNode other = api.get("/api/queues/%2F/other.q").json();
        assertTrue(other.path("policy").isNull());
        assertTrue(other.path("operator_policy").isNull());
        assertEquals("{}", other.path("effective_policy_definition").toString());

        assertEquals("papi-ae", api.get("/api/exchanges/%2F/papi.x").json().path("policy").asText());
        assertFalse(api.get("/api/exchanges/%2F/amq.direct").json().has("policy"), "shown only when one applies");
        assertEquals("[{\"vhost\":\"/\",\"name\":\"papi-op\",\"pattern\":\"^papi\\\\.\",\"apply-to\":\"queues\","
                + "\"definition\":{\"max-length\":100,\"message-ttl\":5000},\"priority\":0}]",
                api.get("/api/operator-policies/%2F").json().toString());

        api.delete("/api/operator-policies/%2F/papi-op");
        JsonNode after = api.get("/api/queues/%2F/papi.q").json();
        assertTrue(after.path("operator_policy").isNull());
        assertEquals("{\"max-length\":10,\"message-ttl\":60000}", after.path("effective_policy_definition").toString());
    }

    @Test
    void policymakersSetPoliciesButNotOperatorPoliciesAndManagementUsersNeither() {
        api.put("/api/users/papi-policymaker", "{\"password\":\"pw\",\"tags\":\"policymaker\"}");
        api.put("/api/permissions/%2F/papi-policymaker", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        api.put("/api/users/papi-manager", "{\"password\":\"pw\",\"tags\":\"management\"}");
        api.put("/api/permissions/%2F/papi-manager", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        ApiClient policymaker = ApiClient.basic(fixture.baseUrl(), "papi-policymaker", "pw");
        ApiClient manager = ApiClient.basic(fixture.baseUrl(), "papi-manager", "pw");

        assertEquals(201, policymaker.put("/api/policies/%2F/papi-by-policymaker", TTL_POLICY).status());
        assertEquals(200, policymaker.get("/api/policies/%2F").status());
        assertEquals(403, policymaker.put("/api/operator-policies/%2F/papi-op", TTL_POLICY).status());
        assertEquals(403, manager.put("/api/policies/%2F/papi-other", TTL_POLICY).status());
        assertEquals(403, manager.get("/api/policies").status());
    }

    @Test
    void definitionsExportCarriesPoliciesAndOperatorPoliciesAsRabbitMqDoes() {
        api.put("/api/policies/%2F/papi-ttl", TTL_POLICY);
        api.put("/api/operator-policies/%2F/papi-op", "{\"pattern\":\"^papi\\\\.\",\"definition\":{\"max-length\":100},"
                + "\"apply-to\":\"queues\"}");
        JsonNode exported = api.get("/api/definitions").json();
        assertTrue(exported.path("policies").toString().contains("{\"vhost\":\"/\",\"name\":\"papi-ttl\",\"pattern\":\"^papi\\\\.\","
                + "\"apply-to\":\"queues\",\"definition\":{\"max-length\":10,\"message-ttl\":60000},\"priority\":1}"),
                exported.path("policies").toString());
        assertTrue(exported.path("parameters").toString().contains("{\"vhost\":\"/\",\"component\":\"operator_policy\","
                + "\"name\":\"papi-op\",\"value\":{\"pattern\":\"^papi\\\\.\",\"apply-to\":\"queues\","
                + "\"definition\":{\"max-length\":100},\"priority\":0}}"), exported.path("parameters").toString());

        ApiClient.Response bad = api.post("/api/definitions", "{\"vhosts\":[{\"name\":\"/\"}],\"policies\":[{\"vhost\":\"/\","
                + "\"name\":\"papi-other\",\"pattern\":\".*\",\"definition\":{\"message-ttl\":\"x\"}}]}");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("is not a valid message TTL"), bad.body());
        assertEquals(404, api.get("/api/policies/%2F/papi-other").status());
    }
}
