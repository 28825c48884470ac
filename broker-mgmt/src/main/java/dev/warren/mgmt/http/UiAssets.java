package dev.warren.mgmt.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files, served from the jar (classpath {@code dev/warren/mgmt/ui/}) with no login: {@code /} is
 * {@code index.html}, {@code /ui/FILE} and {@code /ui/DIR/FILE} the rest. The UI logs in against /api itself.
 *
 * <p>A name is a plain file name (letters, digits, "-", "_", "." and not starting with a dot) in at most one
 * folder, so no path can climb out of the UI's folder, whatever it decodes to. Every answer carries an ETag
 * (a hash of the bytes) and {@code Cache-Control: no-cache}: the browser keeps a copy but asks each time,
 * and gets a 304 without the bytes while the file is unchanged, so an upgraded broker never serves stale
 * files. Files are read once and kept (the UI is a few hundred kilobytes).
 */
final class UiAssets {
    static final String ROOT = "dev/warren/mgmt/ui/";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8",
            "json", "application/json");
    /** The UI loads nothing from anywhere else; uPlot sets styles from script, which this allows. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
            + "style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final ClassLoader loader;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    UiAssets() {
        this(UiAssets.class.getClassLoader());
    }

    UiAssets(ClassLoader loader) {
        this.loader = loader;
    }

    void register(Router router) {
        router.get("/", Requirement.NONE, request -> serve(request, "index.html"));
        router.get("/ui/{file}", Requirement.NONE, request -> serve(request, request.param("file")));
        router.get("/ui/{dir}/{file}", Requirement.NONE, request -> serve(request, request.param("dir"), request.param("file")));
    }

    private ApiResponse serve(ApiRequest request, String... segments) {
        for (String segment : segments) {
            if (!NAME.matcher(segment).matches()) {
                throw ApiException.notFound();
            }
        }
        Asset asset = cache.computeIfAbsent(String.join("/", segments), this::load)
                .orElseThrow(ApiException::notFound);
        String ifNoneMatch = request.header(HttpHeaderNames.IF_NONE_MATCH.toString());
        ApiResponse response = asset.etag().equals(ifNoneMatch)
                ? new ApiResponse(HttpResponseStatus.NOT_MODIFIED, new byte[0], null, Map.of(), null)
                : new ApiResponse(HttpResponseStatus.OK, asset.bytes(), asset.contentType(), Map.of(), null);
        return response.withHeader(HttpHeaderNames.ETAG.toString(), asset.etag())
                .withHeader(HttpHeaderNames.CACHE_CONTROL.toString(), "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("Referrer-Policy", "no-referrer");
    }

    private Optional<Asset> load(String path) {
        String contentType = contentType(path);
        if (contentType == null) {
            return Optional.empty();
        }
        try (InputStream in = loader.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, contentType, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UI file " + path, e);
        }
    }

    /** The content type by extension; null for any other file, which is not served. */
    static String contentType(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : CONTENT_TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

}
