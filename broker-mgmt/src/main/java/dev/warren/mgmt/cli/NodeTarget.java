package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Which node warrenctl talks to and how it proves who it is.
 *
 * <p>With {@code --node URL} it is that node's management API, with HTTP basic authentication as
 * {@code --username}/{@code --password}, both {@code guest} when not given (as rabbitmqadmin does).
 * Otherwise it is the local node: the broker writes {@code warrenctl.json} ({@code {"url", "secret"}},
 * readable only by the broker's user) into its data directory, and warrenctl sends the secret as a bearer
 * token, so no password is needed. The data directory is {@code --data-dir}, else {@code $WARREN_DATA_DIR},
 * else {@code ~/.warren/data}, the broker's own default. {@code --username}/{@code --password} without
 * {@code --node} use the local node's address with those credentials instead of the secret.
 *
 * <p>An {@code https} node's certificate is checked against the CAs in {@code --cacertfile}, else
 * {@code $WARREN_CTL_CACERTFILE}, else the JVM's trusted CAs (see {@link NodeTrust}); an {@code http} node
 * ignores them, so the local node's plain-HTTP address on 127.0.0.1 works with either set. A local node with only
 * HTTPS writes its https address on 127.0.0.1 and the CA file to trust into {@code warrenctl.json}; its certificate
 * is checked against that CA, but not for naming 127.0.0.1 (the address is the broker's own, from a file only
 * its user can read).
 *
 * @param local true for the node of {@code warrenctl.json}
 */
record NodeTarget(URI baseUri, String authorization, String label, Path caFile, boolean local) {
    static final String NODE_FILE = "warrenctl.json";
    static final int DEFAULT_PORT = 15672;
    static final String CACERTFILE_ENV = "WARREN_CTL_CACERTFILE";
    private static final ObjectMapper JSON = new ObjectMapper();

    static NodeTarget resolve(Invocation invocation, Map<String, String> env) {
        boolean credentialsGiven = invocation.has(Option.USERNAME) || invocation.has(Option.PASSWORD);
        String basic = basicAuth(invocation.value(Option.USERNAME).orElse("guest"),
                invocation.value(Option.PASSWORD).orElse("guest"));
        Path caFile = caFile(invocation, env);
        if (invocation.has(Option.NODE)) {
            URI uri = nodeUri(invocation.value(Option.NODE).orElseThrow());
            return new NodeTarget(uri, basic, uri.toString(), caFile, false);
        }
        Path dataDir = dataDir(invocation, env);
        Path file = dataDir.resolve(NODE_FILE);
        JsonNode local = readNodeFile(file, dataDir);
        String url = local.path("url").asText("");
        String secret = local.path("secret").asText("");
        if (url.isEmpty() || (secret.isEmpty() && !credentialsGiven)) {
            throw unavailable(dataDir.toString(), file + " has no \"url\" and \"secret\"");
        }
        URI uri = nodeUri(url);
        String localTrust = local.path("cacertfile").asText("");
        if (caFile == null && !localTrust.isEmpty()) {
            caFile = Path.of(localTrust);
        }
        return new NodeTarget(uri, credentialsGiven ? basic : "Bearer " + secret, uri.toString(), caFile, true);
    }

    /** True when warrenctl talks TLS to the node (and so checks its certificate). */
    boolean https() {
        return "https".equals(baseUri.getScheme());
    }

    /** The CA bundle: {@code --cacertfile}, else {@code $WARREN_CTL_CACERTFILE}; null for the JVM's trusted CAs. */
    static Path caFile(Invocation invocation, Map<String, String> env) {
        String file = invocation.value(Option.CACERTFILE).orElse(null);
        if (file == null || file.isEmpty()) {
            file = env.get(CACERTFILE_ENV);
        }
        if (file == null || file.isEmpty()) {
            return null;
        }
        return expandHome(file, env);
    }

    static Path dataDir(Invocation invocation, Map<String, String> env) {
        String dir = invocation.value(Option.DATA_DIR).orElse(null);
        if (dir == null || dir.isEmpty()) {
            dir = env.get("WARREN_DATA_DIR");
        }
        if (dir == null || dir.isEmpty()) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(home, ".warren", "data");
        }
        return expandHome(dir, env);
    }

    private static Path expandHome(String path, Map<String, String> env) {
        if (path.startsWith("~/")) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(home, path.substring(2));
        }
        return Path.of(path);
    }

    /** {@code http://host:port[/path]}, {@code host[:port]} or rabbitmqctl's {@code rabbit@host}. */
    static URI nodeUri(String node) {
        String text = node.trim();
        if (!text.contains("://")) {
            int at = text.indexOf('@');
            String hostPort = at >= 0 ? text.substring(at + 1) : text;
            boolean hasPort = hostPort.startsWith("[") ? hostPort.contains("]:") : hostPort.contains(":");
            text = "http://" + hostPort + (hasPort ? "" : ":" + DEFAULT_PORT);
        }
        try {
            URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "Error (argument validation): --node " + node
                    + " is not a node address (http://host:15672, host[:port] or rabbit@host)");
        }
    }

    static CliException unavailable(String node, String why) {
        return new CliException(ExitCodes.UNAVAILABLE, "Error: unable to perform an operation on node '" + node
                + "'. " + why + "\n\n"
                + "Most common reasons for this are:\n\n"
                + " * The node is not running, or not on this machine (use --node URL for a remote node)\n"
                + " * warrenctl looks in another data directory than the node's (use --data-dir DIR or WARREN_DATA_DIR)\n"
                + " * warrenctl runs as a user that may not read the node's secret file (run it as the broker's user)\n"
                + " * The node refused the credentials given with --username and --password");
    }

    private static JsonNode readNodeFile(Path file, Path dataDir) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw unavailable(dataDir.toString(), file + " does not exist, so no node runs on that data directory.");
        } catch (AccessDeniedException e) {
            throw unavailable(dataDir.toString(), "Permission denied reading " + file + ".");
        } catch (IOException e) {
            throw unavailable(dataDir.toString(), "Could not read " + file + ": " + e.getMessage());
        }
    }

    private static String basicAuth(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
