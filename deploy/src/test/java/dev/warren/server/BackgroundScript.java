package dev.warren.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python script of src/test/python (run with Debian's /usr/bin/python3, which has pika) running in the
 * background while a test acts on the broker: its output read line by line, its stdin the test's answers.
 * Reads are bounded by the script's own deadlines and the test's timeout.
 */
final class BackgroundScript implements AutoCloseable {
    private final Process process;
    private final BufferedReader lines;
    private final Writer answers;
    private final List<String> seen = new ArrayList<>();

    private BackgroundScript(Process process) {
        this.process = process;
        this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.answers = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code script} with {@code args}, in its directory, unbuffered, stderr merged into stdout. */
    static BackgroundScript start(String script, String... args) throws IOException {
        Path scripts = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "python");
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", scripts.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(scripts.toFile()).redirectErrorStream(true);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        return new BackgroundScript(builder.start());
    }

    /** The next line of output. */
    String nextLine() throws IOException {
        String line = lines.readLine();
        if (line == null) {
            throw new AssertionError("the script ended early:\n" + output());
        }
        seen.add(line);
        return line;
    }

    /** Reads output until a line equals {@code expected}; the lines before it stay in the output for a report. */
    void awaitLine(String expected) throws IOException {
        while (!nextLine().equals(expected)) {
            // not what is awaited yet
        }
    }

    /** Writes a line to the script's stdin (e.g. that the broker has been changed as it waits for). */
    void answer(String line) throws IOException {
        answers.write(line + "\n");
        answers.flush();
    }

    /** Reads the rest of the output and returns the exit status (the script must end within 60 s). */
    int awaitExit() throws IOException, InterruptedException {
        for (String line; (line = lines.readLine()) != null; ) {
            seen.add(line);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the script did not end:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        return String.join("\n", seen);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
