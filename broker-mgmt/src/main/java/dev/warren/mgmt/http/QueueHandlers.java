package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueProcess;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.cluster.HomeQueues;
import dev.warren.core.cluster.HomeReply;
import dev.warren.core.cluster.HomeRequest;
import dev.warren.mgmt.rates.SampledSeries;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * /api/queues: list (all visible, or one vhost), show, declare (PUT), delete (optionally if-unused /
 * if-empty), purge (DELETE .../contents) and the queue's bindings. Declaring and deleting need configure
 * permission on the queue, purging read permission, as over AMQP.
 */
final class QueueHandlers {
    private final Scope scope;
    private final QueueThread queueThread;
    private final String node;

    QueueHandlers(Scope scope, QueueThread queueThread, String node) {
        this.scope = scope;
        this.queueThread = queueThread;
        this.node = node;
    }

    void register(Router router) {
        router.get("/api/queues", Requirement.MANAGEMENT, this::list);
        router.get("/api/queues/{vhost}", Requirement.MANAGEMENT, this::list);
        router.get("/api/queues/{vhost}/{name}", Requirement.MANAGEMENT, this::show);
        router.put("/api/queues/{vhost}/{name}", Requirement.MANAGEMENT, this::declare);
        router.delete("/api/queues/{vhost}/{name}", Requirement.MANAGEMENT, this::delete);
        router.delete("/api/queues/{vhost}/{name}/contents", Requirement.MANAGEMENT, this::purge);
        router.get("/api/queues/{vhost}/{name}/bindings", Requirement.MANAGEMENT, this::bindings);
        router.put("/api/queues/{vhost}/{name}/members/{node}", Requirement.ADMINISTRATOR, this::addMember);
        router.delete("/api/queues/{vhost}/{name}/members/{node}", Requirement.ADMINISTRATOR, this::removeMember);
    }

    private ApiResponse list(ApiRequest request) {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (VirtualHost v : scope.vhostsOf(request)) {
            List<MessageQueue> queues = new ArrayList<>(v.queues());
            queues.addAll(v.remoteQueues());
            queues.sort(Comparator.comparing(MessageQueue::name));
            // other nodes' queues: every one asked at once, each answer awaited in turn
            Map<MessageQueue, CompletableFuture<HomeReply>> stats = new HashMap<>();
            queues.stream().filter(q -> q.home() != null).forEach(q -> stats.put(q, askStats(q)));
            for (MessageQueue q : queues) {
                out.add(q.home() == null ? withRates(q, rates) : Views.remoteQueue(q, answer(stats.get(q))));
            }
        }
        return ApiResponse.json(out);
    }

    private ApiResponse show(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        MessageQueue remote = vhost.queueAnywhere(request.param("name"));
        if (remote != null && remote.home() != null) {
            return ApiResponse.json(Views.remoteQueue(remote, answer(askStats(remote))));
        }
        return ApiResponse.json(withRates(scope.queue(request), scope.rateFields(request)));
    }

    /** A classic queue of another node: its counts, from that node. */
    private static CompletableFuture<HomeReply> askStats(MessageQueue queue) {
        return HomeQueues.ask(queue, new HomeRequest.Stats(queue.vhost().name(), queue.name()));
    }

