package dev.warren.amqp;

import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Exchange;
import dev.warren.core.ExchangeType;
import dev.warren.core.MessageQueue;
import dev.warren.core.Names;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.cluster.HomeQueues;
import dev.warren.core.cluster.HomeReply;
import dev.warren.core.cluster.HomeRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The exchange and queue class methods of a channel: declaring, deleting, binding and purging. They
 * change the virtual host's definitions, or ask a queue's thread through the channel when the answer
 * needs the queue's state. Channel thread only.
 */
final class DefinitionMethods {
    private final ChannelContext channel;
    private final ConnectionContext connection;
    private String lastQueueName = "";

    DefinitionMethods(ChannelContext channel) {
        this.channel = channel;
        this.connection = channel.connection();
    }

    void exchangeDeclare(Command c) {
        Method m = c.method();
        String name = Names.withoutLineBreaks(m.string("exchange"));
        VirtualHost vhost = connection.vhost();
        if (m.flag("passive")) {
            vhost.passiveExchange(name);
        } else {
            ResourceAccess access = connection.access();
            access.configureExchange(name);
            if (m.table("arguments").get("alternate-exchange") instanceof String alternate) {
                access.writeExchange(alternate);
                access.readExchange(name);
            }
            vhost.declareExchange(name, m.string("type"), m.flag("durable"), m.flag("auto-delete"),
                    m.flag("internal"), m.table("arguments"));
        }
        if (!m.flag("nowait")) {
            replyWhenDurable(Methods.EXCHANGE_DECLARE_OK.with());
        }
    }

    void exchangeDelete(Command c) {
        Method m = c.method();
        connection.access().configureExchange(m.string("exchange"));
        connection.vhost().deleteExchange(m.string("exchange"), m.flag("if-unused"));
        if (!m.flag("nowait")) {
            replyWhenDurable(Methods.EXCHANGE_DELETE_OK.with());
        }
    }

    void exchangeBind(Command c) {
        Method m = c.method();
        checkExchangeBinding(m);
        VirtualHost vhost = connection.vhost();
        Exchange destination = vhost.requireExchange(m.string("destination"));
        Exchange source = vhost.requireExchange(m.string("source"));
        checkTopicRead(source, m.string("routing-key"));
        vhost.bind(source, destination, m.string("routing-key"), m.table("arguments"));
        if (!m.flag("nowait")) {
            replyWhenDurable(Methods.EXCHANGE_BIND_OK.with());
        }
    }

    void exchangeUnbind(Command c) {
        Method m = c.method();
        checkExchangeBinding(m);
        VirtualHost vhost = connection.vhost();
        Exchange destination = vhost.requireExchange(m.string("destination"));
        Exchange source = vhost.requireExchange(m.string("source"));
        checkTopicRead(source, m.string("routing-key"));
        vhost.unbind(source, destination, m.string("routing-key"), m.table("arguments"));
        if (!m.flag("nowait")) {
            replyWhenDurable(Methods.EXCHANGE_UNBIND_OK.with());
        }
    }

    void queueDeclare(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        String name = Names.withoutLineBreaks(m.string("queue"));
        MessageQueue queue;
        if (m.flag("passive") && (name.equals(DirectReplyTo.PSEUDO_QUEUE) || DirectReplyTo.isReplyName(name))) {
            passiveReplyTo(name, m.flag("nowait"));
            return;
        }
        if (remoteQueueDeclared(m, vhost, name)) {
            return;
        }
        if (m.flag("passive")) {
            queue = vhost.requireQueue(name.isEmpty() ? lastQueueName : name, connection);
            queue.redeclared();
        } else {
            if (name.isEmpty()) {
                name = Names.queueName();
            }
            ResourceAccess access = connection.access();
            access.configureQueue(name);
            if (m.table("arguments").get("x-dead-letter-exchange") instanceof String deadLetters) {
                access.writeExchange(deadLetters);
                access.readQueue(name);
            }
            queue = vhost.declareQueue(name, m.flag("durable"),
                    m.flag("exclusive"), m.flag("auto-delete"), m.table("arguments"), connection, connection.outbox().loop());
            if (queue.exclusive()) {
                connection.exclusiveQueueDeclared(queue);
            }
        }
        lastQueueName = queue.name();
        if (queue.replicated() != null) {
            // a new quorum queue is declared once its group is made on its members and configured
            MessageQueue declared = queue;
            channel.suspendUntil(queue.replicated().log().ready(), () -> {
                if (!m.flag("nowait")) {
                    replyWhenDurable(Methods.QUEUE_DECLARE_OK.with(declared.name(), (long) declared.messageCount(),
                            (long) declared.consumerCount()));
                }
            });
            return;
        }
        if (m.flag("nowait")) {
            return;
        }
        // Counted on the queue's thread, after this channel's earlier publishes have reached it.
        channel.callQueueNow(queue, q -> new long[] {queue.messageCount(), queue.consumerCount()},
                counts -> replyWhenDurable(Methods.QUEUE_DECLARE_OK.with(queue.name(), counts[0], counts[1])));
    }

