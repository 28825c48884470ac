package dev.warren.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;

/** Segment files: {@code <number>.seg} in the store's directory, numbered from 1 in the order written. */
final class Segments {
    private static final String SUFFIX = ".seg";

    private Segments() {
    }

    static Path file(Path directory, long segment) {
        return directory.resolve(String.format("%010d%s", segment, SUFFIX));
    }

    /** Segment number to file size, for every segment file in the directory. */
    static TreeMap<Long, Long> list(StoreFiles files, Path directory) throws IOException {
        TreeMap<Long, Long> segments = new TreeMap<>();
        for (Path file : files.list(directory, SUFFIX)) {
            String name = file.getFileName().toString();
            try {
                long number = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                segments.put(number, files.size(file));
            } catch (NumberFormatException notOurs) {
                // leave unknown files alone
            }
        }
        return segments;
    }
}
