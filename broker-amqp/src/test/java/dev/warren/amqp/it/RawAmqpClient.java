package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deliberately dumb AMQP 0-9-1 client over a plain socket, for tests that need to misbehave in ways the
 * RabbitMQ Java client refuses to: it speaks the handshake (protocol header, start-ok PLAIN, tune-ok,
 * open), then lets a test send arbitrary frames or bytes and read frames back, every read bounded by a
 * deadline.
 */
final class RawAmqpClient implements AutoCloseable {
    static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    static final int METHOD = 1;
    static final int HEADER = 2;
    static final int BODY = 3;
    static final int HEARTBEAT = 8;
    static final int FRAME_END = 0xCE;

    /** One frame as read off the wire. */
    record RawFrame(int type, int channel, byte[] payload) {
        int classId() {
            return type == METHOD && payload.length >= 4 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        int methodId() {
            return type == METHOD && payload.length >= 4 ? ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF) : -1;
        }

        boolean isMethod(int classId, int methodId) {
            return type == METHOD && classId() == classId && methodId() == methodId;
        }

        /** A reader positioned after the class and method ids. */
        Args.Reader arguments() {
            return new Args.Reader(payload, 4);
        }

        @Override
        public String toString() {
            return type == METHOD ? "method " + classId() + "." + methodId() + " on channel " + channel
                    : "frame type " + type + " on channel " + channel + " (" + payload.length + " bytes)";
        }
    }

    /** The arguments of a connection.close or channel.close. */
    record CloseReason(int replyCode, String replyText, int classId, int methodId) {
        static CloseReason of(RawFrame frame) {
            Args.Reader r = frame.arguments();
            return new CloseReason(r.shortInt(), r.shortstr(), r.shortInt(), r.shortInt());
        }
    }

    /** The values of a connection.tune. */
    record Tune(int channelMax, long frameMax, int heartbeat) {
    }

    /** What connection.start carried. */
    record Start(int versionMajor, int versionMinor, Map<String, Object> serverProperties, String mechanisms, String locales) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private Start start;
    private Tune tune;

