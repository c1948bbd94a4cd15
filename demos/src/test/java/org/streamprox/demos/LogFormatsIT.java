package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamprox.testkit.Curl;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.TestCertificates;

/**
 * The packaged jar's log as text lines and as JSON lines: the same kinds of connections give the same access-log
 * fields either way, and in JSON every line is one object, with the access log's fields typed and apart. (The jar,
 * not the test class path, whose logback-test.xml would configure the log instead of the jar's logback.xml.)
 */
class LogFormatsIT {

    private static final String STANDARD_ERROR = "stderr.txt";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    private static final String SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1\r\n";
    /** A text line as the pattern encoder writes it, from the {@code streamprox.access} logger. */
    private static final Pattern TEXT_ACCESS_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(?:Z|[+-]\\d\\d:\\d\\d) INFO  access (.*)");
    /** The access log's text, field by field, as docs/operations.md describes it. */
    private static final Pattern ACCESS_TEXT = Pattern.compile("#(?<id>\\d+) (?<client>\\S+)(?: via=(?<via>\\S+))? "
            + "(?<method>\\S+) (?<path>\\S+) (?<route>\\S+) (?<target>.+?)(?: protocol=(?<protocol>\\S+))?"
            + "(?: tls=(?<tls>\\S+) sni=(?<sni>\\S+) alpn=(?<alpn>\\S+))? status=(?<status>\\S+) in=(?<in>\\d+) "
            + "out=(?<out>\\d+) (?<duration>\\d+)ms (?<outcome>.+)");
    private static final Set<String> NUMBERS = Set.of("id", "client_port", "via_port", "status", "bytes_in",
            "bytes_out", "duration_ms");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the format is chosen. */
    enum Choice {
        NONE(List.of(), null),
        OPTION(List.of("--log-format", "json"), null),
        ENVIRONMENT(List.of(), "json");

        final List<String> arguments;
        final String environment;

        Choice(List<String> arguments, String environment) {
            this.arguments = arguments;
            this.environment = environment;
        }

        boolean json() {
            return this != NONE;
        }
    }

    @RegisterExtension
    final StreamProxProcesses processes = new StreamProxProcesses();

    @TempDir
    Path dir;

    private TestCertificates.Pem pem;
    private LoopbackServer http;
    private LoopbackServer ssh;
    private LoopbackServer tls;

    @BeforeEach
    void startUpstreams() throws Exception {
        pem = TestCertificates.selfSigned(dir, "localhost");
        http = LoopbackServer.start(LogFormatsIT::answerOk);
        ssh = LoopbackServer.start(LogFormatsIT::greetInSsh);
        tls = LoopbackServer.tls(pem.serverContext(), LogFormatsIT::answerOk);
    }

    @AfterEach
    void stopUpstreams() throws Exception {
        for (LoopbackServer upstream : List.of(http, ssh, tls)) {
            upstream.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Choice.class)
    void everyKindOfConnectionHasTheSameFieldsAsTextAndAsJson(Choice choice) throws Exception {
        Process process = start(choice, "--config", config().toString());
        ProcessLines output = ProcessLines.follow(process);
        int plainPort = output.awaitPort();
        int tlsPort = output.awaitPort();
        connectInEveryWay(plainPort, tlsPort);
        process.toHandle().destroy();  // SIGTERM: the drain lets every connection finish, then every line is written
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());

        List<Map<String, String>> connections = accessLog(choice, output.allLines());
        assertEquals(6, connections.size(), connections::toString);
        assertConnection(choice, find(connections, "path", "/api/plain"), "client", "127.0.0.1", "method", "GET",
                "path", "/api/plain", "route", "api", "target", "remote 127.0.0.1:" + http.port(), "status", "200",
                "bytes_in", length(get("/api/plain")), "bytes_out", length(OK), "outcome", "ok",
                "outcome_detail", "ok");
        assertConnection(choice, find(connections, "path", "/nowhere"), "client", "127.0.0.1", "method", "GET",
                "path", "/nowhere", "status", "404", "bytes_in", length(get("/nowhere")), "outcome", "refused",
                "outcome_detail", "404 no route for GET /nowhere on host test.local");
        assertConnection(choice, find(connections, "path", "/api/proxied"), "client", "192.0.2.7",
                "client_port", "5555", "via", "127.0.0.2", "method", "GET", "path", "/api/proxied", "route", "api",
                "target", "remote 127.0.0.1:" + http.port(), "status", "200", "outcome", "ok", "outcome_detail", "ok");
        assertConnection(choice, find(connections, "route", "ssh"), "client", "127.0.0.1", "route", "ssh",
                "target", "remote 127.0.0.1:" + ssh.port(), "protocol", "ssh", "bytes_in", length(SSH_BANNER),
                "bytes_out", length(SSH_BANNER), "outcome", "ok", "outcome_detail", "ok");
        assertConnection(choice, find(connections, "path", "/api/tls"), "client", "127.0.0.1", "method", "GET",
                "path", "/api/tls", "route", "api", "target", "remote 127.0.0.1:" + http.port(), "tls", "tls1.3",
                "sni", "localhost", "alpn", "http/1.1", "status", "200", "outcome", "ok", "outcome_detail", "ok");
        assertConnection(choice, find(connections, "route", "pass"), "client", "127.0.0.1", "route", "pass",
                "target", "passthrough 127.0.0.1:" + tls.port(), "tls", "passthrough", "sni", "pass.test",
                "alpn", "h2,http/1.1", "outcome", "ok", "outcome_detail", "ok");
    }

