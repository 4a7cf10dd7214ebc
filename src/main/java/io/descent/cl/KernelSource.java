package io.descent.cl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads kernel sources from {@code opencl/*.cl} on the classpath. A line {@code #include "x.cl"} is
 * replaced by that file's text (once per program, like an include guard), because a driver compiling
 * a string cannot see the jar.
 *
 * <p>The seams carry {@code #line} directives, so a compiler that honours them (PoCL) names the true
 * file and line. Not all do: Oclgrind's names "input.cl" and the line of the inlined whole, and
 * vendors' compilers use names like {@code <kernel>} or a temporary file. {@link Loaded#mapLog}
 * rewrites such locations in a build log to the true file and line, so a message points at the
 * right place on every driver.
 */
public final class KernelSource {
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([A-Za-z0-9_./-]+\\.cl)\"\\s*$");
    /** "NAME:LINE:COL" (or "NAME:LINE:") at the start of a log line, as clang-based compilers write it. */
    private static final Pattern LOCATION = Pattern.compile("^(\\s*)([^\\s:][^:\\n]*?):(\\d+):(?=\\d+:|\\s)");

    /** Where a run of lines of the inlined text came from: whole-text line {@code from} is {@code file}:{@code line}. */
    record Segment(int from, String file, int line) {
    }

    /** An inlined source and where each of its lines came from. */
    public record Loaded(String text, List<Segment> segments) {
        /** "file:line" of line {@code n} (1-based) of the inlined text, or null for a directive line. */
        public String locate(int n) {
            Segment hit = null;
            for (Segment s : segments) {
                if (s.from() <= n) {
                    hit = s;
                }
            }
            return hit == null ? null : hit.file() + ":" + (hit.line() + n - hit.from());
        }

        /**
         * The log with each "NAME:LINE:" location that does not name one of this program's files
         * taken as a line of the inlined text and rewritten to its true "file:line:". Locations that
         * already name our files (the compiler honoured #line) are left as they are.
         */
        public String mapLog(String log) {
            if (log == null || log.isEmpty()) {
                return log;
            }
            Set<String> ours = new HashSet<>();
            for (Segment s : segments) ours.add(s.file());
            StringBuilder out = new StringBuilder();
            for (String line : log.split("\n", -1)) {
                Matcher m = LOCATION.matcher(line);
                if (m.find() && !ours.contains(m.group(2))) {
                    String at = locate(Integer.parseInt(m.group(3)));
                    if (at != null) {
                        line = m.group(1) + at + ":" + line.substring(m.end());
                    }
                }
                out.append(line).append('\n');
            }
            return out.substring(0, out.length() - 1);
        }
    }

    private KernelSource() {
    }

    /** The source of {@code opencl/<file>} with its includes resolved. */
    public static String load(String file) {
        return loadMapped(file).text();
    }

    /** The source of {@code opencl/<file>} with its includes resolved, and its line map. */
    public static Loaded loadMapped(String file) {
        StringBuilder out = new StringBuilder();
        List<Segment> segments = new ArrayList<>();
        append(file, out, new HashSet<>(), segments, new int[]{0});
        return new Loaded(out.toString(), List.copyOf(segments));
    }

    private static void append(String file, StringBuilder out, Set<String> seen, List<Segment> segments, int[] lines) {
        if (!seen.add(file)) {
            return;
        }
        String text = read(file);
        int lineNo = 0;
        directive(out, segments, lines, 1, file);
        for (String line : text.split("\n", -1)) {
            lineNo++;
            Matcher m = INCLUDE.matcher(line);
            if (m.matches()) {
                append(m.group(1), out, seen, segments, lines);
                directive(out, segments, lines, lineNo + 1, file);
            } else {
                out.append(line).append('\n');
                lines[0]++;
            }
        }
    }

    /** Writes "#line N file" and records that the next line of the whole is file:N. */
    private static void directive(StringBuilder out, List<Segment> segments, int[] lines, int n, String file) {
        out.append("#line ").append(n).append(" \"").append(file).append("\"\n");
        lines[0]++;
        segments.add(new Segment(lines[0] + 1, file, n));
    }

    private static String read(String file) {
        String resource = "opencl/" + file;
        try (InputStream in = KernelSource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel source " + resource, e);
        }
    }
}
