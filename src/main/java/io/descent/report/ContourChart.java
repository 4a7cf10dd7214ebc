package io.descent.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.DoubleBinaryOperator;

/**
 * Optimizer trajectories over the contour map of a 2-D function (seed 002's plots): the function is
 * shaded by log(f - min + 1), with iso-lines at geometric levels, and each series is a path with
 * markers at the iterates.
 */
public final class ContourChart extends Chart {
    private final DoubleBinaryOperator f;
    private final double[] xRange;
    private final double[] yRange;

    public ContourChart(String title, DoubleBinaryOperator f, double[] xRange, double[] yRange) {
        this(title, "x1", "x2", f, xRange, yRange);
    }

    public ContourChart(String title, String xLabel, String yLabel, DoubleBinaryOperator f, double[] xRange, double[] yRange) {
        super(900, 720, title, xLabel, yLabel);
        this.f = f;
        this.xRange = xRange.clone();
        this.yRange = yRange.clone();
    }

    @Override
    protected void computeRanges() {
        x0 = xRange[0];
        x1 = xRange[1];
        y0 = yRange[0];
        y1 = yRange[1];
    }

    @Override
    protected void drawBackground(Graphics2D g) {
        int w = width - left - right, h = height - top - bottom;
        double[][] v = new double[h][w];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                double x = x0 + (i + 0.5) / w * (x1 - x0);
                double y = y1 - (j + 0.5) / h * (y1 - y0);
                v[j][i] = f.applyAsDouble(x, y);
                if (Double.isFinite(v[j][i])) {
                    lo = Math.min(lo, v[j][i]);
                    hi = Math.max(hi, v[j][i]);
                }
            }
        }
        double scale = Math.log1p(hi - lo);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int levels = 14;
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                double t = Double.isFinite(v[j][i]) ? Math.log1p(v[j][i] - lo) / scale : 1;
                int band = (int) Math.floor(t * levels);
                boolean edge = false;
                if (i + 1 < w && j + 1 < h) {
                    double tr = Math.log1p(v[j][i + 1] - lo) / scale, td = Math.log1p(v[j + 1][i] - lo) / scale;
                    edge = (int) Math.floor(tr * levels) != band || (int) Math.floor(td * levels) != band;
                }
                Color c = edge ? new Color(90, 90, 90) : shade(t);
                img.setRGB(i, j, c.getRGB());
            }
        }
        g.drawImage(img, left, top, null);
    }

    private static Color shade(double t) {
        t = Math.max(0, Math.min(1, t));
        int r = (int) (235 - 90 * t), gr = (int) (242 - 60 * t), b = (int) (250 - 20 * t);
        return new Color(r, gr, b);
    }
}
