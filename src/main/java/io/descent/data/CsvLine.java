package io.descent.data;

import java.util.List;

/**
 * Splits one line of comma-separated values into cells: spaces and tabs around a cell are
 * dropped; a cell may be enclosed in double quotes, inside which a comma is text and {@code ""} is
 * one quote. Quoted cells cannot span lines.
 */
final class CsvLine {
    private CsvLine() {
    }

    /**
     * Appends the cells of {@code line} to {@code out} (which the caller clears).
     *
     * @return null, or what is wrong with the line, naming the 1-based column (the caller adds the
     *         file, line and column name)
     */
    static Problem split(String line, List<String> out) {
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                StringBuilder cell = new StringBuilder();
                i++;
                while (true) {
                    int q = line.indexOf('"', i);
                    if (q < 0) {
                        return new Problem(out.size(), "a quoted cell has no closing quote (\"); close it on the same"
                                + " line (a cell cannot span lines)");
                    }
                    cell.append(line, i, q);
                    if (q + 1 < n && line.charAt(q + 1) == '"') {
                        cell.append('"');
                        i = q + 2;
                    } else {
                        i = q + 1;
                        break;
                    }
                }
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                out.add(cell.toString());
                if (i == n) {
                    return null;
                }
                if (line.charAt(i) != ',') {
                    return new Problem(out.size() - 1, "text after the closing quote; put a comma right after the"
                            + " closing quote, or write \"\" for a quote inside the cell");
                }
                i++;
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                int last = end;
                while (last > i && isBlank(line.charAt(last - 1))) {
                    last--;
                }
                out.add(line.substring(i, last));
                if (comma < 0) {
                    return null;
                }
                i = comma + 1;
            }
        }
    }

    /** True when the line has nothing but spaces and tabs. */
    static boolean isBlankLine(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (!isBlank(line.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** What is wrong with a line, and in which 0-based column. */
    record Problem(int column, String message) {
    }
}