    private RawAmqpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawAmqpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawAmqpClient(socket);
    }

    /** Connects and completes the handshake as guest/guest on vhost "/", accepting the server's tune values. */
    static RawAmqpClient connectAndOpen(int port) throws IOException {
        RawAmqpClient client = connect(port);
        try {
            Tune offered = client.startAndLogin("guest", "guest");
            client.tuneOk(offered.channelMax(), offered.frameMax(), offered.heartbeat());
            client.openVhost("/");
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    Start start() {
        return start;
    }

    Tune tune() {
        return tune;
    }

    // ---- handshake steps ----

    /** Sends the protocol header and reads connection.start. */
    Start sendHeaderAndReadStart() throws IOException {
        sendRaw(PROTOCOL_HEADER);
        RawFrame frame = expectMethod(0, 10, 10, 5_000);
        Args.Reader r = frame.arguments();
        start = new Start(r.octet(), r.octet(), r.table(), r.longstrText(), r.longstrText());
        return start;
    }

    /** Header, start, start-ok with PLAIN; returns the connection.tune the server sends next. */
    Tune startAndLogin(String user, String password) throws IOException {
        sendHeaderAndReadStart();
        sendStartOk("PLAIN", ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        RawFrame frame = expectMethod(0, 10, 30, 5_000);
        Args.Reader r = frame.arguments();
        tune = new Tune(r.shortInt(), r.longInt(), r.shortInt());
        return tune;
    }

    void sendStartOk(String mechanism, byte[] response) throws IOException {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("authentication_failure_close", true);
        capabilities.put("consumer_cancel_notify", true);
        Map<String, Object> clientProperties = new LinkedHashMap<>();
        clientProperties.put("product", "RawAmqpClient");
        clientProperties.put("capabilities", capabilities);
        sendMethod(0, 10, 11, new Args().table(clientProperties).shortstr(mechanism).longstr(response).shortstr("en_US"));
    }

    void tuneOk(int channelMax, long frameMax, int heartbeat) throws IOException {
        sendMethod(0, 10, 31, new Args().shortInt(channelMax).longInt(frameMax).shortInt(heartbeat));
    }

    /** Sends connection.open and waits for open-ok. */
    void openVhost(String vhost) throws IOException {
        sendConnectionOpen(vhost);
        expectMethod(0, 10, 41, 5_000);
    }

    void sendConnectionOpen(String vhost) throws IOException {
        sendMethod(0, 10, 40, new Args().shortstr(vhost).shortstr("").bits(false));
    }

    /** Sends channel.open and waits for open-ok. */
    void openChannel(int channel) throws IOException {
        sendChannelOpen(channel);
        expectMethod(channel, 20, 11, 5_000);
    }

    void sendChannelOpen(int channel) throws IOException {
        sendMethod(channel, 20, 10, new Args().shortstr(""));
    }

    // ---- sending ----

    void sendMethod(int channel, int classId, int methodId, Args args) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(payload);
        data.writeShort(classId);
        data.writeShort(methodId);
        data.write(args.toByteArray());
        sendFrame(METHOD, channel, payload.toByteArray());
    }

    /** A basic content header with no properties. */
    void sendContentHeader(int channel, int classId, long bodySize) throws IOException {
        sendFrame(HEADER, channel, contentHeader(classId, bodySize));
    }

    static byte[] contentHeader(int classId, long bodySize) {
        return ByteBuffer.allocate(14).putShort((short) classId).putShort((short) 0).putLong(bodySize)
                .putShort((short) 0).array();
    }

    void sendFrame(int type, int channel, byte[] payload) throws IOException {
        sendRaw(frame(type, channel, payload, FRAME_END));
    }

    static byte[] frame(int type, int channel, byte[] payload, int frameEnd) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + payload.length);
        buffer.put((byte) type).putShort((short) channel).putInt(payload.length).put(payload).put((byte) frameEnd);
        return buffer.array();
    }

    static byte[] methodPayload(int classId, int methodId, Args args) {
        byte[] fields = args.toByteArray();
        return ByteBuffer.allocate(4 + fields.length).putShort((short) classId).putShort((short) methodId).put(fields).array();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    // ---- receiving ----

    /**
     * Reads one frame, waiting at most {@code timeoutMillis} for it to start. Returns null when nothing
     * arrived in time; throws EOFException when the server closed the socket.
     */
    RawFrame readFrame(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        byte[] header = new byte[7];
        try {
            readFully(header, deadline);
        } catch (SocketTimeoutException e) {
            return null;
        }
        int type = header[0] & 0xFF;
        int channel = ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
        long size = ByteBuffer.wrap(header, 3, 4).getInt() & 0xFFFFFFFFL;
        if (size > 16 * 1024 * 1024) {
            throw new IOException("implausible frame size " + size + " from the server");
        }
        byte[] payload = new byte[(int) size];
        long rest = Math.max(deadline, System.nanoTime() + 5_000_000_000L);
        readFully(payload, rest);
        byte[] end = new byte[1];
        readFully(end, rest);
        if ((end[0] & 0xFF) != FRAME_END) {
            throw new IOException("server frame does not end with 0xCE: " + (end[0] & 0xFF));
        }
        return new RawFrame(type, channel, payload);
    }

    /** Reads frames, skipping heartbeats, until the expected method arrives; fails on anything else. */
    RawFrame expectMethod(int channel, int classId, int methodId, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                fail("timed out waiting for method " + classId + "." + methodId + " on channel " + channel);
            }
            RawFrame frame = readFrame(left);
            if (frame == null) {
                continue;
            }
            if (frame.type() == HEARTBEAT) {
                continue;
            }
            if (frame.isMethod(10, 50) && !(classId == 10 && methodId == 50)) {
                fail("expected method " + classId + "." + methodId + " on channel " + channel
                        + " but the server closed the connection: " + CloseReason.of(frame));
            }
            assertEquals(channel, frame.channel(), "channel of " + frame);
            if (!frame.isMethod(classId, methodId)) {
                fail("expected method " + classId + "." + methodId + " but got " + frame);
            }
            return frame;
        }
    }

    /**
     * Reads until connection.close arrives (skipping heartbeats and whatever else was in flight) and
     * returns its reason; fails if the socket closes first or nothing comes in time.
     */
    CloseReason expectConnectionClose(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        java.util.List<String> skipped = new java.util.ArrayList<>();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                fail("timed out waiting for connection.close; received instead: " + skipped);
            }
            RawFrame frame;
            try {
                frame = readFrame(left);
            } catch (EOFException | SocketException e) {
                throw new AssertionError("the server closed the socket without sending connection.close; received: "
                        + skipped, e);
            }
            if (frame == null || frame.type() == HEARTBEAT) {
                continue;
            }
            if (frame.channel() == 0 && frame.isMethod(10, 50)) {
                return CloseReason.of(frame);
            }
            skipped.add(frame.isMethod(20, 40) ? frame + " " + CloseReason.of(frame) : frame.toString());
        }
    }

    /** Reads until channel.close arrives on the channel and returns its reason; fails on connection.close. */
    CloseReason expectChannelClose(int channel, long timeoutMillis) throws IOException {
        RawFrame frame = expectMethod(channel, 20, 40, timeoutMillis);
        return CloseReason.of(frame);
    }

    void sendConnectionCloseOk() throws IOException {
        sendMethod(0, 10, 51, new Args());
    }

    /** Discards whatever arrives until the server closes the socket; false if it is still open at the deadline. */
    boolean awaitSocketClosed(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        byte[] sink = new byte[8192];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // loop and re-check the deadline
                }
            }
        } catch (IOException e) {
            return true; // reset by peer counts as closed
        }
    }

    /** Reads exactly the bytes available until EOF or the deadline; used for the protocol-header refusal. */
    byte[] readUntilClosed(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionError("socket still open after " + timeoutMillis + " ms; received so far: "
                        + received.size() + " bytes");
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (SocketException e) {
                return received.toByteArray(); // reset after the header counts as closed
            }
            if (n < 0) {
                return received.toByteArray();
            }
            received.write(buffer, 0, n);
        }
    }

    private void readFully(byte[] into, long deadlineNanos) throws IOException {
        int off = 0;
        while (off < into.length) {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                if (off == 0) {
                    throw new SocketTimeoutException("no data before the deadline");
                }
                throw new IOException("frame cut short: " + off + " of " + into.length + " bytes before the deadline");
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(into, off, into.length - off);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new EOFException("server closed the socket");
            }
            off += n;
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    /** Builds method arguments in AMQP 0-9-1 wire format, and reads them back. */
    static final class Args {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Args octet(int value) {
            return write(() -> out.writeByte(value));
        }

        Args shortInt(int value) {
            return write(() -> out.writeShort(value));
        }

        Args longInt(long value) {
            return write(() -> out.writeInt((int) value));
        }

        Args longlong(long value) {
            return write(() -> out.writeLong(value));
        }

        Args shortstr(String value) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            return write(() -> {
                out.writeByte(b.length);
                out.write(b);
            });
        }

        Args longstr(byte[] value) {
            return write(() -> {
                out.writeInt(value.length);
                out.write(value);
            });
        }

        /** Packs consecutive bit fields into octets, first field in the lowest bit. */
        Args bits(boolean... values) {
            for (int i = 0; i < values.length; i += 8) {
                int octet = 0;
                for (int j = i; j < Math.min(values.length, i + 8); j++) {
                    if (values[j]) {
                        octet |= 1 << (j - i);
                    }
                }
                octet(octet);
            }
            return this;
        }

        Args emptyTable() {
            return longInt(0);
        }

        Args table(Map<String, Object> table) {
            byte[] encoded = encodeTable(table);
            return write(() -> {
                out.writeInt(encoded.length);
                out.write(encoded);
            });
        }

        Args raw(byte[] value) {
            return write(() -> out.write(value));
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }

        /** A field table's entries without the length prefix (the form AMQPLAIN responses use). */
        static byte[] encodeTable(Map<String, Object> table) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            try {
                for (Map.Entry<String, Object> e : table.entrySet()) {
                    byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                    d.writeByte(key.length);
                    d.write(key);
                    Object v = e.getValue();
                    if (v instanceof Boolean bool) {
                        d.writeByte('t');
                        d.writeByte(bool ? 1 : 0);
                    } else if (v instanceof String s) {
                        byte[] text = s.getBytes(StandardCharsets.UTF_8);
                        d.writeByte('S');
                        d.writeInt(text.length);
                        d.write(text);
                    } else if (v instanceof Integer i) {
                        d.writeByte('I');
                        d.writeInt(i);
                    } else if (v instanceof Map<?, ?> m) {
                        @SuppressWarnings("unchecked")
                        byte[] nested = encodeTable((Map<String, Object>) m);
                        d.writeByte('F');
                        d.writeInt(nested.length);
                        d.write(nested);
                    } else {
                        throw new IllegalArgumentException("unsupported table value " + v);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return b.toByteArray();
        }

        private interface Write {
            void run() throws IOException;
        }

        private Args write(Write w) {
            try {
                w.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        /** Reads wire-format fields from a payload. */
        static final class Reader {
            private final DataInputStream in;

            Reader(byte[] payload, int offset) {
                this.in = new DataInputStream(new java.io.ByteArrayInputStream(payload, offset, payload.length - offset));
            }

            int octet() {
                return read(() -> in.readUnsignedByte());
            }

            int shortInt() {
                return read(() -> in.readUnsignedShort());
            }

            long longInt() {
                return read(() -> in.readInt() & 0xFFFFFFFFL);
            }

            long longlong() {
                return read(in::readLong);
            }

            String shortstr() {
                return read(() -> {
                    byte[] b = new byte[in.readUnsignedByte()];
                    in.readFully(b);
                    return new String(b, StandardCharsets.UTF_8);
                });
            }

            byte[] longstr() {
                return read(() -> {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    return b;
                });
            }

            String longstrText() {
                return new String(longstr(), StandardCharsets.UTF_8);
            }

            Map<String, Object> table() {
                return read(() -> {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    return parseTable(new DataInputStream(new java.io.ByteArrayInputStream(b)));
                });
            }

            private static Map<String, Object> parseTable(DataInputStream t) throws IOException {
                Map<String, Object> map = new LinkedHashMap<>();
                while (t.available() > 0) {
                    byte[] key = new byte[t.readUnsignedByte()];
                    t.readFully(key);
                    map.put(new String(key, StandardCharsets.UTF_8), parseValue(t));
                }
                return map;
            }

            private static Object parseValue(DataInputStream t) throws IOException {
                int type = t.readUnsignedByte();
                switch (type) {
                    case 't':
                        return t.readUnsignedByte() != 0;
                    case 'b':
                        return t.readByte();
                    case 's':
                        return t.readShort();
                    case 'I':
                        return t.readInt();
                    case 'l':
                    case 'T':
                        return t.readLong();
                    case 'f':
                        return t.readFloat();
                    case 'd':
                        return t.readDouble();
                    case 'V':
                        return null;
                    case 'S':
                    case 'x': {
                        byte[] b = new byte[t.readInt()];
                        t.readFully(b);
                        return type == 'S' ? new String(b, StandardCharsets.UTF_8) : b;
                    }
                    case 'F': {
                        byte[] b = new byte[t.readInt()];
                        t.readFully(b);
                        return parseTable(new DataInputStream(new java.io.ByteArrayInputStream(b)));
                    }
                    case 'A': {
                        byte[] b = new byte[t.readInt()];
                        t.readFully(b);
                        DataInputStream a = new DataInputStream(new java.io.ByteArrayInputStream(b));
                        java.util.List<Object> list = new java.util.ArrayList<>();
                        while (a.available() > 0) {
                            list.add(parseValue(a));
                        }
                        return list;
                    }
                    default:
                        throw new IOException("unsupported field type '" + (char) type + "'");
                }
            }

            private interface Read<T> {
                T run() throws IOException;
            }

            private <T> T read(Read<T> r) {
                try {
                    return r.run();
                } catch (IOException e) {
                    throw new AssertionError("malformed method arguments from the server", e);
                }
            }
        }
    }
}
