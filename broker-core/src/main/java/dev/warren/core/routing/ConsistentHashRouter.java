package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.FieldValues;
import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code x-consistent-hash} exchange of RabbitMQ's bundled plugin: the binding key is a weight, and each
 * message goes to exactly one binding, picked by hashing the message's routing key — or, with the exchange
 * argument {@code hash-header}, that header's value, or with {@code hash-property} the property
 * {@code message_id}, {@code correlation_id} or {@code timestamp}. The same value always reaches the same
 * destination while the bindings stay the same; across many values each binding gets a share close to its
 * weight's (see {@link HashRing}). A message without the header or property is hashed as one fixed value,
 * so all such messages go to one binding, as in the plugin.
 *
 * <p>The routing key hashed is always the one the message was published with (RabbitMQ hashes the first of
 * its routing keys), never a CC or BCC key: the copies those keys ask for reach the same binding, so the
 * message still goes to one destination.
 *
 * <p>Threading: bind and unbind (under the virtual host's lock) publish a new immutable ring; route reads
 * it from any event loop without a lock. Hashing a routing key or property allocates nothing; a header is
 * read from the message's headers, decoded once per message.
 */
public final class ConsistentHashRouter implements ExchangeRouter {
    static final String HASH_HEADER = "hash-header";
    static final String HASH_PROPERTY = "hash-property";
    /** The largest weight a binding may have: its points are kept in memory ({@link HashRing#POINTS_PER_WEIGHT} each). */
    public static final int MAX_WEIGHT = 10_000;
    /** Where a message lacking the header or property hashes to: any fixed point of the ring would do. */
    private static final int ABSENT = 0x3c6ef372;
    // what weight() answers for a key that is no weight
    private static final int NOT_AN_INTEGER = -1;
    private static final int NOT_POSITIVE = -2;
    private static final int TOO_LARGE = -3;

    /** What a message is hashed on, from the exchange's arguments. */
    private enum HashOn {
        ROUTING_KEY(-1), HEADER(-1),
        MESSAGE_ID(BasicProperties.MESSAGE_ID), CORRELATION_ID(BasicProperties.CORRELATION_ID),
        TIMESTAMP(BasicProperties.TIMESTAMP);

        /** The property's position in the basic properties, or -1. */
        final int property;

        HashOn(int property) {
            this.property = property;
        }

        /** The property named as RabbitMQ names it in {@code hash-property}, or null. */
        static HashOn property(Object name) {
            if (name instanceof String s) {
                switch (s) {
                    case "message_id":
                        return MESSAGE_ID;
                    case "correlation_id":
                        return CORRELATION_ID;
                    case "timestamp":
                        return TIMESTAMP;
                    default:
                        break;
                }
            }
            return null;
        }
    }

    private final HashOn hashOn;
    /** The header hashed, with {@link HashOn#HEADER}. */
    private final String header;
    /** Replaced whole on bind and unbind; route reads it without a lock. */
    private volatile HashRing<Binding> ring = HashRing.empty();

    /**
     * A router for an exchange with these arguments; they were checked with {@link #validateArguments} when it
     * was declared. Should a stored exchange still hold arguments that fail it, what cannot be used is ignored.
     */
    public ConsistentHashRouter(Map<String, Object> exchangeArguments) {
        Object headerName = exchangeArguments.get(HASH_HEADER);
        HashOn property = HashOn.property(exchangeArguments.get(HASH_PROPERTY));
        if (headerName instanceof String name) {
            this.hashOn = HashOn.HEADER;
            this.header = name;
        } else {
            this.hashOn = property != null ? property : HashOn.ROUTING_KEY;
            this.header = null;
        }
    }

    /**
     * Checks a new exchange's {@code hash-header} and {@code hash-property} arguments, as the plugin checks
     * them (it does not when an existing exchange is declared again).
     *
     * @return null when they are valid, otherwise the detail of a PRECONDITION_FAILED reply
     */
    public static String validateArguments(Map<String, Object> exchangeArguments) {
        if (exchangeArguments == null) {
            return null;
        }
        for (String key : new String[] {HASH_HEADER, HASH_PROPERTY}) {
            // RabbitMQ 3.10 fails with INTERNAL_ERROR here; a 406 says what is wrong.
            if (exchangeArguments.containsKey(key) && !(exchangeArguments.get(key) instanceof String)) {
                Object value = exchangeArguments.get(key);
                return "Invalid " + key + " field type " + FieldValues.typeName(value) + " (value "
                        + HeadersMatcher.ErlangTerms.format(value) + "); expected longstr";
            }
        }
        Object property = exchangeArguments.get(HASH_PROPERTY);
        if (property == null) {
            return null;
        }
        if (exchangeArguments.containsKey(HASH_HEADER)) {
            return "hash-header and hash-property are mutually exclusive";
        }
        return HashOn.property(property) == null ? "Unsupported property: " + property : null;
    }

    /**
     * Checks a binding key: a positive integer in decimal (a sign and leading zeros allowed, as Erlang's
     * {@code list_to_integer} reads it), at most {@link #MAX_WEIGHT}.
     *
     * @return null when it is a valid weight, otherwise the detail of a PRECONDITION_FAILED reply
     */
    public static String validateWeight(String bindingKey) {
        int weight = weight(bindingKey);
        if (weight == NOT_AN_INTEGER) {
            return "The binding key must be an integer: " + erlangBinary(bindingKey.getBytes(StandardCharsets.UTF_8));
        }
        if (weight == NOT_POSITIVE) {
            return "The binding key must be greater than 0";
        }
        if (weight == TOO_LARGE) {
            return "The binding key must be at most " + MAX_WEIGHT;
        }
        return null;
    }

    /** The weight a binding key stands for, or one of the negative reasons it stands for none. */
    private static int weight(String key) {
        int start = !key.isEmpty() && (key.charAt(0) == '+' || key.charAt(0) == '-') ? 1 : 0;
        if (start == key.length()) {
            return NOT_AN_INTEGER;
        }
        long value = 0;
        for (int i = start; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_AN_INTEGER;
            }
            value = Math.min(value * 10 + (c - '0'), MAX_WEIGHT + 1L); // capped, so long keys cannot overflow
        }
        if (value == 0 || key.charAt(0) == '-') {
            return NOT_POSITIVE;
        }
        return value > MAX_WEIGHT ? TOO_LARGE : (int) value;
    }

    @Override
    public void bind(Binding binding) {
        int weight = weight(binding.routingKey());
        if (weight > 0) { // checked by the virtual host before binding; a stored invalid one gets no points
            ring = ring.with(binding, identity(binding), weight);
        }
    }

    @Override
    public void unbind(Binding binding) {
        ring = ring.without(binding);
    }

    @Override
    public void route(Message message, String routingKey, Consumer<Binding> sink) {
        HashRing<Binding> now = ring;
        if (now.size() == 0) {
            return;
        }
        sink.accept(now.owner(hash(message)));
    }

    /**
     * Where a binding's points go: its destination and weight key. Two bindings that differ only in their
     * arguments share their points.
     */
    private static String identity(Binding binding) {
        return binding.destination().kind() + '\0' + binding.destination().name() + '\0' + binding.routingKey();
    }

    private int hash(Message message) {
        switch (hashOn) {
            case ROUTING_KEY:
                return Murmur3.hash(message.routingKey());
            case HEADER:
                Map<String, Object> headers = message.headers();
                return headers == null ? ABSENT : hashValue(headers.get(header));
            case TIMESTAMP: {
                ByteBuf properties = message.properties();
                int index = BasicProperties.valueIndex(properties, BasicProperties.TIMESTAMP);
                return index < 0 ? ABSENT : Murmur3.hash(properties.getLong(index));
            }
            default: { // a short-string property
                ByteBuf properties = message.properties();
                int index = BasicProperties.valueIndex(properties, hashOn.property);
                return index < 0 ? ABSENT : Murmur3.hash(properties, index + 1, properties.getUnsignedByte(index));
            }
        }
    }

    /** A header value's hash: strings and byte arrays by their bytes, other types by how RabbitMQ prints them. */
    private static int hashValue(Object value) {
        if (value == null) {
            return ABSENT;
        } else if (value instanceof String s) {
            return Murmur3.hash(s);
        } else if (value instanceof byte[] bytes) {
            return Murmur3.hash(bytes);
        }
        return Murmur3.hash(HeadersMatcher.ErlangTerms.format(value));
    }

    /**
     * A binary as Erlang's {@code ~p} prints it in the plugin's error: {@code <<"text">>} when every byte is
     * a printable Latin-1 character (so UTF-8 text comes out as itself), otherwise the byte values.
     */
    private static String erlangBinary(byte[] bytes) {
        StringBuilder out = new StringBuilder("<<");
        boolean printable = bytes.length > 0;
        for (byte b : bytes) {
            int c = b & 0xff;
            printable &= c >= 0x20 && c < 0x7f || c >= 0xa0 || escape(c) != null;
        }
        if (printable) {
            out.append('"');
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                String escaped = bytes[i] >= 0 ? escape(bytes[i]) : null;
                if (escaped != null) {
                    out.append(new String(bytes, start, i - start, StandardCharsets.UTF_8)).append(escaped);
                    start = i + 1;
                }
            }
            out.append(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8)).append('"');
        } else {
            for (int i = 0; i < bytes.length; i++) {
                out.append(i == 0 ? "" : ",").append(bytes[i] & 0xff);
            }
        }
        return out.append(">>").toString();
    }

    /** How Erlang escapes an ASCII character inside a quoted string, or null when it stands as itself. */
    private static String escape(int c) {
        switch (c) {
            case '"': return "\\\"";
            case '\\': return "\\\\";
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case '\f': return "\\f";
            case '\b': return "\\b";
            case 0x0b: return "\\v";
            case 0x1b: return "\\e";
            default: return null;
        }
    }
}
