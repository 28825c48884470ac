package dev.warren.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations the journal needs, behind one interface (Artemis' SequentialFileFactory is the
 * model): {@link DiskFiles} on the real file system, and {@link MemoryFiles}, a fake that keeps files in
 * memory, knows which bytes were forced, can simulate a crash (dropping or tearing what was not) and can
 * fail writes or forces on demand, so store tests are fast, deterministic and can break the disk.
 */
interface StoreFiles {
    /** Opens a file for reading and positional writing, creating it when {@code create}. */
    FileChannel open(Path file, boolean create) throws IOException;

    boolean exists(Path file);

    long size(Path file) throws IOException;

    /** The files in the directory whose names end with {@code suffix}. */
    List<Path> list(Path directory, String suffix) throws IOException;

    void createDirectories(Path directory) throws IOException;

    void deleteIfExists(Path file) throws IOException;

    /** Replaces {@code target} with {@code source} atomically: a crash leaves one or the other. */
    void replace(Path source, Path target) throws IOException;

    /** Free bytes on the file system holding the directory. */
    long usableSpace(Path directory) throws IOException;
}
