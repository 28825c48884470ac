package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.AmqpException;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.User;
import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Message;
import dev.warren.core.store.ResourceAlarm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POST /api/exchanges/{vhost}/{name}/publish and POST /api/queues/{vhost}/{name}/get, RabbitMQ's test tools
 * for publishing and fetching single messages. Publishing needs write permission on the exchange, getting
 * read permission on the queue, as over AMQP; a publish is refused while a resource alarm blocks publishers.
 */
final class MessageHandlers {
    /** More than anyone reads in a browser; bounds one request's work on the queue's thread. */
    static final int MAX_GET_COUNT = 1000;

    private final Scope scope;
    private final ManagementPublisher publisher;
    private final long waitMillis;

    MessageHandlers(Scope scope, long waitMillis) {
        this.scope = scope;
        this.publisher = new ManagementPublisher(scope.broker().stats(), waitMillis);
        this.waitMillis = waitMillis;
    }

    void register(Router router) {
        router.post("/api/exchanges/{vhost}/{name}/publish", Requirement.MANAGEMENT, this::publish);
        router.post("/api/queues/{vhost}/{name}/get", Requirement.MANAGEMENT, this::get);
    }

    private ApiResponse publish(ApiRequest request) throws InterruptedException {
        Principal who = request.principal();
        VirtualHost vhost = scope.vhost(who, request.param("vhost"));
        Exchange exchange = vhost.exchange(Views.exchangeName(request.param("name")));
        if (exchange == null) {
            throw ApiException.notFound();
        }
        scope.permissions(who, vhost.name()).writeExchange(exchange.name());
        if (exchange.internal()) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "cannot publish to internal exchange '%s' in vhost '%s'",
                    exchange.name(), vhost.name());
        }
        for (ResourceAlarm alarm : scope.broker().storage().alarms()) {
            if (alarm.raised()) {
                throw ApiException.unavailable("publishing is blocked: the " + alarm.resource() + " alarm is in effect");
            }
        }
        ObjectNode body = request.jsonObject();
        String routingKey = Json.required(body, "routing_key");
        BasicProperties properties = MessageJson.properties(body);
        byte[] payload = MessageJson.payload(body);
        Message message = new Message(exchange.name(), routingKey, encode(properties), Unpooled.wrappedBuffer(payload));
        try {
            ManagementPublisher.checkUserId(message, who, isImpersonator(who));
        } catch (RuntimeException e) {
            message.release();
            throw e;
        }
        boolean routed = publisher.publish(vhost, exchange, message);
        return ApiResponse.json(Json.object().put("routed", routed));
    }

    private static ByteBuf encode(BasicProperties properties) {
        try {
            return properties.encoded();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid properties: " + e.getMessage());
        }
    }

    private boolean isImpersonator(Principal who) {
        return scope.broker().users().user(who.name()).map(u -> u.hasTag(User.IMPERSONATOR)).orElse(false);
    }

    private ApiResponse get(ApiRequest request) throws InterruptedException {
        MessageQueue queue = scope.queue(request);
        scope.permissions(request.principal(), queue.vhost().name()).readQueue(queue.name());
        if (queue.exclusive()) {
            throw AmqpException.of(ReplyCode.RESOURCE_LOCKED, "cannot obtain exclusive access to locked %s",
                    queue.describe());
        }
        JsonNode body = request.jsonObject();
        int count = body.path("count").asInt(1);
        if (count < 1 || count > MAX_GET_COUNT) {
            throw ApiException.badRequest("count must be from 1 to " + MAX_GET_COUNT);
        }
        ManagementGet.AckMode mode = ManagementGet.AckMode.parse(Json.required(body, "ackmode"));
        String encoding = Json.text(body, "encoding", "auto");
        if (!encoding.equals("auto") && !encoding.equals("base64")) {
            throw ApiException.badRequest("encoding must be \"auto\" or \"base64\"");
        }
        JsonNode truncate = body.path("truncate");
        int limit = truncate.isMissingNode() || truncate.isNull() || truncate.asText().isEmpty() ? -1 : truncate.asInt(-1);
        try {
            ArrayNode got = ManagementGet.start(queue, new ManagementGet.Request(count, mode, encoding, limit),
                    scope.broker().stats()).get(waitMillis, TimeUnit.MILLISECONDS);
            return ApiResponse.json(got);
        } catch (ExecutionException e) {
            throw new IllegalStateException("get from " + queue.describe() + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw ApiException.unavailable(queue.describe() + " did not answer within " + waitMillis + " ms");
        }
    }
}