    /**
     * A declare of a durable queue whose home is another cluster node: its name is taken cluster-wide, so a declare
     * that matches it is declare-ok here too, with the message and consumer counts its home node reports (NOT_FOUND
     * when that node is down, as RabbitMQ's). False when the queue is not another node's.
     */
    private boolean remoteQueueDeclared(Method m, VirtualHost vhost, String name) {
        String queueName = name.isEmpty() ? lastQueueName : name;
        MessageQueue remote = queueName.isEmpty() ? null : vhost.remoteQueue(queueName);
        if (remote == null) {
            return false;
        }
        if (!m.flag("passive")) {
            connection.access().configureQueue(queueName);
            if (vhost.declareRemoteQueue(queueName, m.flag("durable"), m.flag("exclusive"), m.flag("auto-delete"),
                    m.table("arguments")) == null) {
                return false; // declared here meanwhile
            }
        }
        lastQueueName = queueName;
        CompletableFuture<HomeReply> counts = HomeQueues.ask(remote, new HomeRequest.Counts(vhost.name(), queueName));
        channel.suspendUntil(counts, () -> {
            if (!m.flag("nowait")) {
                channel.send(Methods.QUEUE_DECLARE_OK.with(queueName, counts.join().count(), counts.join().secondCount()));
            }
        });
        return true;
    }