    /** The home node's answer, or null when it did not answer in time (the queue is shown as down). */
    private static HomeReply answer(CompletableFuture<HomeReply> stats) {
        try {
            return stats.get(STATS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** How long a listing waits for another node's counts of its queues. */
    private static final long STATS_WAIT_MILLIS = 3_000;

    /** The queue with its length details and message_stats. */
    private ObjectNode withRates(MessageQueue q, RateFields rates) {
        ObjectNode n = Views.queue(q, node);
        rates.lengthDetails(n, q, SampledSeries.QUEUE);
        rates.messageStats(n, q, SampledSeries.QUEUE);
        return n;
    }

    private ApiResponse declare(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        String name = request.param("name");
        ObjectNode body = request.jsonObject();
        boolean durable = Json.bool(body, "durable", false);
        boolean autoDelete = Json.bool(body, "auto_delete", false);
        if (Json.bool(body, "exclusive", false)) {
            throw ApiException.badRequest("exclusive queues belong to a connection and cannot be declared here");
        }
        Map<String, Object> arguments = Json.arguments(body);
        scope.permissions(request.principal(), vhost.name()).configureQueue(name);
        MessageQueue before = vhost.queue(name);
        boolean created = before == null || before.isDeleted();
        vhost.declareQueue(name, durable, false, autoDelete, arguments, null, scope.broker().queueExecutor());
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request) throws InterruptedException {
        MessageQueue queue = scope.queueAnywhere(request);
        scope.permissions(request.principal(), queue.vhost().name()).configureQueue(queue.name());
        boolean ifUnused = "true".equals(request.queryParam("if-unused"));
        boolean ifEmpty = "true".equals(request.queryParam("if-empty"));
        if (queue.home() != null) { // another node's classic queue: its home deletes it, for every node
            queueThread.await(queue, HomeQueues.ask(queue,
                    new HomeRequest.Delete(queue.vhost().name(), queue.name(), ifUnused, ifEmpty)));
            return ApiResponse.noContent();
        }
        if (queue.replicated() != null) {
            if (ifUnused && queue.consumerCount() > 0) {
                throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", queue.describe());
            }
            if (ifEmpty && queue.messageCount() > 0) {
                throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", queue.describe());
            }
            queueThread.call(queue, q -> q.delete(false, false));
            queue.replicated().log().delete(); // its group, on every member
            return ApiResponse.noContent();
        }
        queueThread.call(queue, q -> q.delete(ifUnused, ifEmpty));
        return ApiResponse.noContent();
    }

    private ApiResponse purge(ApiRequest request) throws InterruptedException {
        MessageQueue queue = scope.queueAnywhere(request);
        scope.permissions(request.principal(), queue.vhost().name()).readQueue(queue.name());
        if (queue.home() != null) {
            queueThread.await(queue, HomeQueues.ask(queue, new HomeRequest.Purge(queue.vhost().name(), queue.name())));
        } else if (queue.replicated() != null) {
            queueThread.await(queue, queue.replicated().purge());
        } else {
            queueThread.call(queue, QueueProcess::purge);
        }
        return ApiResponse.noContent();
    }

    /**
     * A quorum queue gets a member on a cluster node (rabbitmq-queues add_member; warrenctl add_member, grow): the
     * node starts a replica, which catches up from the others. Answers once the group committed the change.
     */
    private ApiResponse addMember(ApiRequest request) throws InterruptedException {
        MessageQueue queue = quorumQueue(request);
        queueThread.await(queue, queue.replicated().log().addMember(clusterNode(request)));
        return ApiResponse.noContent();
    }

    /** A quorum queue loses a member (rabbitmq-queues delete_member; warrenctl delete_member, shrink). */
    private ApiResponse removeMember(ApiRequest request) throws InterruptedException {
        MessageQueue queue = quorumQueue(request);
        queueThread.await(queue, queue.replicated().log().removeMember(clusterNode(request)));
        return ApiResponse.noContent();
    }

    private MessageQueue quorumQueue(ApiRequest request) {
        MessageQueue queue = scope.queue(request);
        if (queue.replicated() == null) {
            throw ApiException.badRequest(queue.describe() + " is not a quorum queue");
        }
        return queue;
    }

    private String clusterNode(ApiRequest request) {
        String node = request.param("node");
        if (scope.broker().cluster().nodes().stream().noneMatch(n -> n.name().equals(node))) {
            throw ApiException.badRequest("'" + node + "' is not a node of this cluster");
        }
        return node;
    }

    private ApiResponse bindings(ApiRequest request) {
        MessageQueue queue = scope.queue(request);
        ArrayNode out = Json.array();
        BindingViews.list(queue.vhost(), b -> b.destinationType().equals("queue") && b.destination().equals(queue.name()))
                .forEach(b -> out.add(b.json()));
        return ApiResponse.json(out);
    }
}
