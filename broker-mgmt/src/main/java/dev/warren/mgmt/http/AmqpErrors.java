package dev.warren.mgmt.http;

import dev.warren.core.AmqpException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A core error met while doing what a request asked, as RabbitMQ's management API reports the AMQP error it
 * got: NOT_FOUND is a 404, an access refusal a 403, anything else (inequivalent declare, in use, locked) a
 * 400 whose reason starts with the reply code.
 */
final class AmqpErrors {
    private AmqpErrors() {
    }

    static ApiException toApi(AmqpException e) {
        return switch (e.replyCode()) {
            case NOT_FOUND -> new ApiException(HttpResponseStatus.NOT_FOUND, "not_found", e.replyText());
            case ACCESS_REFUSED, NOT_ALLOWED -> ApiException.forbidden(e.replyText());
            default -> ApiException.badRequest(e.replyCode().code() + " " + e.replyText());
        };
    }
}
