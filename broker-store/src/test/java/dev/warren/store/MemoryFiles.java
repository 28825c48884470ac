package dev.warren.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@link StoreFiles} in memory, for store tests: each file knows how much of it was forced. A
 * {@link #crash} keeps only the forced bytes (optionally tearing the unforced tail at a random byte, as a
 * power cut mid-write would) and cuts off every channel opened before it, as if the process had died.
 * {@link #failWrites} and {@link #failForces} make the disk fail. Thread-safe (one lock).
 */
final class MemoryFiles implements StoreFiles {
    private static final class Node {
        byte[] data = new byte[0];
        int length;
        int forced;

        void ensure(long capacity) {
            if (capacity > data.length) {
                data = Arrays.copyOf(data, (int) Math.max(capacity, data.length * 2L));
            }
        }
    }

    private final Map<Path, Node> files = new HashMap<>();
    private int generation;
    private boolean killed;
    private IOException writeFailure;
    private IOException forceFailure;

    synchronized void failWrites(IOException failure) {
        writeFailure = failure;
    }

    synchronized void failForces(IOException failure) {
        forceFailure = failure;
    }

    /**
     * The process dies now: every channel it has, and every one it opens from now on, does nothing (writes
     * vanish, reads find nothing), so it can be closed without touching the files. {@link #crash} then
     * decides what the disk kept and lets a new process open the files.
     */
    synchronized void kill() {
        killed = true;
        generation++;
    }

    /**
     * The process dies: every file keeps what was forced, plus (when {@code tear} is given) a random part of
     * what was written after, and channels opened before fail from now on.
     */
    synchronized void crash(Random tear) {
        killed = false;
        generation++;
        for (Node node : files.values()) {
            int keep = node.forced;
            if (tear != null && node.length > node.forced) {
                keep += tear.nextInt(node.length - node.forced + 1);
            }
            node.length = keep;
            node.forced = keep;
        }
    }

    @Override
    public synchronized FileChannel open(Path file, boolean create) throws IOException {
        if (killed) {
            return new MemoryChannel(new Node(), -1); // a dead process touches nothing
        }
        Node node = files.get(file);
        if (node == null) {
            if (!create) {
                throw new NoSuchFileException(file.toString());
            }
            node = new Node();
            files.put(file, node);
        }
        return new MemoryChannel(node, generation);
    }

    @Override
    public synchronized boolean exists(Path file) {
        return files.containsKey(file);
    }

    @Override
    public synchronized long size(Path file) throws IOException {
        Node node = files.get(file);
        if (node == null) {
            throw new NoSuchFileException(file.toString());
        }
        return node.length;
    }

    @Override
    public synchronized List<Path> list(Path directory, String suffix) {
        List<Path> found = new ArrayList<>();
        for (Path file : files.keySet()) {
            if (directory.equals(file.getParent()) && file.getFileName().toString().endsWith(suffix)) {
                found.add(file);
            }
        }
        return found;
    }

    @Override
    public void createDirectories(Path directory) {
    }

    @Override
    public synchronized void deleteIfExists(Path file) {
        if (!killed) {
            files.remove(file);
        }
    }

    @Override
    public synchronized void replace(Path source, Path target) throws IOException {
        if (killed) {
            return;
        }
        Node node = files.remove(source);
        if (node == null) {
            throw new NoSuchFileException(source.toString());
        }
        files.put(target, node);
    }

    @Override
    public long usableSpace(Path directory) {
        return Long.MAX_VALUE;
    }

    /** A channel on one file; dead once the files crashed after it was opened. */
    private final class MemoryChannel extends FileChannel {
        private final Node node;
        private final int openedIn;
        private long position;

        MemoryChannel(Node node, int openedIn) {
            this.node = node;
            this.openedIn = openedIn;
        }

        private void check() throws IOException {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
        }

        /** A channel of a process that was killed or crashed: it no longer reaches the files. */
        private boolean dead() {
            return openedIn != generation;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            synchronized (MemoryFiles.this) {
                int n = read(dst, position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = read(dsts[i]);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            synchronized (MemoryFiles.this) {
                int n = write(src, position);
                position += n;
                return n;
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public FileChannel position(long newPosition) {
            position = newPosition;
            return this;
        }

        @Override
        public long size() throws IOException {
            synchronized (MemoryFiles.this) {
                check();
                return dead() ? 0 : node.length;
            }
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            synchronized (MemoryFiles.this) {
                check();
                if (!dead() && size < node.length) {
                    node.length = (int) size;
                    node.forced = Math.min(node.forced, node.length);
                }
                return this;
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            synchronized (MemoryFiles.this) {
                check();
                if (dead()) {
                    return;
                }
                if (forceFailure != null) {
                    throw forceFailure;
                }
                node.forced = node.length;
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long at) throws IOException {
            synchronized (MemoryFiles.this) {
                check();
                if (dead() || at >= node.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), node.length - at);
                dst.put(node.data, (int) at, n);
                return n;
            }
        }

        @Override
        public int write(ByteBuffer src, long at) throws IOException {
            synchronized (MemoryFiles.this) {
                check();
                int n = src.remaining();
                if (dead()) {
                    src.position(src.limit()); // gone with the process
                    return n;
                }
                if (writeFailure != null) {
                    throw writeFailure;
                }
                node.ensure(at + n);
                if (at > node.length) {
                    Arrays.fill(node.data, node.length, (int) at, (byte) 0);
                }
                src.get(node.data, (int) at, n);
                node.length = (int) Math.max(node.length, at + n);
                return n;
            }
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("the store does not map files");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}
