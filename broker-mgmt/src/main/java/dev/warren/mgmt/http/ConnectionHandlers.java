package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.core.connection.TlsInfo;
import dev.warren.core.connection.ConsumerInfo;
import dev.warren.mgmt.rates.SampledSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * /api/connections, /api/channels and /api/consumers. Management users see their own connections and
 * channels, monitors see all; a connection may be closed (DELETE, reason from X-Reason) by its own user or an
 * administrator. Channel details are read on each connection's own thread, with a deadline.
 */
final class ConnectionHandlers {
    static final String DEFAULT_CLOSE_REASON = "Closed via management plugin";

    private final Scope scope;
    private final String node;
    private final long timeoutMillis;

    ConnectionHandlers(Scope scope, String node, long timeoutMillis) {
        this.scope = scope;
        this.node = node;
        this.timeoutMillis = timeoutMillis;
    }

    void register(Router router) {
        router.get("/api/connections", Requirement.MANAGEMENT, this::listConnections);
        router.get("/api/vhosts/{vhost}/connections", Requirement.MANAGEMENT, this::listConnections);
        router.get("/api/connections/{connection}", Requirement.MANAGEMENT, this::showConnection);
        router.delete("/api/connections/{connection}", Requirement.MANAGEMENT, this::closeConnection);
        router.get("/api/connections/{connection}/channels", Requirement.MANAGEMENT, this::connectionChannels);
        router.get("/api/channels", Requirement.MANAGEMENT, this::listChannels);
        router.get("/api/vhosts/{vhost}/channels", Requirement.MANAGEMENT, this::listChannels);
        router.get("/api/channels/{channel}", Requirement.MANAGEMENT, this::showChannel);
        router.get("/api/consumers", Requirement.MANAGEMENT, this::listConsumers);
        router.get("/api/consumers/{vhost}", Requirement.MANAGEMENT, this::listConsumers);
    }

    // ---- connections ----

    private String vhostFilter(ApiRequest request) {
        if (!request.pathParams().containsKey("vhost")) {
            return null;
        }
        return scope.vhost(request.principal(), request.param("vhost")).name();
    }

    private ApiResponse listConnections(ApiRequest request) {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (ClientConnection c : scope.connections(request.principal(), vhostFilter(request))) {
            out.add(connection(c, rates));
        }
        return ApiResponse.json(out);
    }

    private ClientConnection visibleConnection(ApiRequest request) {
        ClientConnection c = scope.broker().connections().named(request.param("connection"))
                .orElseThrow(ApiException::notFound);
        if (!scope.canSee(request.principal(), c.info())) {
            throw ApiException.forbidden("User not authorised to access object");
        }
        return c;
    }

    private ApiResponse showConnection(ApiRequest request) {
        return ApiResponse.json(connection(visibleConnection(request), scope.rateFields(request)));
    }

    private ApiResponse closeConnection(ApiRequest request) {
        ClientConnection c = visibleConnection(request);
        Principal who = request.principal();
        if (!who.isAdministrator() && !c.info().user().equals(who.name())) {
            throw ApiException.forbidden("User not authorised to access object");
        }
        String reason = request.header("X-Reason");
        c.forceClose(reason == null || reason.isBlank() ? DEFAULT_CLOSE_REASON : reason);
        return ApiResponse.noContent();
    }

    /** A connection as RabbitMQ shows it, with the message_stats of its channels (open and closed) beside. */
    private ObjectNode connection(ClientConnection c, RateFields rates) {
        ConnectionInfo info = c.info();
        ObjectNode n = Json.object()
                .put("name", info.name())
                .put("node", node)
                .put("vhost", info.vhost())
                .put("user", info.user())
                .put("state", c.state())
                .put("type", "network")
                .put("protocol", "AMQP 0-9-1")
                .put("ssl", info.tls() != null)
                .put("peer_host", info.peer().getAddress().getHostAddress())
                .put("peer_port", info.peer().getPort())
                .put("host", info.local().getAddress().getHostAddress())
                .put("port", info.local().getPort())
                .put("channels", c.channelCount())
                .put("auth_mechanism", info.authMechanism())
                .put("frame_max", info.frameMax())
                .put("channel_max", info.channelMax())
                .put("timeout", info.heartbeat())
                .put("connected_at", info.connectedAt());
        n.set("client_properties", Json.table(info.clientProperties()));
        TlsInfo tls = info.tls();
        if (tls != null) { // RabbitMQ's fields; its cipher is split in parts, here the suite's name
            n.put("ssl_protocol", tls.protocol()).put("ssl_cipher", tls.cipher())
                    .put("peer_cert_subject", tls.peerCertSubject()).put("peer_cert_issuer", tls.peerCertIssuer())
                    .put("peer_cert_validity", tls.peerCertValidity());
        } else {
            n.putNull("ssl_protocol").putNull("ssl_cipher").putNull("peer_cert_subject").putNull("peer_cert_issuer")
                    .putNull("peer_cert_validity");
        }
        rates.messageStats(n, c.counters(), SampledSeries.CONNECTION);
        return n;
    }

