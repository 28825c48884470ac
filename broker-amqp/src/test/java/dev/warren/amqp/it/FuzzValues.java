package dev.warren.amqp.it;

import dev.warren.amqp.protocol.FieldSpec;
import dev.warren.amqp.protocol.FieldType;
import dev.warren.amqp.protocol.MethodSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Random field values for {@link FrameFuzzer}, written straight to the wire. Most values are ones the broker
 * acts on (a few queue and exchange names, the x-arguments it reads, small delivery tags) so that fuzzed
 * methods get past decoding into the handlers; the rest are anything a field's type allows, or worse: long
 * multi-byte names, names cut inside a UTF-8 sequence, huge and deeply nested field tables.
 *
 * <p>Names come from small pools so that a long run declares a bounded set of queues and exchanges.
 */
final class FuzzValues {
    static final List<String> QUEUES = List.of("fuzz-q1", "fuzz-q2", "fuzz-dlx-q", "fuzz-prio", "fuzz.é.ü");
    static final List<String> EXCHANGES = List.of("fuzz-x1", "fuzz-topic", "fuzz-headers", "fuzz-hash", "fuzz-delayed");
    private static final List<String> BUILT_IN_EXCHANGES = List.of("", "amq.direct", "amq.topic", "amq.fanout",
            "amq.headers", "amq.match", "amq.rabbitmq.trace", "amq.nope");
    private static final List<String> EXCHANGE_TYPES = List.of("direct", "topic", "fanout", "headers",
            "x-consistent-hash", "x-delayed-message", "x-bogus", "");
    private static final List<String> ROUTING_KEYS = List.of("", "fuzz-q1", "fuzz-q2", "a.b.c", "#", "*.b", "1", "10",
            "amq.rabbitmq.reply-to", "amq.rabbitmq.reply-to.g2dkAA");
    private static final List<String> ARGUMENTS = List.of("x-message-ttl", "x-expires", "x-max-length",
            "x-max-length-bytes", "x-overflow", "x-dead-letter-exchange", "x-dead-letter-routing-key",
            "x-max-priority", "x-queue-type", "x-queue-mode", "x-single-active-consumer", "x-delivery-limit",
            "x-consumer-timeout", "x-priority", "x-match", "x-delayed-type", "x-delay", "alternate-exchange",
            "hash-header", "hash-property", "x-cancel-on-ha-failover", "CC", "BCC");
    private static final List<String> ARGUMENT_WORDS = List.of("reject-publish", "drop-head", "reject-publish-dlx",
            "classic", "quorum", "stream", "lazy", "all", "any", "all-with-x", "direct", "topic", "fuzz-x1",
            "fuzz-q1", "message_id", "correlation_id", "bogus");
    private static final byte[] TABLE_TYPES = "tbBsuIilLfdDSxTFAV".getBytes(StandardCharsets.US_ASCII);
    private static final String MULTI_BYTE = "é€𝄞ü中";

    private final Random random;

    FuzzValues(Random random) {
        this.random = random;
    }

    boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** The fields of a method, each with a value for its name and type; bits packed as the spec packs them. */
    byte[] fields(MethodSpec spec) {
        WireBytes out = new WireBytes();
        int bits = 0;
        int bitIndex = -1;
        for (FieldSpec field : spec.fields()) {
            if (field.type() == FieldType.BIT) {
                if (bitIndex == 8) {
                    out.octet(bits);
                    bitIndex = -1;
                }
                if (bitIndex == -1) {
                    bits = 0;
                    bitIndex = 0;
                }
                if (bit(field.name())) {
                    bits |= 1 << bitIndex;
                }
                bitIndex++;
                continue;
            }
            if (bitIndex != -1) {
                out.octet(bits);
                bitIndex = -1;
            }
            write(out, field);
        }
        if (bitIndex != -1) {
            out.octet(bits);
        }
        return out.toByteArray();
    }

