package dev.warren.store.raft;

import dev.warren.core.cluster.NodeLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests between nodes carried by the metadata group's Raft transport (so its port and its mutual TLS): a batch
 * of requests travels as a Ratis stale read addressed to one node, where the metadata state machine's query hands
 * it to {@link #serve}'s handler — nothing is written to the log. Each target node has one batch in flight at a time,
 * sent by its own thread, and what is sent meanwhile waits to go as the next batch (so requests stay in order); the
 * target starts a batch's requests in order and answers once all are done.
 */
final class RaftNodeLink implements NodeLink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNodeLink.class);
    /** A batch stops growing past this (a bigger single request still goes, alone). */
    private static final int BATCH_BYTES = 4 << 20;

    private final Supplier<RaftClient> clients;
    private final ExecutorService closer = daemonThread("warren-node-link-close");
    private final Map<String, Pipeline> pipelines = new ConcurrentHashMap<>();
    private final List<Consumer<String>> downListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Function<byte[], CompletableFuture<byte[]>> handler =
            request -> CompletableFuture.failedFuture(new IllegalStateException("this node does not serve requests yet"));

    /**
     * {@code clients} makes clients of the metadata group without retries (a request to a dead node fails at its
     * timeout): one per target node, replaced after a failure, as gRPC would otherwise wait out its reconnection
     * back-off (up to minutes) before it tried a restarted node again.
     */
    RaftNodeLink(Supplier<RaftClient> clients) {
        this.clients = clients;
    }

    @Override
    public CompletableFuture<byte[]> request(String node, byte[] request) {
        return pipelines.computeIfAbsent(node, Pipeline::new).add(request);
    }

    @Override
    public void serve(Function<byte[], CompletableFuture<byte[]>> handler) {
        this.handler = handler;
    }

    @Override
    public void onNodeDown(Consumer<String> listener) {
        downListeners.add(listener);
    }

    /** A node's process died (the cluster's probe saw it stop accepting connections). */
    void nodeDown(String node) {
        downListeners.forEach(listener -> listener.accept(node));
    }

    /** A batch from another node (the metadata state machine's query): its requests started in order, answered together. */
    CompletableFuture<Message> served(Message batch) {
        List<byte[]> requests = unframe(batch.getContent().asReadOnlyByteBuffer());
        List<CompletableFuture<byte[]>> replies = new ArrayList<>(requests.size());
        Function<byte[], CompletableFuture<byte[]>> serving = handler;
        for (byte[] request : requests) {
            CompletableFuture<byte[]> reply;
            try {
                reply = serving.apply(request);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            replies.add(reply);
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(all -> Message.valueOf(ByteString.copyFrom(frame(replies.stream().map(CompletableFuture::join).toList()))));
    }

    static byte[] frame(List<byte[]> items) {
        int size = Integer.BYTES;
        for (byte[] item : items) {
            size += Integer.BYTES + item.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(items.size());
        items.forEach(item -> out.putInt(item.length).put(item));
        return out.array();
    }

    static List<byte[]> unframe(ByteBuffer in) {
        int count = in.getInt();
        List<byte[]> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] item = new byte[in.getInt()];
            in.get(item);
            items.add(item);
        }
        return items;
    }

    /** The requests to one node: at most one batch in flight, in the order they were sent. */
    private final class Pipeline {
        private final String node;
        private final RaftPeerId peer;
        // guarded by this
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private boolean inFlight;
        private RaftClient client;
        private boolean closed;
        /** The last batch failed (logged once until one succeeds again). */
        private volatile boolean failing;
        /** Sends this node's batches one at a time, waiting for each answer; never an event loop. */
        private final ExecutorService sender;

        Pipeline(String node) {
            this.node = node;
            this.peer = RaftPeerId.valueOf(node);
            this.sender = daemonThread("warren-node-link-" + node);
        }

        synchronized CompletableFuture<byte[]> add(byte[] request) {
            Pending pending = new Pending(request, new CompletableFuture<>());
            if (closed) {
                pending.reply().completeExceptionally(new NodeUnreachableException(node, "this node is stopping"));
                return pending.reply();
            }
            waiting.add(pending);
            if (!inFlight) {
                inFlight = true;
                run(sender, this::sendNext);
            }
            return pending.reply();
        }

        synchronized void close() {
            closed = true;
            sender.shutdown();
            closeLater(client);
            client = null;
            NodeUnreachableException stopping = new NodeUnreachableException(node, "this node is stopping");
            waiting.forEach(p -> p.reply().completeExceptionally(stopping));
            waiting.clear();
        }

        /** On the sender thread: the next batch goes (or the pipeline goes idle). */
        private void sendNext() {
            List<Pending> batch = new ArrayList<>();
            RaftClient sending;
            synchronized (this) {
                if (waiting.isEmpty() || closed) {
                    inFlight = false;
                    return;
                }
                int bytes = 0;
                while (!waiting.isEmpty() && (batch.isEmpty() || bytes + waiting.peek().request().length <= BATCH_BYTES)) {
                    Pending next = waiting.poll();
                    bytes += next.request().length;
                    batch.add(next);
                }
                if (client == null) {
                    client = clients.get();
                }
                sending = client;
            }
            Message message = Message.valueOf(ByteString.copyFrom(frame(batch.stream().map(Pending::request).toList())));
            RaftClientReply reply = null;
            Throwable failure = null;
            try {
                // blocking (this pipeline's own thread): each call its own gRPC stream; Ratis's long-lived stream of
                // asynchronous unordered requests sometimes never answered in tests
                reply = sending.io().sendStaleRead(message, 0, peer);
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            answered(batch, sending, reply, failure);
        }

        private void answered(List<Pending> batch, RaftClient sending, RaftClientReply reply, Throwable failure) {
            List<byte[]> replies = null;
            String why = null;
            if (failure != null) {
                why = failure.toString();
            } else if (!reply.isSuccess()) {
                why = String.valueOf(reply.getException());
            } else {
                try {
                    replies = unframe(reply.getMessage().getContent().asReadOnlyByteBuffer());
                } catch (RuntimeException e) {
                    why = "unreadable reply: " + e;
                }
            }
            if (replies == null || replies.size() != batch.size()) {
                if (!failing) {
                    LOG.warn("Cluster: requests to node '{}' fail (refused or forwarded operations meanwhile): {}", node, why);
                }
                failing = true;
                synchronized (this) {
                    if (client == sending) {
                        client = null;
                        closeLater(sending);
                    }
                }
                NodeUnreachableException unreachable = new NodeUnreachableException(node, why);
                batch.forEach(p -> p.reply().completeExceptionally(unreachable));
            } else {
                if (failing) {
                    LOG.info("Cluster: requests to node '{}' are answered again", node);
                    failing = false;
                }
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).reply().complete(replies.get(i));
                }
            }
            run(sender, this::sendNext);
        }
    }

    /** Closes a client off the sender thread: gRPC waits seconds for a dead peer's channel to shut down. */
    private void closeLater(RaftClient client) {
        if (client == null) {
            return;
        }
        run(closer, () -> {
            try {
                client.close();
            } catch (IOException e) {
                LOG.debug("Cluster: closing an inter-node request client: {}", e.toString());
            }
        });
    }

    private record Pending(byte[] request, CompletableFuture<byte[]> reply) {
    }

    /** Runs a task on one of this link's threads, unless the link is closed. */
    private static void run(ExecutorService thread, Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: the pipelines failed what was waiting
        }
    }

    private static ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void close() {
        pipelines.values().forEach(Pipeline::close);
        closer.shutdown();
    }
}
