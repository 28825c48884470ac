package dev.warren.amqp.it;

import dev.warren.amqp.protocol.MethodSpec;
import dev.warren.amqp.protocol.Methods;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates fuzz cases for {@link FrameFuzzIT}: what a client sends after a valid handshake. A case is a run
 * of frames, some valid (random methods from the protocol table with {@link FuzzValues}' field values,
 * publishes with content header and body frames), some mutated: bit flips, truncations, wrong size fields,
 * bad frame-end octets, random frame types, channels and class/method ids, method payloads cut short or
 * padded, and content frames out of order or larger than declared.
 *
 * <p>Every case comes from its own seed, drawn from the run's {@code Random(seed)}, so a failing case is
 * replayed from the seed printed with it alone. The last frame is chosen so the broker cannot be left waiting
 * for bytes: when the stream is frame-aligned a connection.close follows (the broker answers close-ok once
 * it has handled everything before it); when a frame was cut, zero octets complete it and its end octet is
 * then wrong (the broker must answer 501).
 */
final class FrameFuzzer {
    /** The frame-max the cases are made for: the broker's default, accepted at tune-ok. */
    static final int FRAME_MAX = 131072;
    private static final int MAX_STEPS = 8;
    private static final List<MethodSpec> CLIENT_CHANNEL_METHODS = Methods.all().stream()
            .filter(m -> m.classId() != 10 && !m.name().endsWith("-ok") && !m.name().equals("basic.deliver")
                    && !m.name().equals("basic.return") && !m.name().equals("basic.get-empty"))
            .toList();

    /** One case: what it does (for the failure message), the bytes to send after the handshake, and its frame count. */
    record FuzzCase(long seed, boolean openChannel, List<String> steps, byte[] stream, int frames) {
        @Override
        public String toString() {
            return "case seed " + seed + (openChannel ? " (channel 1 opened)" : " (no channel opened)") + ": "
                    + String.join("; ", steps);
        }
    }

    private final Random seeds;

    FrameFuzzer(long seed) {
        this.seeds = new Random(seed);
    }

    FuzzCase next() {
        return generate(seeds.nextLong());
    }

    static FuzzCase generate(long seed) {
        return new CaseBuilder(new Random(seed), seed).build();
    }

    /** Builds one case; not shared between cases. */
    private static final class CaseBuilder {
        private final Random random;
        private final FuzzValues values;
        private final long seed;
        private final boolean openChannel;
        private final List<String> steps = new ArrayList<>();
        private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        private int frames;

        CaseBuilder(Random random, long seed) {
            this.random = random;
            this.values = new FuzzValues(random);
            this.seed = seed;
            this.openChannel = values.chance(85);
        }

        FuzzCase build() {
            if (openChannel && values.chance(25)) {
                // a session of valid commands only, to reach the handlers' deeper states (consume, ack, tx, confirm)
                int count = 1 + random.nextInt(2 * MAX_STEPS);
                for (int i = 0; i < count; i++) {
                    validCommand();
                }
            } else {
                int count = 1 + random.nextInt(MAX_STEPS);
                for (int i = 0; i < count; i++) {
                    step();
                }
            }
            finish();
            return new FuzzCase(seed, openChannel, steps, stream.toByteArray(), frames);
        }

        private int channel() {
            if (values.chance(90)) {
                return openChannel ? 1 : values.chance(50) ? 0 : 1;
            }
            return values.pick(List.of(0, 2, 3, 2047, 2048, 65535));
        }

        private void step() {
            int dice = random.nextInt(100);
            if (dice < 30) {
                validCommand();
            } else if (dice < 45) {
                contentAnomaly();
            } else if (dice < 90) {
                mutatedFrame();
            } else if (dice < 95) {
                int channel = values.chance(70) ? 0 : channel();
                steps.add("heartbeat on channel " + channel);
                send(frame(RawAmqpClient.HEARTBEAT, channel, new byte[0]));
            } else {
                byte[] garbage = values.randomBytes(64);
                steps.add(garbage.length + " random bytes");
                send(garbage);
                frames++;
            }
        }

        // ---- valid frames ----

        private MethodSpec method() {
            int dice = random.nextInt(100);
            if (dice < 25) {
                return Methods.BASIC_PUBLISH;
            } else if (dice < 90) {
                return values.pick(CLIENT_CHANNEL_METHODS);
            }
            return values.pick(Methods.all());
        }

        private void validCommand() {
            MethodSpec spec = method();
            int channel = spec.classId() == 10 ? (values.chance(80) ? 0 : channel()) : channel();
            steps.add(spec.name() + " on channel " + channel);
            send(methodFrame(channel, spec));
            if (spec.hasContent()) {
                content(channel, spec.classId(), random.nextInt(100) < 80 ? random.nextInt(300) : random.nextInt(3 * FRAME_MAX));
            }
        }

        private byte[] methodFrame(int channel, MethodSpec spec) {
            return frame(RawAmqpClient.METHOD, channel, methodPayload(spec.classId(), spec.methodId(), values.fields(spec)));
        }

