package io.descent.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart drawn with Java2D into a PNG: title, axis labels with units, ticks, a legend, and a
 * logarithmic y (or x) axis where values span decades. Java2D rather than a charting library: the
 * charts needed are few and simple, and it adds no dependency (it runs headless).
 */
public class Chart {
    /** Colours that stay apart for up to ten series and in grey print. */
    static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};

    /** One line (or set of markers) with a name for the legend. */
    public record Series(String name, double[] x, double[] y, boolean markers) {
    }

    protected final int width;
    protected final int height;
    protected final String title;
    protected final String xLabel;
    protected final String yLabel;
    protected boolean logX;
    protected boolean logY;
    protected final List<Series> series = new ArrayList<>();
    /** Shaded bands (lo, hi over x), one per series index, drawn under the lines in the series' colour. */
    protected final java.util.Map<Integer, double[][]> bands = new java.util.HashMap<>();
    protected double x0, x1, y0, y1;
    protected int left = 90, right = 30, top = 50, bottom = 70;

    public Chart(String title, String xLabel, String yLabel) {
        this(960, 600, title, xLabel, yLabel);
    }

    public Chart(int width, int height, String title, String xLabel, String yLabel) {
        this.width = width;
        this.height = height;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public Chart logY(boolean v) {
        logY = v;
        return this;
    }

    public Chart logX(boolean v) {
        logX = v;
        return this;
    }

    public Chart add(Series s) {
        series.add(s);
        return this;
    }

    public Chart add(String name, double[] x, double[] y) {
        return add(new Series(name, x, y, false));
    }

    /** A line with a shaded band from {@code lo} to {@code hi} (e.g. a median and its interquartile range). */
    public Chart add(String name, double[] x, double[] y, double[] lo, double[] hi) {
        bands.put(series.size(), new double[][]{x, lo, hi});
        return add(new Series(name, x, y, false));
    }

    /** Draws the chart into an image. */
    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes {@code charts} one above the other into one PNG. */
    public static void writeStacked(Path file, Chart... charts) {
        int w = 0, h = 0;
        for (Chart c : charts) {
            w = Math.max(w, c.width);
            h += c.height;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int y = 0;
            for (Chart c : charts) {
                g.drawImage(c.render(), 0, y, null);
                y += c.height;
            }
        } finally {
            g.dispose();
        }
        writePng(img, file);
    }

    /** Uses a log y axis when the positive y values span more than two decades. */
    public Chart autoLogY() {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Series s : series) {
            for (double v : s.y()) {
                if (v > 0 && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        logY = hi > 0 && hi / lo > 100;
        return this;
    }

    /** Draws the chart and writes it as a PNG (via a temporary file, then an atomic rename). */
    public void write(Path file) {
        writePng(render(), file);
    }

    static void writePng(BufferedImage img, Path file) {
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new java.io.IOException("no PNG writer in this Java");
        });
    }

    protected void draw(Graphics2D g) {
        computeRanges();
        drawBackground(g);
        drawAxes(g);
        g.setClip(left, top, width - left - right, height - top - bottom);
        for (int i = 0; i < series.size(); i++) {
            if (bands.containsKey(i)) {
                drawBand(g, bands.get(i), PALETTE[i % PALETTE.length]);
            }
        }
        for (int i = 0; i < series.size(); i++) {
            drawSeries(g, series.get(i), PALETTE[i % PALETTE.length]);
        }
        g.setClip(null);
        drawLegend(g);
        drawTitle(g);
    }

    /** Hook for subclasses drawing under the axes (a contour map). */
    protected void drawBackground(Graphics2D g) {
    }

    protected void computeRanges() {
        x0 = y0 = Double.POSITIVE_INFINITY;
        x1 = y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i], y = s.y()[i];
                if (usable(x, logX) && usable(y, logY)) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (!(x0 <= x1)) { x0 = logX ? 1 : 0; x1 = logX ? 10 : 1; }
        if (!(y0 <= y1)) { y0 = logY ? 1 : 0; y1 = logY ? 10 : 1; }
        if (x0 == x1) { x0 = logX ? x0 / 2 : x0 - 1; x1 = logX ? x1 * 2 : x1 + 1; }
        if (y0 == y1) { y0 = logY ? y0 / 2 : y0 - 1; y1 = logY ? y1 * 2 : y1 + 1; }
        if (!logY) {
            double pad = 0.04 * (y1 - y0);
            y0 -= pad;
            y1 += pad;
        }
    }

    static boolean usable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    protected double px(double x) {
        double f = logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (x - x0) / (x1 - x0);
        return left + f * (width - left - right);
    }

    protected double py(double y) {
        double f = logY ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) : (y - y0) / (y1 - y0);
        return height - bottom - f * (height - top - bottom);
    }

    private void drawBand(Graphics2D g, double[][] band, Color c) {
        double[] x = band[0], lo = band[1], hi = band[2];
        Path2D.Double poly = new Path2D.Double();
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!usable(x[i], logX) || !usable(hi[i], logY)) continue;
            if (n++ == 0) poly.moveTo(px(x[i]), py(hi[i]));
            else poly.lineTo(px(x[i]), py(hi[i]));
        }
        for (int i = x.length - 1; i >= 0; i--) {
            if (!usable(x[i], logX) || !usable(lo[i], logY)) continue;
            poly.lineTo(px(x[i]), py(lo[i]));
        }
        if (n == 0) return;
        poly.closePath();
        g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
        g.fill(poly);
    }

    protected void drawSeries(Graphics2D g, Series s, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2f));
        Path2D.Double path = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < s.x().length; i++) {
            double x = s.x()[i], y = s.y()[i];
            if (!usable(x, logX) || !usable(y, logY)) {
                open = false;
                continue;
            }
            double X = px(x), Y = py(y);
            if (open) {
                path.lineTo(X, Y);
            } else {
                path.moveTo(X, Y);
                open = true;
            }
            if (s.markers()) {
                g.fillOval((int) X - 3, (int) Y - 3, 7, 7);
            }
        }
        g.draw(path);
    }

    protected void drawAxes(Graphics2D g) {
        int plotW = width - left - right, plotH = height - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : ticks(y0, y1, logY)) {
            int Y = (int) Math.round(py(t));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(left, Y, left + plotW, Y);
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, left - 8 - fm.stringWidth(s), Y + fm.getAscent() / 2 - 1);
        }
        for (double t : ticks(x0, x1, logX)) {
            int X = (int) Math.round(px(t));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(X, top, X, top + plotH);
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, X - fm.stringWidth(s) / 2, top + plotH + fm.getAscent() + 6);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        String xl = xLabel + (logX ? " (log scale)" : "");
        g.drawString(xl, left + plotW / 2 - fm.stringWidth(xl) / 2, height - 18);
        String yl = yLabel + (logY ? " (log scale)" : "");
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yl, -(top + plotH / 2) - fm.stringWidth(yl) / 2, 22);
        r.dispose();
    }

    protected void drawTitle(Graphics2D g) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, width / 2 - fm.stringWidth(title) / 2, 30);
    }

    protected void drawLegend(Graphics2D g) {
        if (series.size() < 2 && (series.isEmpty() || series.get(0).name().isEmpty())) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int w = 0;
        for (Series s : series) w = Math.max(w, fm.stringWidth(s.name()));
        int boxW = w + 44, boxH = series.size() * (fm.getHeight() + 2) + 10;
        int bx = width - right - boxW - 10, by = top + 10;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(Color.GRAY);
        g.drawRect(bx, by, boxW, boxH);
        for (int i = 0; i < series.size(); i++) {
            int y = by + 8 + i * (fm.getHeight() + 2) + fm.getAscent();
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(bx + 8, y - fm.getAscent() / 2 + 1, bx + 30, y - fm.getAscent() / 2 + 1);
            g.setColor(Color.BLACK);
            g.drawString(series.get(i).name(), bx + 36, y);
        }
    }

    /** Tick values: decades (and 2, 5 between when few) on a log axis, 1-2-5 steps otherwise. */
    static List<Double> ticks(double lo, double hi, boolean log) {
        List<Double> t = new ArrayList<>();
        if (log) {
            int a = (int) Math.floor(Math.log10(lo)), b = (int) Math.ceil(Math.log10(hi));
            int step = Math.max(1, (b - a) / 8);
            for (int e = a; e <= b; e += step) {
                for (double m : (b - a) <= 2 ? new double[]{1, 2, 5} : new double[]{1}) {
                    double v = m * Math.pow(10, e);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.add(v);
                }
            }
            return t;
        }
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
        double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
            t.add(k == 0 ? 0.0 : k * step);
        }
        return t;
    }

    static String label(double v) {
        double a = Math.abs(v);
        if (v == 0) return "0";
        if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e-0", "e-");
        if (a == Math.rint(a)) return String.format(Locale.ROOT, "%.0f", v);
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }
}
