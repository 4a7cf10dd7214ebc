package io.descent.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartTest {
    @TempDir
    Path dir;

    /** A PNG that decodes, has the expected size and is not blank (many distinct colours). */
    static BufferedImage readPng(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 2000, "a real picture, not an empty file: " + Files.size(file));
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y));
        }
        assertTrue(colours.size() > 20, "drawn on: " + colours.size() + " colours");
        return img;
    }

    @Test
    void lossCurvesOnALogScale() throws IOException {
        double[] t = new double[200], sgd = new double[200], adam = new double[200];
        for (int i = 0; i < 200; i++) {
            t[i] = 0.01 * i;
            sgd[i] = 100 * Math.exp(-0.02 * i) + 1e-3;
            adam[i] = 100 * Math.exp(-0.08 * i) + 1e-6;
        }
        Path file = dir.resolve("loss.png");
        new Chart("loss vs time", "wall time (s)", "mean squared error").add("sgd", t, sgd).add("adam", t, adam)
                .autoLogY().write(file);
        readPng(file, 960, 600);
        assertTrue(Chart.ticks(1e-6, 1e2, true).contains(1.0), "decade ticks");
        assertEquals(List.of(0.0, 0.5, 1.0, 1.5, 2.0), Chart.ticks(0, 2, false));
        assertEquals(List.of("0.1", "0.5", "1.5", "1e-4", "2e5", "0"),
                List.of(Chart.label(0.1), Chart.label(0.5), Chart.label(1.5), Chart.label(1e-4), Chart.label(2e5), Chart.label(0)));
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().startsWith(".chart")), "no temp file left");
    }

    @Test
    void stackedPhaseBars() throws IOException {
        Path file = dir.resolve("phases.png");
        new BarChart("time per step by phase", "device time per step (ms)", List.of("gradient", "loss", "update"))
                .row("sgd", new double[]{2.0, 0, 0.05}).row("keepstepping:max_steps=50", new double[]{0.4, 1.1, 0.2})
                .write(file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(960, img.getWidth());
        assertTrue(img.getHeight() > 200);
    }

    @Test
    void trajectoryOverContours() throws IOException {
        Path file = dir.resolve("trace.png");
        new ContourChart("x1^2 + 2 x2^2", (x, y) -> x * x + 2 * y * y, new double[]{-6, 6}, new double[]{-4, 4})
                .add(new Chart.Series("gd", new double[]{-5, -3, -1.8, -1}, new double[]{-2, 0.4, -0.1, 0.02}, true))
                .write(file);
        readPng(file, 900, 720);
    }
}