    /**
     * A passive declare of the direct reply-to pseudo-queue (clients such as Spring's RabbitTemplate ask it
     * to learn whether the broker has the feature) or of a reply name (whether its requester is still there).
     */
    private void passiveReplyTo(String name, boolean nowait) {
        if (!name.equals(DirectReplyTo.PSEUDO_QUEUE) && connection.replies().find(name) == null) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no queue '%s' in vhost '%s'", name, connection.vhost().name());
        }
        if (!nowait) {
            channel.send(Methods.QUEUE_DECLARE_OK.with(name, 0L, 1L));
        }
    }

    void queueBind(Command c) {
        Method m = c.method();
        MessageQueue queue = queueToBind(m);
        VirtualHost vhost = connection.vhost();
        String key = m.string("routing-key");
        if (key.isEmpty() && m.string("queue").isEmpty()) {
            key = queue.name(); // the spec: the last declared queue, and its name as the key
        }
        Exchange exchange = vhost.requireExchange(m.string("exchange"));
        checkTopicRead(exchange, key);
        vhost.bind(exchange, queue, key, m.table("arguments"));
        if (!m.flag("nowait")) {
            replyWhenDurable(Methods.QUEUE_BIND_OK.with());
        }
    }

    /** Unbinding what is not there (binding, queue or exchange) succeeds, as in RabbitMQ. */
    void queueUnbind(Command c) {
        Method m = c.method();
        String name = queueName(m);
        connection.access().writeQueue(name);
        connection.access().readExchange(m.string("exchange"));
        VirtualHost vhost = connection.vhost();
        MessageQueue queue = vhost.queueAnywhere(name);
        Exchange exchange = vhost.exchange(m.string("exchange"));
        if (exchange != null) {
            checkTopicRead(exchange, m.string("routing-key"));
        }
        if (queue != null && exchange != null) {
            vhost.requireQueueAnywhere(name, connection); // exclusive queues of others are locked
            vhost.unbind(exchange, queue, m.string("routing-key"), m.table("arguments"));
        }
        replyWhenDurable(Methods.QUEUE_UNBIND_OK.with());
    }

    void queuePurge(Command c) {
        Method m = c.method();
        MessageQueue queue = queueToReadAnywhere(m);
        if (queue.home() != null) {
            CompletableFuture<HomeReply> purged = HomeQueues.ask(queue, new HomeRequest.Purge(queue.vhost().name(), queue.name()));
            channel.suspendUntil(purged, () -> {
                if (!m.flag("nowait")) {
                    channel.send(Methods.QUEUE_PURGE_OK.with(purged.join().count()));
                }
            });
            return;
        }
        if (queue.replicated() != null) {
            CompletableFuture<Long> purged = queue.replicated().purge();
            channel.suspendUntil(purged, () -> {
                if (!m.flag("nowait")) {
                    channel.send(Methods.QUEUE_PURGE_OK.with(purged.join()));
                }
            });
            return;
        }
        channel.callQueueNow(queue, q -> q.purge(), count -> {
            if (!m.flag("nowait")) {
                channel.send(Methods.QUEUE_PURGE_OK.with((long) count));
            }
        });
    }

    void queueDelete(Command c) {
        Method m = c.method();
        String name = queueName(m);
        connection.access().configureQueue(name);
        MessageQueue queue = connection.vhost().queue(name);
        boolean nowait = m.flag("nowait");
        MessageQueue remote = queue == null ? connection.vhost().remoteQueue(name) : null;
        if (remote != null) {
            deleteAtHome(remote, m.flag("if-unused"), m.flag("if-empty"), nowait);
            return;
        }
        if (queue == null) {
            if (!nowait) {
                channel.send(Methods.QUEUE_DELETE_OK.with(0L)); // deleting what is not there succeeds, as in RabbitMQ
            }
            return;
        }
        connection.vhost().requireQueue(name, connection); // exclusive queues of others are locked
        boolean ifUnused = m.flag("if-unused");
        boolean ifEmpty = m.flag("if-empty");
        if (queue.replicated() != null) {
            deleteQuorum(queue, ifUnused, ifEmpty, nowait);
            return;
        }
        channel.callQueueNow(queue, q -> q.delete(ifUnused, ifEmpty), count -> {
            if (!nowait) {
                replyWhenDurable(Methods.QUEUE_DELETE_OK.with((long) count));
            }
        });
    }

    /** Deletes another node's classic queue on its home node, which removes it from the definitions everywhere. */
    private void deleteAtHome(MessageQueue queue, boolean ifUnused, boolean ifEmpty, boolean nowait) {
        CompletableFuture<HomeReply> deleted = HomeQueues.ask(queue,
                new HomeRequest.Delete(queue.vhost().name(), queue.name(), ifUnused, ifEmpty));
        channel.suspendUntil(deleted, () -> {
            if (!nowait) {
                channel.send(Methods.QUEUE_DELETE_OK.with(deleted.join().count()));
            }
        });
    }

    /**
     * Deletes a quorum queue: checked against the counts its log last reported, removed from the definitions (so
     * every node drops it), then its group goes from its members with its log and snapshots.
     */
    private void deleteQuorum(MessageQueue queue, boolean ifUnused, boolean ifEmpty, boolean nowait) {
        if (ifUnused && queue.consumerCount() > 0) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", queue.describe());
        }
        if (ifEmpty && queue.messageCount() > 0) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", queue.describe());
        }
        long count = queue.messageCount();
        channel.callQueueNow(queue, q -> q.delete(false, false), ignored -> {
            queue.replicated().log().delete();
            if (!nowait) {
                replyWhenDurable(Methods.QUEUE_DELETE_OK.with(count));
            }
        });
    }

    /**
     * Sends a reply that promises durability once the virtual host's definitions are on disk: at once when
     * nothing is waiting to be written, else the channel waits (carrying out nothing else) for the
     * definitions writer. A failed write is the broker's failure: 541, naming the cause. A store that refuses
     * with a reply code of its own (a cluster's metadata store without a quorum) is answered with that.
     */
    private void replyWhenDurable(Method reply) {
        CompletableFuture<Void> durable = connection.vhost().definitionsDurable();
        if (durable.isDone() && !durable.isCompletedExceptionally()) {
            channel.send(reply);
            return;
        }
        channel.suspendUntil(durable.handle((ignored, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof AmqpException refused) {
                    throw new CompletionException(refused);
                }
                throw new CompletionException(new AmqpException(ReplyCode.INTERNAL_ERROR,
                        "could not save definitions: " + cause.getMessage()));
            }
            return null;
        }), () -> channel.send(reply));
    }

    /** Binding an exchange to an exchange: write on the destination, read on the source (RabbitMQ's table). */
    private void checkExchangeBinding(Method m) {
        connection.access().writeExchange(m.string("destination"));
        connection.access().readExchange(m.string("source"));
    }

    /** RabbitMQ's topic authorisation of a binding from a topic exchange: its key against the user's read pattern. */
    private void checkTopicRead(Exchange source, String key) {
        if (source.type() == ExchangeType.TOPIC) {
            connection.access().readTopic(source.name(), key);
        }
    }

    /** The queue to bind or unbind, once the user may: write on the queue, read on the exchange. */
    private MessageQueue queueToBind(Method m) {
        String name = queueName(m);
        connection.access().writeQueue(name);
        connection.access().readExchange(m.string("exchange"));
        return connection.vhost().requireQueueAnywhere(name, connection);
    }

    /** The queue to consume, get or purge from, once the user may read it. */
    MessageQueue queueToRead(Method m) {
        String name = queueName(m);
        connection.access().readQueue(name);
        return connection.vhost().requireQueue(name, connection);
    }

    /** {@link #queueToRead}, or another node's classic queue (see {@link MessageQueue#home}). */
    MessageQueue queueToReadAnywhere(Method m) {
        String name = queueName(m);
        connection.access().readQueue(name);
        return connection.vhost().requireQueueAnywhere(name, connection);
    }

    /** An empty queue name means the queue this channel declared last, as the spec allows. */
    String queueName(Method m) {
        String name = m.string("queue");
        if (!name.isEmpty()) {
            return name;
        }
        if (lastQueueName.isEmpty()) {
            throw new AmqpException(ReplyCode.NOT_FOUND, "no previously declared queue");
        }
        return lastQueueName;
    }
}
