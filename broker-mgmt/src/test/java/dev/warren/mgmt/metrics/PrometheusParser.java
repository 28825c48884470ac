package dev.warren.mgmt.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' own text-format parser (Debian's python3-prometheus-client, through /usr/bin/python3 and
 * src/test/python/parse_metrics.py) on a scrape and returns its samples. Without the package the test fails
 * with that advice; it is never skipped.
 */
final class PrometheusParser {
    private static final String PYTHON = "/usr/bin/python3";
    private static final long TIMEOUT_SECONDS = 30;
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")),
            "src", "test", "python", "parse_metrics.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Sample(String family, String type, String name, Map<String, String> labels, Double value) {
    }

    /** Every sample of the scrape, as the parser read it. */
    static Samples parse(String exposition) throws IOException, InterruptedException {
        Path input = Files.createTempFile("metrics", ".txt");
        Path output = Files.createTempFile("metrics", ".json");
        Path errors = Files.createTempFile("metrics", ".err");
        try {
            Files.writeString(input, exposition, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(PYTHON, SCRIPT.toString(), input.toString())
                    .redirectOutput(output.toFile()).redirectError(errors.toFile());
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return fail("cannot run " + PYTHON + ": " + e.getMessage());
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return fail("parse_metrics.py did not finish within " + TIMEOUT_SECONDS + " s");
            }
            String stderr = Files.readString(errors, StandardCharsets.UTF_8);
            if (stderr.contains("No module named 'prometheus_client'")) {
                return fail(PYTHON + " cannot import prometheus_client; install it with "
                        + "'apt-get install python3-prometheus-client'. Python said:\n" + stderr);
            }
            assertEquals(0, process.exitValue(), "the Prometheus parser rejected the scrape: " + stderr);
            List<Sample> samples = new ArrayList<>();
            for (JsonNode s : JSON.readTree(output.toFile())) {
                @SuppressWarnings("unchecked")
                Map<String, String> labels = JSON.convertValue(s.path("labels"), Map.class);
                samples.add(new Sample(s.path("family").asText(), s.path("type").asText(), s.path("name").asText(),
                        labels, s.path("value").isNull() ? null : s.path("value").asDouble()));
            }
            return new Samples(samples);
        } finally {
            Files.deleteIfExists(input);
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    /** A parsed scrape. */
    record Samples(List<Sample> all) {
        /** The value of the one sample with this name whose labels include {@code labels}; fails when none. */
        double value(String name, String... labels) {
            Double found = find(name, labels);
            if (found == null) {
                throw new AssertionError("no sample " + name + " " + List.of(labels));
            }
            return found;
        }

        /** As {@link #value} but null when there is no such sample. */
        Double find(String name, String... labels) {
            for (Sample s : all) {
                if (s.name().equals(name) && matches(s.labels(), labels)) {
                    return s.value();
                }
            }
            return null;
        }

        /** The type the parser gave the family (counter, gauge, histogram...), or null when absent. */
        String typeOf(String family) {
            for (Sample s : all) {
                if (s.family().equals(family)) {
                    return s.type();
                }
            }
            return null;
        }

        private static boolean matches(Map<String, String> actual, String[] wanted) {
            for (int i = 0; i + 1 < wanted.length; i += 2) {
                if (!wanted[i + 1].equals(actual.get(wanted[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private PrometheusParser() {
    }
}