        /** A content header for the size, then body frames of random sizes (at most frame-max) adding up to it. */
        private void content(int channel, int classId, long size) {
            send(frame(RawAmqpClient.HEADER, channel, header(classId, size)));
            long left = size;
            while (left > 0) {
                int chunk = (int) Math.min(left, 1 + random.nextInt(FRAME_MAX - 8));
                send(frame(RawAmqpClient.BODY, channel, body(chunk)));
                left -= chunk;
            }
        }

        private byte[] header(int classId, long bodySize) {
            return new WireBytes().shortInt(classId).shortInt(0).longlong(bodySize).bytes(values.basicProperties()).toByteArray();
        }

        private byte[] body(int size) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            return body;
        }

        // ---- content out of order ----

        private void contentAnomaly() {
            int channel = channel();
            byte[] publish = methodFrame(channel, Methods.BASIC_PUBLISH);
            switch (random.nextInt(9)) {
                case 0 -> {
                    steps.add("publish with a body larger than declared on channel " + channel);
                    send(publish);
                    int declared = random.nextInt(100);
                    send(frame(RawAmqpClient.HEADER, channel, header(60, declared)));
                    send(frame(RawAmqpClient.BODY, channel, body(declared + 1 + random.nextInt(100))));
                }
                case 1 -> {
                    steps.add("body frame without a header on channel " + channel);
                    if (values.chance(50)) {
                        send(publish);
                    }
                    send(frame(RawAmqpClient.BODY, channel, body(random.nextInt(100))));
                }
                case 2 -> {
                    steps.add("content header without a publish on channel " + channel);
                    content(channel, 60, random.nextInt(10));
                }
                case 3 -> {
                    int classId = values.pick(List.of(0, 10, 50, 90, 65535));
                    steps.add("publish with a content header for class " + classId + " on channel " + channel);
                    send(publish);
                    content(channel, classId, random.nextInt(10));
                }
                case 4 -> {
                    int length = random.nextInt(14);
                    steps.add("publish with a content header of " + length + " bytes on channel " + channel);
                    send(publish);
                    send(frame(RawAmqpClient.HEADER, channel, java.util.Arrays.copyOf(header(60, 0), length)));
                }
                case 5 -> {
                    long size = values.pick(List.of(-1L, Long.MAX_VALUE, 1L << 32, 512L * 1024 * 1024 + 1));
                    steps.add("publish declaring a body of " + size + " bytes on channel " + channel);
                    send(publish);
                    send(frame(RawAmqpClient.HEADER, channel, header(60, size)));
                    send(frame(RawAmqpClient.BODY, channel, body(random.nextInt(100))));
                }
                case 6 -> {
                    steps.add("a method between content header and body on channel " + channel);
                    send(publish);
                    send(frame(RawAmqpClient.HEADER, channel, header(60, 10)));
                    send(methodFrame(channel, method()));
                    send(frame(RawAmqpClient.BODY, channel, body(10)));
                }
                case 7 -> {
                    steps.add("publish with property flags announcing a second flags word on channel " + channel);
                    send(publish);
                    byte[] header = header(60, 0);
                    header[13] |= 1;
                    send(frame(RawAmqpClient.HEADER, channel, header));
                }
                default -> {
                    steps.add("publish of an empty body followed by a body frame on channel " + channel);
                    send(publish);
                    send(frame(RawAmqpClient.HEADER, channel, header(60, 0)));
                    send(frame(RawAmqpClient.BODY, channel, body(1 + random.nextInt(10))));
                }
            }
        }

        // ---- mutations ----