    // ---- channels ----

    private record Channel(ClientConnection connection, ChannelInfo info) {
        String name() {
            return connection.info().name() + " (" + info.number() + ")";
        }
    }

    /** The channels of these connections, each connection asked on its own thread, all within one deadline. */
    private List<Channel> channelsOf(List<ClientConnection> connections) throws InterruptedException {
        List<CompletableFuture<List<ChannelInfo>>> pending = new ArrayList<>();
        for (ClientConnection c : connections) {
            pending.add(c.channels());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                for (ChannelInfo info : pending.get(i).get(left, TimeUnit.NANOSECONDS)) {
                    channels.add(new Channel(connections.get(i), info));
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("reading channels of " + connections.get(i).info().name(), e.getCause());
            } catch (TimeoutException e) {
                throw ApiException.unavailable("connection " + connections.get(i).info().name()
                        + " did not answer within " + timeoutMillis + " ms");
            }
        }
        return channels;
    }

    private ApiResponse listChannels(ApiRequest request) throws InterruptedException {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (Channel ch : channelsOf(scope.connections(request.principal(), vhostFilter(request)))) {
            out.add(channel(ch, rates));
        }
        return ApiResponse.json(out);
    }

    private ApiResponse connectionChannels(ApiRequest request) throws InterruptedException {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (Channel ch : channelsOf(List.of(visibleConnection(request)))) {
            out.add(channel(ch, rates));
        }
        return ApiResponse.json(out);
    }

    private ApiResponse showChannel(ApiRequest request) throws InterruptedException {
        RateFields rates = scope.rateFields(request);
        String name = request.param("channel");
        int open = name.lastIndexOf(" (");
        if (open < 0 || !name.endsWith(")")) {
            throw ApiException.notFound();
        }
        ClientConnection c = scope.broker().connections().named(name.substring(0, open)).orElseThrow(ApiException::notFound);
        if (!scope.canSee(request.principal(), c.info())) {
            throw ApiException.forbidden("User not authorised to access object");
        }
        for (Channel ch : channelsOf(List.of(c))) {
            if (ch.name().equals(name)) {
                return ApiResponse.json(channel(ch, rates));
            }
        }
        throw ApiException.notFound();
    }

    private ObjectNode channel(Channel ch, RateFields rates) {
        ConnectionInfo conn = ch.connection().info();
        ChannelInfo info = ch.info();
        ObjectNode n = Json.object()
                .put("name", ch.name())
                .put("number", info.number())
                .put("node", node)
                .put("vhost", conn.vhost())
                .put("user", conn.user())
                .put("state", "running")
                .put("prefetch_count", info.prefetchCount())
                .put("messages_unacknowledged", info.unacknowledged())
                .put("confirm", info.confirm())
                .put("transactional", info.transactional())
                .put("consumer_count", info.consumers().size());
        n.putObject("connection_details").put("name", conn.name())
                .put("peer_host", conn.peer().getAddress().getHostAddress()).put("peer_port", conn.peer().getPort());
        rates.messageStats(n, info.counters(), SampledSeries.CHANNEL);
        return n;
    }

    // ---- consumers ----

    private ApiResponse listConsumers(ApiRequest request) throws InterruptedException {
        List<String> vhosts = scope.vhostsOf(request).stream().map(v -> v.name()).toList();
        List<ClientConnection> connections = new ArrayList<>();
        for (ClientConnection c : scope.broker().connections().list()) {
            if (vhosts.contains(c.info().vhost())) {
                connections.add(c);
            }
        }
        ArrayNode out = Json.array();
        for (Channel ch : channelsOf(connections)) {
            for (ConsumerInfo consumer : ch.info().consumers()) {
                out.add(consumer(ch, consumer));
            }
        }
        return ApiResponse.json(out);
    }

    private ObjectNode consumer(Channel ch, ConsumerInfo consumer) {
        ConnectionInfo conn = ch.connection().info();
        ObjectNode n = Json.object()
                .put("consumer_tag", consumer.tag())
                .put("ack_required", consumer.ackRequired())
                .put("exclusive", consumer.exclusive())
                .put("prefetch_count", consumer.prefetchCount())
                .put("active", true)
                .put("activity_status", "up");
        n.set("arguments", Json.table(consumer.arguments()));
        n.putObject("queue").put("name", consumer.queue()).put("vhost", conn.vhost());
        n.putObject("channel_details").put("name", ch.name()).put("number", ch.info().number())
                .put("connection_name", conn.name()).put("user", conn.user())
                .put("peer_host", conn.peer().getAddress().getHostAddress()).put("peer_port", conn.peer().getPort())
                .put("node", node);
        return n;
    }
}
