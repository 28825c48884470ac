package dev.warren.mgmt.http;

import dev.warren.core.connection.ListenerControl;

/**
 * Warren's own endpoints behind warrenctl stop_app / start_app (administrators only): POST
 * /api/warren/stop_app closes the AMQP listeners and every client connection (320), POST
 * /api/warren/start_app listens again; the management API itself stays up. Both answer 204, also when there
 * was nothing to do, as rabbitmqctl does; 503 when the broker has no protocol server to control.
 */
final class AppHandlers {
    private final Scope scope;

    AppHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.post("/api/warren/stop_app", Requirement.ADMINISTRATOR, request -> {
            control().stopListening();
            return ApiResponse.noContent();
        });
        router.post("/api/warren/start_app", Requirement.ADMINISTRATOR, request -> {
            try {
                control().startListening();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("interrupted while starting the listeners");
            }
            return ApiResponse.noContent();
        });
    }

    private ListenerControl control() {
        ListenerControl control = scope.broker().listeners();
        if (control == ListenerControl.NONE) {
            throw ApiException.unavailable("this broker has no AMQP listeners to stop or start");
        }
        return control;
    }
}
