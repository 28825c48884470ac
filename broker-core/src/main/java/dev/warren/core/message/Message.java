package dev.warren.core.message;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * A published message, stored once however many queues it is routed to: every queue (and every unacked
 * delivery) holding it owns one reference, and the last release frees the body. The property bytes and
 * the body are slices of the bytes that came off the socket; property bytes are passed back verbatim on
 * delivery and only decoded where the broker needs a value (the headers exchange, delivery mode).
 */
public final class Message implements ReferenceCounted {
    /**
     * The reference count is a field of its own rather than Netty's AbstractReferenceCounted, which in Netty 4.2
     * keeps it in a separate object: 16 more bytes of garbage for every message published.
     */
    private static final VarHandle REFERENCES;

    static {
        try {
            REFERENCES = MethodHandles.lookup().findVarHandle(Message.class, "references", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Property-flags bit of user-id, the 11th of the 14 basic properties (bit 15 is the first). */
    private static final int USER_ID_FLAG = 1 << 4;
    /** Property-flags bit of reply-to, the seventh property. */
    private static final int REPLY_TO_FLAG = 1 << 9;
    /** Property-flags bit of headers, the third property. */
    private static final int HEADERS_FLAG = 1 << 13;
    /** {@link #expiration()} when the message has no expiration property. */
    public static final long NO_EXPIRATION = -1;
    private static final long UNREAD = -2;
    private final String exchange;
    private final String routingKey;
    private final ByteBuf properties;
    private final ByteBuf body;
    private Map<String, Object> headers;
    private boolean headersDecoded;
    private byte deliveryMode = -1;
    private short priority = -1;
    private long expiration = UNREAD;
    /** The BCC keys taken out of the headers at publish: a dead-lettered copy is routed with them too. */
    private java.util.List<String> bccKeys = java.util.List.of();
    /** When the broker received the message (ms since the epoch): TTLs count from here, across restarts. */
    private final long arrivedAt;
    /**
     * Where the store keeps this message for its durable queues, or -1. Set by the publishing thread before
     * the message reaches any queue, so the hand-over to the queues publishes it.
     */
    private long location = -1;
    @SuppressWarnings("unused") // through REFERENCES
    private volatile int references = 1;

    /** A message arriving now; takes ownership of both buffers. */
    public Message(String exchange, String routingKey, ByteBuf properties, ByteBuf body) {
        this(exchange, routingKey, properties, body, System.currentTimeMillis());
    }

    /** A message that arrived at {@code arrivedAt} (read back from the store); takes ownership of both buffers. */
    public Message(String exchange, String routingKey, ByteBuf properties, ByteBuf body, long arrivedAt) {
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.properties = properties;
        this.body = body;
        this.arrivedAt = arrivedAt;
    }

    /**
     * The same body under other properties (and exchange and routing key), as when a message is
     * dead-lettered or its delivery count is added; takes ownership of {@code newProperties}.
     */
    public Message withProperties(String newExchange, String newRoutingKey, ByteBuf newProperties, long newArrivedAt) {
        return new Message(newExchange, newRoutingKey, newProperties, body.retainedDuplicate(), newArrivedAt);
    }

    /** The BCC keys it was published with (kept in memory only), or none. */
    public java.util.List<String> bccKeys() {
        return bccKeys;
    }

    void bccKeys(java.util.List<String> keys) {
        this.bccKeys = java.util.List.copyOf(keys);
    }

    public long arrivedAt() {
        return arrivedAt;
    }

    /**
     * The expiration property in milliseconds, {@link #NO_EXPIRATION} when absent.
     *
     * @throws dev.warren.core.AmqpException PRECONDITION_FAILED when it is not a non-negative integer
     */
    public long expiration() {
        if (expiration == UNREAD) {
            expiration = BasicProperties.hasExpiration(properties)
                    ? Expiration.parse(BasicProperties.expiration(properties))
                    : NO_EXPIRATION;
        }
        return expiration;
    }

    /** The priority property, 0 when absent. */
    public int priority() {
        if (priority < 0) {
            priority = (short) (properties.readableBytes() < 2 ? 0 : BasicProperties.priority(properties));
        }
        return priority;
    }

    public String exchange() {
        return exchange;
    }

    public String routingKey() {
        return routingKey;
    }

    /** The content-header property bytes as received: flags followed by the present properties. */
    public ByteBuf properties() {
        return properties;
    }

    public ByteBuf body() {
        return body;
    }

    public int bodySize() {
        return body.readableBytes();
    }

    /** The user-id property, or null; decodes the properties only when the flag says it is there. */
    public String userId() {
        if (properties.readableBytes() < 2 || (properties.getUnsignedShort(properties.readerIndex()) & USER_ID_FLAG) == 0) {
            return null;
        }
        return BasicProperties.decode(properties.duplicate()).userId();
    }

    /** delivery-mode 2: the message is to be stored when it reaches a durable queue. */
    public boolean persistent() {
        if (deliveryMode < 0) {
            deliveryMode = (byte) BasicProperties.deliveryMode(properties);
        }
        return deliveryMode == 2;
    }

    /** The store location of this message for its durable queues, or -1 when it is not stored for them. */
    public long location() {
        return location;
    }

    public void storedAt(long storeLocation) {
        this.location = storeLocation;
    }

    /** The reply-to property, or null; decodes only when the flag says it is there. */
    public String replyTo() {
        if (properties.readableBytes() < 2 || (properties.getUnsignedShort(properties.readerIndex()) & REPLY_TO_FLAG) == 0) {
            return null;
        }
        return BasicProperties.decode(properties.duplicate()).replyTo();
    }

    /** The same message (body shared) with another reply-to; the caller keeps its reference to this one. */
    public Message withReplyTo(String replyTo) {
        ByteBuf encoded = BasicProperties.decode(properties.duplicate()).withReplyTo(replyTo).encoded();
        return withProperties(exchange, routingKey, encoded, arrivedAt);
    }

    /** Whether the properties carry a headers table (a look at the flags only). */
    public boolean hasHeaders() {
        return properties.readableBytes() >= 2 && (properties.getUnsignedShort(properties.readerIndex()) & HEADERS_FLAG) != 0;
    }

    /** The headers table, decoded on first use (only the headers exchange needs it); null when absent. */
    public Map<String, Object> headers() {
        if (!headersDecoded) {
            headers = BasicProperties.headers(properties);
            headersDecoded = true;
        }
        return headers;
    }

    @Override
    public int refCnt() {
        return references;
    }

    @Override
    public Message retain() {
        return retain(1);
    }

    @Override
    public Message retain(int increment) {
        requirePositive("increment", increment);
        int before = (int) REFERENCES.getAndAdd(this, increment);
        if (before <= 0 || before + increment < before) {
            REFERENCES.getAndAdd(this, -increment);
            throw new IllegalReferenceCountException(before, increment);
        }
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        requirePositive("decrement", decrement);
        int before = (int) REFERENCES.getAndAdd(this, -decrement);
        if (before == decrement) {
            properties.release();
            body.release();
            return true;
        }
        if (before < decrement) {
            REFERENCES.getAndAdd(this, decrement);
            throw new IllegalReferenceCountException(before, -decrement);
        }
        return false;
    }

    private static void requirePositive(String name, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException(name + ": " + count + " (expected: > 0)");
        }
    }

    @Override
    public Message touch() {
        return touch(null);
    }

    @Override
    public Message touch(Object hint) {
        body.touch(hint);
        return this;
    }
}
