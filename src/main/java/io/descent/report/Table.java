package io.descent.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns; numeric-looking cells are right-aligned. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int cols = header.size();
        int[] w = new int[cols];
        boolean[] right = new boolean[cols];
        for (int c = 0; c < cols; c++) {
            w[c] = header.get(c).length();
            right[c] = !rows.isEmpty();
        }
        for (List<String> r : rows) {
            for (int c = 0; c < cols && c < r.size(); c++) {
                w[c] = Math.max(w[c], r.get(c).length());
                if (!r.get(c).isEmpty() && !r.get(c).matches("[-+0-9.eE%,]+( [KMGT]?i?B)?")) {
                    right[c] = false;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w, new boolean[cols]);
        for (List<String> r : rows) {
            line(sb, r, w, right);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w, boolean[] right) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < w.length; c++) {
            String s = c < cells.size() ? cells.get(c) : "";
            if (c > 0) l.append("  ");
            String pad = " ".repeat(w[c] - s.length());
            l.append(right[c] ? pad + s : s + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
