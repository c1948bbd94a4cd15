package org.streamprox.apps;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.streamprox.testkit.WebSocketProbe;

/**
 * A headless Chromium driven over the DevTools protocol with the JDK's WebSocket client: open a page, evaluate
 * JavaScript in it, take screenshots. Started with everything that talks to the network on its own turned off,
 * so the only traffic is the test's.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> EXECUTABLES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final Pattern PAGE_SOCKET = Pattern.compile(
            "\"webSocketDebuggerUrl\"\\s*:\\s*\"(ws://[^\"]+/devtools/page/[^\"]+)\"");
    private static final Pattern STRING_VALUE = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SCREENSHOT_DATA = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"");

    private final Path profile;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocketProbe devTools;
    private int lastId;

    private HeadlessChromium(String url, Path log, Optional<String> trustedKeyPin) throws Exception {
        profile = Files.createTempDirectory("streamprox-chromium-");
        try {
            List<String> command = new ArrayList<>(List.of(executable(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=800,700", "--user-data-dir=" + profile, "--remote-debugging-port=0"));
            // Trusts that one test certificate, as a user who accepted it would, and nothing else.
            trustedKeyPin.ifPresent(pin -> command.add("--ignore-certificate-errors-spki-list=" + pin));
            command.add(url);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            devTools = WebSocketProbe.connect(pageSocket());
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * Starts Chromium showing the page; its output goes to the log file.
     *
     * @param trustedKeyPin the public key (SHA-256, base64) of a certificate to accept though no CA signed it
     */
    public static HeadlessChromium open(String url, Path log, Optional<String> trustedKeyPin) throws Exception {
        return new HeadlessChromium(url, log, trustedKeyPin);
    }

    /** Evaluates a JavaScript expression whose value is a string, in the page. */
    public String evaluate(String expression) throws Exception {
        String response = call("Runtime.evaluate", "{\"expression\":" + jsonString(expression)
                + ",\"returnByValue\":true}");
        Matcher value = STRING_VALUE.matcher(response);
        if (!value.find()) {
            throw new AssertionError("no string value from " + expression + ": " + response);
        }
        return unescape(value.group(1));
    }

    public void screenshot(Path file) throws Exception {
        Matcher data = SCREENSHOT_DATA.matcher(call("Page.captureScreenshot", "{\"format\":\"png\"}"));
        if (!data.find()) {
            throw new AssertionError("Chromium returned no screenshot");
        }
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(data.group(1)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (devTools != null) {
                devTools.close();
            }
        } finally {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            http.close();
            deleteRecursively(profile);
        }
    }

    /** Sends a DevTools command and returns its response, skipping the events that arrive meanwhile. */
    private String call(String method, String params) throws Exception {
        int id = ++lastId;
        devTools.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
        String answer;
        do {
            answer = devTools.nextText();
        } while (!answer.startsWith("{\"id\":" + id + ","));
        if (answer.contains("\"error\":")) {
            throw new AssertionError(method + " failed: " + answer);
        }
        return answer;
    }

    /** The DevTools WebSocket of the page Chromium opened, once it is listening. */
    private String pageSocket() {
        Path activePort = profile.resolve("DevToolsActivePort");
        return await("Chromium's DevTools endpoint").atMost(WAIT).ignoreExceptions().until(() -> {
            String port = Files.readAllLines(activePort).getFirst().trim();
            String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher page = PAGE_SOCKET.matcher(targets);
            return page.find() ? page.group(1) : null;
        }, url -> url != null);
    }

    private static String executable() {
        return EXECUTABLES.stream().filter(path -> Files.isExecutable(Path.of(path))).findFirst()
                .orElseThrow(() -> new AssertionError("Chromium is not installed (looked for " + EXECUTABLES
                        + "). Run local-apps/setup-test-env.sh, which bin/test runs, to install it."));
    }

    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                default -> json.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return json.append('"').toString();
    }

    private static String unescape(String json) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                text.append(c);
                continue;
            }
            char escaped = json.charAt(++i);
            switch (escaped) {
                case 'n' -> text.append('\n');
                case 't' -> text.append('\t');
                case 'r' -> text.append('\r');
                case 'u' -> {
                    text.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> text.append(escaped);
            }
        }
        return text.toString();
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
