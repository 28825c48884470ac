package dev.warren.mgmt.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An error answer of the API: an HTTP status and RabbitMQ's JSON body {@code {"error": ..., "reason": ...}}.
 * Handlers throw it; the dispatcher turns it into the response.
 */
public final class ApiException extends RuntimeException {
    private final HttpResponseStatus status;
    private final String error;

    public ApiException(HttpResponseStatus status, String error, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.error = error;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String reason() {
        return getMessage();
    }

    /** 404 for an object (vhost, queue, user...) that does not exist, worded as RabbitMQ words it. */
    public static ApiException notFound() {
        return new ApiException(HttpResponseStatus.NOT_FOUND, "Object Not Found", "Not Found");
    }

    public static ApiException badRequest(String reason) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "bad_request", reason);
    }

    /** 401: no credentials, or wrong ones. */
    public static ApiException loginFailed(String reason) {
        return new ApiException(HttpResponseStatus.UNAUTHORIZED, "not_authorized", reason);
    }

    /** 403: the credentials are right but the user may not do this. */
    public static ApiException forbidden(String reason) {
        return new ApiException(HttpResponseStatus.FORBIDDEN, "not_authorized", reason);
    }

    public static ApiException unavailable(String reason) {
        return new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "service_unavailable", reason);
    }
}