        private void mutatedFrame() {
            int channel = channel();
            byte[] frame = switch (random.nextInt(6)) {
                case 0 -> frame(RawAmqpClient.HEADER, channel, header(60, random.nextInt(50)));
                case 1 -> frame(RawAmqpClient.BODY, channel, body(random.nextInt(50)));
                default -> methodFrame(channel, method());
            };
            String what = describe(frame);
            int payloadSize = frame.length - 8;
            switch (random.nextInt(9)) {
                case 0 -> {
                    int flips = 1 + random.nextInt(4);
                    for (int i = 0; i < flips; i++) {
                        frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    steps.add(flips + " bit flip(s) in " + what);
                }
                case 1 -> {
                    frame = java.util.Arrays.copyOf(frame, random.nextInt(frame.length));
                    steps.add(what + " truncated to " + frame.length + " bytes");
                }
                case 2 -> {
                    long size = values.pick(List.of(0L, (long) payloadSize - 1, (long) payloadSize + 1,
                            (long) random.nextInt(FRAME_MAX + 1), FRAME_MAX + 1L, 0xFFFFFFFFL, (long) random.nextInt(payloadSize + 1)));
                    ByteBuffer.wrap(frame).putInt(3, (int) size);
                    steps.add(what + " with size field " + size);
                }
                case 3 -> {
                    int end = random.nextInt(255);
                    frame[frame.length - 1] = (byte) (end >= 0xCE ? end + 1 : end);
                    steps.add(what + " ending with octet " + (frame[frame.length - 1] & 0xFF));
                }
                case 4 -> {
                    frame[0] = (byte) random.nextInt(256);
                    steps.add(what + " as frame type " + (frame[0] & 0xFF));
                }
                case 5 -> {
                    int other = random.nextInt(0x10000);
                    ByteBuffer.wrap(frame).putShort(1, (short) other);
                    steps.add(what + " on channel " + other);
                }
                case 6 -> {
                    if (payloadSize >= 4) {
                        int classId = values.chance(50) ? values.pick(List.of(10, 20, 30, 40, 50, 60, 85, 90)) : random.nextInt(0x10000);
                        int methodId = random.nextInt(values.chance(70) ? 130 : 0x10000);
                        ByteBuffer.wrap(frame).putShort(7, (short) classId).putShort(9, (short) methodId);
                        steps.add(what + " with ids " + classId + "." + methodId);
                    } else {
                        steps.add(what);
                    }
                }
                case 7 -> {
                    int keep = random.nextInt(payloadSize + 1);
                    byte[] payload = java.util.Arrays.copyOfRange(frame, 7, 7 + keep);
                    frame = frame(frame[0] & 0xFF, channel, payload);
                    steps.add(what + " with its payload cut to " + keep + " bytes");
                }
                default -> {
                    byte[] extra = values.randomBytes(32);
                    byte[] payload = java.util.Arrays.copyOfRange(frame, 7, 7 + payloadSize + extra.length);
                    System.arraycopy(extra, 0, payload, payloadSize, extra.length);
                    frame = frame(frame[0] & 0xFF, channel, payload);
                    steps.add(what + " with " + extra.length + " extra payload bytes");
                }
            }
            send(frame);
        }

        private static String describe(byte[] frame) {
            int type = frame[0] & 0xFF;
            int channel = ((frame[1] & 0xFF) << 8) | (frame[2] & 0xFF);
            if (type == RawAmqpClient.METHOD) {
                MethodSpec spec = Methods.lookup(((frame[7] & 0xFF) << 8) | (frame[8] & 0xFF), ((frame[9] & 0xFF) << 8) | (frame[10] & 0xFF));
                return spec.name() + " on channel " + channel;
            }
            return (type == RawAmqpClient.HEADER ? "content header" : "body frame") + " on channel " + channel;
        }

        // ---- the end of the stream ----

        private void finish() {
            byte[] sent = stream.toByteArray();
            long missing = FrameScan.missingBytes(sent, FRAME_MAX);
            if (missing == 0) {
                steps.add("connection.close");
                send(frame(RawAmqpClient.METHOD, 0, methodPayload(10, 50,
                        new WireBytes().shortInt(200).shortstr("fuzz case done").shortInt(0).shortInt(0).toByteArray())));
            } else if (missing > 0) {
                steps.add(missing + " zero octets to complete the cut frame");
                send(new byte[(int) missing]);
                frames++;
            }
        }

        private void send(byte[] bytes) {
            stream.writeBytes(bytes);
        }

        private byte[] frame(int type, int channel, byte[] payload) {
            frames++;
            return RawAmqpClient.frame(type, channel, payload, RawAmqpClient.FRAME_END);
        }
    }

    static byte[] methodPayload(int classId, int methodId, byte[] fields) {
        return ByteBuffer.allocate(4 + fields.length).putShort((short) classId).putShort((short) methodId).put(fields).array();
    }

    /** How the broker's frame decoder will see a byte stream, without decoding anything past the framing. */
    static final class FrameScan {
        private FrameScan() {
        }

        /**
         * 0 when the stream ends on a frame boundary, -1 when the decoder will reject a frame in it (unknown
         * type, over frame-max, wrong end octet), else how many more bytes it needs to finish the last frame
         * (counting zero octets as the fill, so the header of a frame cut inside it is read with zeros).
         */
        static long missingBytes(byte[] stream, int frameMax) {
            int at = 0;
            while (true) {
                if (at == stream.length) {
                    return 0;
                }
                byte[] header = java.util.Arrays.copyOfRange(stream, at, at + 7); // zero-filled past the end
                int type = header[0] & 0xFF;
                long size = ByteBuffer.wrap(header, 3, 4).getInt() & 0xFFFFFFFFL;
                if ((type != 1 && type != 2 && type != 3 && type != 8) || size > frameMax) {
                    return stream.length - at >= 7 ? -1 : 7 - (stream.length - at);
                }
                long frameEnd = at + 7 + size; // index of the end octet
                if (frameEnd >= stream.length) {
                    return frameEnd + 1 - stream.length;
                }
                if ((stream[(int) frameEnd] & 0xFF) != RawAmqpClient.FRAME_END) {
                    return -1;
                }
                at = (int) frameEnd + 1;
            }
        }
    }
}