    private boolean bit(String name) {
        return switch (name) {
            case "nowait" -> chance(10);
            case "immediate" -> chance(3);
            case "active" -> chance(90);
            default -> random.nextBoolean();
        };
    }

    private void write(WireBytes out, FieldSpec field) {
        String name = field.name();
        switch (field.type()) {
            case OCTET -> out.octet(random.nextInt(256));
            case SHORT -> out.shortInt(name.equals("ticket") ? 0 : (int) smallOrAny(0xFFFF));
            case LONG -> out.longInt(name.equals("prefetch-size") && chance(90) ? 0 : smallOrAny(0xFFFFFFFFL));
            case LONGLONG, TIMESTAMP -> out.longlong(name.equals("delivery-tag") && chance(85) ? random.nextInt(6)
                    : random.nextLong());
            case SHORTSTR -> out.shortstr(shortString(name));
            case LONGSTR -> out.longstr(chance(50) ? "\0guest\0guest".getBytes(StandardCharsets.UTF_8) : randomBytes(64));
            case TABLE -> out.longstr(name.equals("arguments") || name.equals("headers") ? arguments() : table(0));
            case BIT -> throw new IllegalStateException("bits are packed by fields()");
        }
    }

    private long smallOrAny(long max) {
        return chance(70) ? random.nextInt(12) : (long) (random.nextDouble() * max);
    }

    /** A short string's bytes: usually a name the broker knows, sometimes one that does not fit or is not UTF-8. */
    byte[] shortString(String field) {
        if (chance(8)) {
            return awkwardName();
        }
        String value = switch (field) {
            case "queue" -> chance(85) ? pick(QUEUES) : pick(List.of("", "amq.gen-fuzz", "amq.rabbitmq.reply-to"));
            case "exchange", "source", "destination" -> chance(60) ? pick(EXCHANGES) : pick(BUILT_IN_EXCHANGES);
            case "type" -> pick(EXCHANGE_TYPES);
            case "routing-key" -> pick(ROUTING_KEYS);
            case "consumer-tag" -> pick(List.of("", "ctag-1", "ctag-2"));
            case "virtual-host" -> pick(List.of("/", "", "nope"));
            case "mechanism" -> pick(List.of("PLAIN", "AMQPLAIN", "EXTERNAL", "bogus"));
            default -> text(random.nextInt(20));
        };
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A name at or over the short-string limit: 255 bytes of multi-byte UTF-8 (fits), the same cut in the
     * middle of a code point (not UTF-8), or up to 400 bytes, whose length octet then lies.
     */
    byte[] awkwardName() {
        StringBuilder sb = new StringBuilder();
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 400) {
            sb.appendCodePoint(MULTI_BYTE.codePointAt(MULTI_BYTE.offsetByCodePoints(0, random.nextInt(5))));
        }
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        int length = switch (random.nextInt(3)) {
            case 0 -> 255;
            case 1 -> 250 + random.nextInt(6);
            default -> 256 + random.nextInt(all.length - 256);
        };
        return java.util.Arrays.copyOf(all, length);
    }

