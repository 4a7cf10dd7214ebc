package io.descent.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Stacked horizontal bars: one bar per row (e.g. optimizer), one segment per part (e.g. phase). */
public final class BarChart {
    private final String title;
    private final String valueLabel;
    private final List<String> parts;
    private final List<String> rows = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();

    public BarChart(String title, String valueLabel, List<String> parts) {
        this.title = title;
        this.valueLabel = valueLabel;
        this.parts = List.copyOf(parts);
    }

    public BarChart row(String name, double[] partValues) {
        if (partValues.length != parts.size()) {
            throw new IllegalArgumentException(partValues.length + " values for " + parts.size() + " parts");
        }
        rows.add(name);
        values.add(partValues.clone());
        return this;
    }

    public void write(Path file) {
        int width = 960, barH = 28, gap = 14;
        int left = 40, right = 40, top = 60, bottom = 110;
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        probe.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (String r : rows) left = Math.max(left, probe.getFontMetrics().stringWidth(r) + 20);
        probe.dispose();
        int height = top + bottom + rows.size() * (barH + gap);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double max = 0;
        for (double[] v : values) {
            double s = 0;
            for (double x : v) s += Math.max(0, x);
            max = Math.max(max, s);
        }
        if (max == 0) max = 1;
        int plotW = width - left - right;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (double t : Chart.ticks(0, max, false)) {
            int X = left + (int) Math.round(t / max * plotW);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(X, top - 5, X, height - bottom);
            g.setColor(Color.DARK_GRAY);
            String s = Chart.label(t);
            g.drawString(s, X - fm.stringWidth(s) / 2, height - bottom + fm.getAscent() + 4);
        }
        for (int r = 0; r < rows.size(); r++) {
            int y = top + r * (barH + gap);
            g.setColor(Color.BLACK);
            g.drawString(rows.get(r), left - 10 - fm.stringWidth(rows.get(r)), y + barH / 2 + fm.getAscent() / 2 - 2);
            double x = 0;
            double[] v = values.get(r);
            for (int p = 0; p < v.length; p++) {
                int X0 = left + (int) Math.round(x / max * plotW);
                x += Math.max(0, v[p]);
                int X1 = left + (int) Math.round(x / max * plotW);
                g.setColor(Chart.PALETTE[p % Chart.PALETTE.length]);
                g.fillRect(X0, y, Math.max(0, X1 - X0), barH);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(left, top - 5, left, height - bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        g.drawString(valueLabel, left + plotW / 2 - fm.stringWidth(valueLabel) / 2, height - bottom + 42);
        int lx = left;
        int ly = height - 30;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        for (int p = 0; p < parts.size(); p++) {
            g.setColor(Chart.PALETTE[p % Chart.PALETTE.length]);
            g.fillRect(lx, ly - 11, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(parts.get(p), lx + 20, ly);
            lx += 40 + fm.stringWidth(parts.get(p));
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        fm = g.getFontMetrics();
        g.drawString(title, width / 2 - fm.stringWidth(title) / 2, 32);
        g.dispose();
        Chart.writePng(img, file);
    }
}