    @Test
    void anUnknownFormatStopsStartUp() throws Exception {
        Process process = start(Choice.NONE, "--log-format", "xml");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String errors = Files.readString(dir.resolve(STANDARD_ERROR));
        assertEquals(Main.CONFIG_ERROR, process.exitValue(), errors);
        assertTrue(errors.contains("Invalid value for option '--log-format'"), errors);
    }

    /** A plain port that takes PROXY headers from 127.0.0.2, and a TLS port; routes of every kind of target. */
    private Path config() throws IOException {
        return Files.writeString(dir.resolve("streamprox.yaml"), String.format("""
                listeners:
                  - listen: 127.0.0.1:0
                    accept-proxy-protocol: { trusted: [127.0.0.2] }
                  - listen: 127.0.0.1:0
                    tls: { certificates: [ { cert: %s, key: %s } ] }
                routes:
                  - name: ssh
                    match: { protocol: ssh }
                    remote: 127.0.0.1:%d
                  - name: pass
                    match: { sni: pass.test }
                    passthrough: 127.0.0.1:%d
                  - name: api
                    match: { path-prefix: /api }
                    remote: 127.0.0.1:%d
                """, pem.certificate(), pem.key(), ssh.port(), tls.port(), http.port()));
    }

    /**
     * An HTTP request routed, one refused (no route), one behind a PROXY header, SSH, HTTPS terminated with a server
     * name, and TLS passed through by its server name with ALPN offered.
     */
    private void connectInEveryWay(int plainPort, int tlsPort) throws Exception {
        assertEquals(OK, exchange(new Socket("127.0.0.1", plainPort), get("/api/plain")));
        assertTrue(exchange(new Socket("127.0.0.1", plainPort), get("/nowhere")).startsWith("HTTP/1.1 404 "));
        Socket proxied = new Socket(InetAddress.getLoopbackAddress(), plainPort, InetAddress.getByName("127.0.0.2"), 0);
        assertEquals(OK, exchange(proxied, "PROXY TCP4 192.0.2.7 127.0.0.1 5555 " + plainPort + "\r\n"
                + get("/api/proxied")));
        assertEquals(SSH_BANNER, exchange(new Socket("127.0.0.1", plainPort), SSH_BANNER));
        assertEquals("ok", Curl.https(pem, "localhost", tlsPort, "/api/tls"));
        SSLSocket passedThrough = (SSLSocket) pem.clientContext().getSocketFactory().createSocket("127.0.0.1", tlsPort);
        SSLParameters parameters = passedThrough.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("pass.test")));
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        passedThrough.setSSLParameters(parameters);
        assertEquals(OK, exchange(passedThrough, get("/")));
    }

    private Process start(Choice choice, String... arguments) throws IOException {
        List<String> command = StreamProxProcesses.jarCommand(choice.arguments);
        command.addAll(List.of(arguments));
        // Standard error (a configuration error) is kept apart: in JSON, standard output is JSON only.
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(STANDARD_ERROR).toFile()));
        builder.environment().remove(LogFormat.PROPERTY);
        if (choice.environment != null) {
            builder.environment().put(LogFormat.PROPERTY, choice.environment);
        }
        return processes.start(builder);
    }

    private static void answerOk(Socket socket) throws IOException {
        Http.readHead(socket.getInputStream());
        socket.getOutputStream().write(Http.ascii(OK));
    }

    private static void greetInSsh(Socket socket) throws IOException {
        socket.getOutputStream().write(Http.ascii(SSH_BANNER));
        socket.getInputStream().readAllBytes();
    }

    /** Sends the bytes, ends the client's output (plain TCP only), reads the answer to its end, and closes. */
    private static String exchange(Socket socket, String request) throws IOException {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(Http.ascii(request));
            out.flush();
            if (!(socket instanceof SSLSocket)) {
                socket.shutdownOutput();
            }
            return Http.readAll(socket);
        }
    }

    private static String length(String text) {
        return Integer.toString(text.length());
    }

    /**
     * The access log's connections, each as its fields under their JSON names, values as text. For JSON lines, also
     * checks that every line is one JSON object, that numbers are numbers, and that the fields are those of the
     * line's own text (its message).
     */
    private static List<Map<String, String>> accessLog(Choice choice, List<String> lines) throws IOException {
        List<Map<String, String>> connections = new ArrayList<>();
        for (String line : lines) {
            if (!choice.json()) {
                assertFalse(line.startsWith("{"), line);
                Matcher text = TEXT_ACCESS_LINE.matcher(line);
                if (text.matches()) {
                    connections.add(fieldsOfText(text.group(1)));
                }
                continue;
            }
            JsonNode json = JSON.readTree(line);
            assertTrue(json.isObject() && json.path("timestamp").isTextual() && json.path("level").isTextual()
                    && json.path("logger").isTextual() && json.path("message").isTextual(), line);
            if (!json.path("logger").asText().equals("streamprox.access")) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            json.fields().forEachRemaining(field -> {
                assertEquals(NUMBERS.contains(field.getKey()), field.getValue().isIntegralNumber(), line);
                fields.put(field.getKey(), field.getValue().asText());
            });
            Map<String, String> ofText = fieldsOfText(fields.get("message"));
            ofText.put("outcome", fields.get("outcome"));  // the kind, which the text does not show
            fields.keySet().removeAll(List.of("timestamp", "level", "logger", "message"));
            assertEquals(ofText, fields, line);
            connections.add(fields);
        }
        return connections;
    }

    /** The fields of an access-log line's text, under their JSON names; a {@code -} is no field. */
    private static Map<String, String> fieldsOfText(String text) {
        Matcher line = ACCESS_TEXT.matcher(text);
        assertTrue(line.matches(), text);
        Map<String, String> fields = new HashMap<>();
        fields.put("id", line.group("id"));
        putAddress(fields, "client", line.group("client"));
        putAddress(fields, "via", line.group("via"));
        for (String name : List.of("method", "path", "route", "target", "protocol", "sni", "alpn", "status")) {
            if (line.group(name) != null && !line.group(name).equals("-")) {
                fields.put(name, line.group(name));
            }
        }
        if (line.group("tls") != null) {
            fields.put("tls", line.group("tls"));  // "-" too: TLS that agreed on no version
        }
        fields.put("bytes_in", line.group("in"));
        fields.put("bytes_out", line.group("out"));
        fields.put("duration_ms", line.group("duration"));
        fields.put("outcome_detail", line.group("outcome"));
        return fields;
    }

    /** {@code host:port} or {@code [v6]:port} as {@code name} and {@code name_port}. */
    private static void putAddress(Map<String, String> fields, String name, String address) {
        if (address != null) {
            int colon = address.lastIndexOf(':');
            fields.put(name, address.substring(0, colon).replace("[", "").replace("]", ""));
            fields.put(name + "_port", address.substring(colon + 1));
        }
    }

    private static Map<String, String> find(List<Map<String, String>> connections, String field, String value) {
        List<Map<String, String>> found = connections.stream().filter(fields -> value.equals(fields.get(field)))
                .toList();
        assertEquals(1, found.size(), field + "=" + value + " in " + connections);
        return found.get(0);
    }

    /**
     * The connection has exactly these fields (names and values, in pairs), besides those that differ from run to
     * run: its id, duration and ports, and its bytes where none are given. Text lines have no outcome kind.
     */
    private static void assertConnection(Choice choice, Map<String, String> connection, String... namesAndValues) {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            expected.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        if (!choice.json()) {
            expected.remove("outcome");
        }
        Map<String, String> compared = new HashMap<>(connection);
        compared.keySet().removeAll(List.of("id", "duration_ms", "via_port"));
        for (String varying : List.of("client_port", "bytes_in", "bytes_out")) {
            if (!expected.containsKey(varying)) {
                compared.remove(varying);
            }
        }
        assertEquals(expected, compared);
    }
}
