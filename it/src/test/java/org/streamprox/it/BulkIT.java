package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.testkit.Http;

/** 256 MiB each way between a client and nginx through the StreamProx container, checksums compared. */
class BulkIT {

    private static final Logger LOG = LoggerFactory.getLogger(BulkIT.class);
    private static final long SIZE = 256L * 1024 * 1024;
    private static final Pattern SERVED_DIGEST = Pattern.compile("([0-9a-f]{64})  /srv/big");

    private static Deployment site;

    @BeforeAll
    static void start() throws Exception {
        site = Deployment.start(port -> Images.nginx(port, """
                  client_max_body_size 0;
                  location = /big { root /srv; }
                  location /uploads/ { root /srv; dav_methods PUT; create_full_put_path on; }
                """)
                .withCommand("sh", "-c", "head -c " + SIZE + " /dev/urandom > /srv/big && sha256sum /srv/big"
                        + " && install -d -o www-data /srv/uploads && exec nginx -g 'daemon off;'"),
                nginxPort -> "routes:\n  - remote: 127.0.0.1:" + nginxPort + "\n");
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    @Test
    void downloads256MiBIntact() throws Exception {
        Matcher served = SERVED_DIGEST.matcher(site.upstream.getLogs());
        assertTrue(served.find(), "nginx did not log the digest of what it serves");
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", site.port)) {
            socket.getOutputStream().write(Http.ascii("GET /big HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            assertEquals(200, Http.status(Http.readHead(in)));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
                received += read;
            }
            assertEquals(SIZE, received);
            assertEquals(served.group(1), HexFormat.of().formatHex(digest.digest()));
        }
        LOG.info("256 MiB download through the container in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void uploads256MiBIntact() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", site.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(Http.ascii("PUT /uploads/blob HTTP/1.1\r\nHost: it\r\nContent-Length: " + SIZE
                    + "\r\nConnection: close\r\n\r\n"));
            Random random = new Random(42);
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < SIZE; sent += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
                digest.update(chunk);
            }
            assertEquals(201, Http.status(Http.readHead(socket.getInputStream())));
        }
        LOG.info("256 MiB upload through the container in {} ms", (System.nanoTime() - start) / 1_000_000);
        String stored = site.upstream.execInContainer("sha256sum", "/srv/uploads/blob").getStdout();
        assertEquals(HexFormat.of().formatHex(digest.digest()), stored.substring(0, 64));
        site.upstream.execInContainer("rm", "/srv/uploads/blob");
    }
}
