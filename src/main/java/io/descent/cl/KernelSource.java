package io.descent.cl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads kernel sources from {@code opencl/*.cl} on the classpath. A line {@code #include "x.cl"} is
 * replaced by that file's text (once per program, like an include guard), because a driver compiling
 * a string cannot see the jar.
 */
public final class KernelSource {
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([A-Za-z0-9_./-]+\\.cl)\"\\s*$");

    private KernelSource() {
    }

    /** The source of {@code opencl/<file>} with its includes resolved. */
    public static String load(String file) {
        StringBuilder out = new StringBuilder();
        append(file, out, new HashSet<>());
        return out.toString();
    }

    private static void append(String file, StringBuilder out, Set<String> seen) {
        if (!seen.add(file)) {
            return;
        }
        String text = read(file);
        int lineNo = 0;
        out.append("#line 1 \"").append(file).append("\"\n");
        for (String line : text.split("\n", -1)) {
            lineNo++;
            Matcher m = INCLUDE.matcher(line);
            if (m.matches()) {
                append(m.group(1), out, seen);
                out.append("#line ").append(lineNo + 1).append(" \"").append(file).append("\"\n");
            } else {
                out.append(line).append('\n');
            }
        }
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
