package org.streamprox.apps;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javax.imageio.ImageIO;

/**
 * Draws the motion-JPEG demo's pictures: a ball circling over a slowly changing background, with the time
 * written in, each encoded as a JPEG by the JDK. Not thread-safe: it reuses one image.
 */
final class FrameRenderer {

    static final int WIDTH = 320;
    static final int HEIGHT = 240;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    private final Font font = new Font(Font.MONOSPACED, Font.BOLD, 28);

    byte[] render(Instant at) throws IOException {
        double seconds = at.toEpochMilli() / 1000.0;
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.getHSBColor((float) (seconds / 30 % 1), 0.45f, 0.35f));
            g.fillRect(0, 0, WIDTH, HEIGHT);
            drawBall(g, seconds);
            drawClock(g, at);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream(16 * 1024);
        if (!ImageIO.write(image, "jpeg", jpeg)) {
            throw new IOException("this JDK has no JPEG writer");
        }
        return jpeg.toByteArray();
    }

    private static void drawBall(Graphics2D g, double seconds) {
        int radius = 26;
        int x = (int) (WIDTH / 2.0 + Math.cos(seconds * 1.3) * 120) - radius;
        int y = (int) (HEIGHT / 2.0 - 20 + Math.sin(seconds * 2.1) * 60) - radius;
        g.setColor(Color.getHSBColor((float) (seconds / 6 % 1), 0.9f, 1f));
        g.fillOval(x, y, 2 * radius, 2 * radius);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(3));
        g.drawOval(x, y, 2 * radius, 2 * radius);
    }

    private void drawClock(Graphics2D g, Instant at) {
        String time = CLOCK.format(at);
        g.setFont(font);
        int x = (WIDTH - g.getFontMetrics().stringWidth(time)) / 2;
        int y = HEIGHT - 24;
        g.setColor(Color.BLACK);
        g.drawString(time, x + 2, y + 2);
        g.setColor(Color.WHITE);
        g.drawString(time, x, y);
    }
}