    String text(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(chance(90) ? (char) ('a' + random.nextInt(26)) : MULTI_BYTE.charAt(random.nextInt(2)));
        }
        return sb.toString();
    }

    byte[] randomBytes(int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(b);
        return b;
    }

    /** The body of an arguments (or headers) table: the keys the broker reads, with values of any type. */
    byte[] arguments() {
        if (chance(10)) {
            return table(0);
        }
        WireBytes out = new WireBytes();
        int entries = random.nextInt(4);
        for (int i = 0; i < entries; i++) {
            out.shortstr(pick(ARGUMENTS));
            argumentValue(out);
        }
        return out.toByteArray();
    }

    private void argumentValue(WireBytes out) {
        switch (random.nextInt(8)) {
            case 0, 1 -> out.octet('S').longstr(pick(ARGUMENT_WORDS).getBytes(StandardCharsets.UTF_8));
            case 2 -> out.octet('I').longInt(pick(List.of(0L, 1L, 5L, 1000L, -1L, 0x7FFFFFFFL, 0x80000000L)));
            case 3 -> out.octet('l').longlong(pick(List.of(0L, 10L, -5L, Long.MAX_VALUE, Long.MIN_VALUE)));
            case 4 -> out.octet('t').octet(random.nextInt(2));
            case 5 -> {
                WireBytes array = new WireBytes();
                for (int i = random.nextInt(3); i > 0; i--) {
                    array.octet('S').longstr(pick(ROUTING_KEYS).getBytes(StandardCharsets.UTF_8));
                }
                out.octet('A').longstr(array.toByteArray());
            }
            default -> value(out, 1);
        }
    }

    /**
     * A field table's body with random entries of every type; now and then a huge one (most of a frame) or
     * one nested past the decoder's depth limit.
     */
    byte[] table(int depth) {
        if (depth == 0 && chance(5)) {
            return nested(50 + random.nextInt(120));
        }
        WireBytes out = new WireBytes();
        int entries = depth == 0 && chance(5) ? 2_000 + random.nextInt(4_000) : random.nextInt(5);
        for (int i = 0; i < entries; i++) {
            out.shortstr(chance(5) ? awkwardName() : text(1 + random.nextInt(10)).getBytes(StandardCharsets.UTF_8));
            value(out, depth);
        }
        return out.toByteArray();
    }

    private byte[] nested(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            boolean array = random.nextBoolean();
            WireBytes level = new WireBytes();
            if (!array) {
                level.shortstr("n");
            }
            level.octet(array ? 'A' : 'F').longstr(inner);
            inner = level.toByteArray();
        }
        return inner;
    }

    private void value(WireBytes out, int depth) {
        int type = TABLE_TYPES[random.nextInt(TABLE_TYPES.length)];
        if (depth > 3 && (type == 'F' || type == 'A')) {
            type = 'V';
        }
        out.octet(type);
        switch (type) {
            case 't', 'b', 'B' -> out.octet(random.nextInt(256));
            case 's', 'u' -> out.shortInt(random.nextInt(0x10000));
            case 'I', 'i', 'f' -> out.longInt(random.nextInt());
            case 'l', 'L', 'd', 'T' -> out.longlong(random.nextLong());
            case 'D' -> out.octet(random.nextInt(256)).longInt(random.nextInt());
            case 'S', 'x' -> out.longstr(chance(20) ? awkwardName() : randomBytes(16));
            case 'F' -> out.longstr(table(depth + 1));
            case 'A' -> {
                WireBytes array = new WireBytes();
                for (int i = random.nextInt(4); i > 0; i--) {
                    value(array, depth + 1);
                }
                out.longstr(array.toByteArray());
            }
            case 'V' -> { }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * Basic content-header properties: the flags word and the properties it announces, with values the
     * broker reads (delivery-mode, priority, expiration, user-id, headers) drawn from awkward ones.
     */
    byte[] basicProperties() {
        int flags = random.nextInt(0x10000) & 0xFFFC; // bit 0 would announce a second flags word
        if (chance(30)) {
            flags = 0;
        }
        WireBytes out = new WireBytes().shortInt(flags);
        for (int bit = 15; bit >= 2; bit--) {
            if ((flags & (1 << bit)) == 0) {
                continue;
            }
            switch (bit) {
                case 13 -> out.longstr(arguments()); // headers
                case 12, 11 -> out.octet(chance(80) ? random.nextInt(11) : random.nextInt(256)); // delivery-mode, priority
                case 8 -> out.shortstr(pick(List.of("0", "1000", "-1", "abc", "", "99999999999999999999", "1.5"))); // expiration
                case 6 -> out.longlong(random.nextLong()); // timestamp
                case 4 -> out.shortstr(pick(List.of("guest", "other", ""))); // user-id
                default -> out.shortstr(chance(10) ? awkwardName() : text(random.nextInt(12)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
