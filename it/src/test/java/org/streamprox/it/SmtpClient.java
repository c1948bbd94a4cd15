package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** An SMTP client on a plain socket: it waits for the server's greeting before saying anything, as real ones do. */
final class SmtpClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Connects to 127.0.0.1:{@code port} and sends nothing. */
    static SmtpClient connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return new SmtpClient(socket);
    }

    /**
     * Checks the server on 127.0.0.1:{@code port} greets a client that says nothing, then answers {@code EHLO} and
     * {@code QUIT}.
     */
    static void assertConversation(int port) throws IOException {
        try (SmtpClient smtp = connect(port)) {
            String greeting = smtp.reply();
            assertTrue(greeting.startsWith("220 "), greeting);
            String hello = smtp.command("EHLO test");
            assertTrue(hello.startsWith("250"), hello);
            String bye = smtp.command("QUIT");
            assertTrue(bye.startsWith("221 "), bye);
        }
    }

    /** One reply, all its lines: a multi-line reply ends at the line with a space after the code. */
    String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("the server closed the connection after: " + reply);
            }
            reply.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        return reply.toString();
    }

    /** Sends one command line and returns the reply. */
    String command(String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
