package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.mgmt.http.ApiClient;
import dev.warren.mgmt.http.SharedManagementIT;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The web UI's files as the management port serves them: no login, content types, caching, no way out. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiServingIT extends SharedManagementIT {
    private static final Pattern IMPORT = Pattern.compile("(?:import|from)\\s*['\"](\\./|\\.\\./)([^'\"]+)['\"]");
    private static final Pattern HTML_ASSET = Pattern.compile("(?:src|href)=\"([^\"]+)\"");

    private final ApiClient anonymous = ApiClient.anonymous(fixture.baseUrl());

    @Test
    void theRootServesTheUiPageWithoutLogin() {
        ApiClient.Response r = anonymous.get("/");
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("<script type=\"module\" src=\"ui/app.js\">"), r.body());
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
    }

    @Test
    void scriptsStylesAndTheChartLibraryHaveTheirContentTypes() {
        assertEquals("text/javascript; charset=utf-8", contentType("/ui/app.js"));
        assertEquals("text/javascript; charset=utf-8", contentType("/ui/pages/overview.js"));
        assertEquals("text/javascript; charset=utf-8", contentType("/ui/vendor/uPlot.esm.js"));
        assertEquals("text/css; charset=utf-8", contentType("/ui/style.css"));
        assertEquals("text/css; charset=utf-8", contentType("/ui/vendor/uPlot.min.css"));
        assertEquals("text/plain; charset=utf-8", contentType("/ui/vendor/uPlot-LICENSE.txt"));
    }

    @Test
    void anUnchangedFileIsRevalidatedWithItsEtagAndAnswered304() {
        ApiClient.Response first = anonymous.get("/ui/app.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElse(""));
        ApiClient.Response again = anonymous.send("GET", "/ui/app.js", null, "If-None-Match", etag);
        assertEquals(304, again.status());
        assertEquals("", again.body());
        assertEquals(200, anonymous.send("GET", "/ui/app.js", null, "If-None-Match", "\"other\"").status());
    }

    @Test
    void pathsOutOfTheUiFolderAndUnknownFilesAre404() {
        for (String path : List.of("/ui/..%2Fhttp%2FUiAssets.class", "/ui/%2E%2E/index.html", "/ui/pages/..%2F..%2Findex.html",
                "/ui/.hidden.js", "/ui/..", "/ui/pages/%2E%2E", "/ui/a/b/c.js", "/ui/no-such-file.js",
                "/ui/pages/overview.js.map", "/ui/..%5Capp.js", "/ui/app.js%00.html", "/index.html.bak")) {
            ApiClient.Response r = anonymous.get(path);
            assertEquals(404, r.status(), path + " -> " + r);
            assertFalse(r.body().contains("import "), path);
        }
    }

    @Test
    void everyFileTheUiLoadsComesFromWarrenItself() {
        Set<String> loaded = new LinkedHashSet<>();
        Matcher html = HTML_ASSET.matcher(anonymous.get("/").body());
        Deque<String> scripts = new ArrayDeque<>();
        while (html.find()) {
            String asset = html.group(1);
            if (asset.startsWith("data:")) {
                continue;
            }
            assertTrue(asset.startsWith("ui/"), "index.html loads " + asset + " from elsewhere");
            loaded.add("/" + asset);
            if (asset.endsWith(".js")) {
                scripts.add("/" + asset);
            }
        }
        while (!scripts.isEmpty()) { // follows the ES module imports from app.js
            String script = scripts.poll();
            ApiClient.Response r = anonymous.get(script);
            assertEquals(200, r.status(), script);
            Matcher imports = IMPORT.matcher(r.body());
            while (imports.find()) {
                String resolved = resolve(script, imports.group(1) + imports.group(2));
                if (loaded.add(resolved)) {
                    scripts.add(resolved);
                }
            }
        }
        for (String path : loaded) {
            assertEquals(200, anonymous.get(path).status(), path);
        }
        assertTrue(loaded.contains("/ui/vendor/uPlot.esm.js"), loaded.toString());
        assertTrue(loaded.contains("/ui/pages/queue.js"), loaded.toString());
    }

    @Test
    void theUisLoginFailuresCarryNoBasicAuthChallenge() {
        ApiClient.Response fromUi = ApiClient.basic(fixture.baseUrl(), "guest", "wrong")
                .send("GET", "/api/whoami", null, "X-Requested-With", "XMLHttpRequest");
        assertEquals(401, fromUi.status());
        assertTrue(fromUi.headers().firstValue("WWW-Authenticate").isEmpty(), "the browser would open its own dialog");
        ApiClient.Response other = ApiClient.basic(fixture.baseUrl(), "guest", "wrong").get("/api/whoami");
        assertTrue(other.headers().firstValue("WWW-Authenticate").isPresent());
    }

    private String contentType(String path) {
        ApiClient.Response r = anonymous.get(path);
        assertEquals(200, r.status(), path);
        return r.headers().firstValue("Content-Type").orElse("");
    }

    /** A relative import of a module at {@code from}, as the browser resolves it. */
    private static String resolve(String from, String relative) {
        String dir = from.substring(0, from.lastIndexOf('/'));
        while (relative.startsWith("../")) {
            dir = dir.substring(0, dir.lastIndexOf('/'));
            relative = relative.substring(3);
        }
        return dir + "/" + relative.replaceFirst("^\\./", "");
    }
}
