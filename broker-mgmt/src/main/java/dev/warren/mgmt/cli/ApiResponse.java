package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** A management API answer: the HTTP status and the JSON body (a missing node when there was none). */
record ApiResponse(int status, JsonNode body) {

    boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The API's explanation of an error: its "reason", else its "error", else the status. */
    String reason() {
        String reason = body.path("reason").asText("");
        if (reason.isEmpty()) {
            reason = body.path("error").asText("");
        }
        return reason.isEmpty() ? "HTTP status " + status : reason;
    }
}
