package io.descent.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DocumentationTool;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use from Java" class, extracted as {@code .ci/run} extracts the test command,
 * compiled against the library jar (target/classes packed as {@code mvn package} packs it) and its
 * real dependencies only, then run: the README cannot rot. And the public package's Javadoc builds
 * without a warning.
 */
class ReadmeJavaExampleTest {
    @TempDir
    Path dir;

    static String example() throws IOException {
        return example("<!-- java-example -->");
    }

    static String example(String markerLine) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        StringBuilder code = new StringBuilder();
        boolean marker = false, in = false;
        for (String l : lines) {
            if (l.trim().equals(markerLine)) {
                marker = true;
            } else if (marker && !in && l.startsWith("```java")) {
                in = true;
            } else if (in && l.startsWith("```")) {
                break;
            } else if (in) {
                code.append(l).append('\n');
            }
        }
        assertTrue(code.length() > 0, "README.md has a ```java block after " + markerLine);
        return code.toString();
    }

    /** target/classes as a jar: what the library artifact holds. */
    private Path libraryJar() throws IOException {
        Path classes = Path.of("target", "classes");
        Path jar = dir.resolve("descent.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The jars of the library's real dependencies (JOCL, JOCL-Blast, picocli), wherever Maven keeps them. */
    private static List<String> dependencies() throws URISyntaxException {
        List<String> out = new ArrayList<>();
        for (Class<?> c : new Class<?>[]{org.jocl.CL.class, org.jocl.blast.CLBlast.class, picocli.CommandLine.class}) {
            out.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return out;
    }

    /** Compiles the README's class {@code name} (after {@code marker}) against the library jar, runs it, returns its output. */
    private String compileAndRun(String marker, String name) throws Exception {
        String code = example(marker);
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, code);
        List<String> cp = new ArrayList<>(List.of(libraryJar().toString()));
        cp.addAll(dependencies());
        String classpath = String.join(java.io.File.pathSeparator, cp);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-d", dir.toString(), "-cp", classpath, src.toString());
        assertEquals(0, rc, "the README's class compiles against the library jar:\n" + err);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                dir + java.io.File.pathSeparator + classpath, name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theReadmesJavaClassCompilesAgainstTheLibraryJarAndRuns() throws Exception {
        String out = compileAndRun("<!-- java-example -->", "FitLine");
        assertTrue(out.contains("intercept=") && out.contains("adam: target after"), out);
    }

    @Test
    void theReadmesModelClassPredictsEvaluatesSavesAndLoads() throws Exception {
        String out = compileAndRun("<!-- java-example-model -->", "HeldOut");
        assertTrue(out.contains("P(y=1) of the first held-out row: "), out);
        assertTrue(out.contains("\"accuracy\"") && out.contains("\"auc\"") && out.contains("confusion_matrix"), out);
        assertTrue(out.contains("loaded model predicts the same: true"), out);
    }

    @Test
    void thePublicPackagesJavadocHasNoWarnings() throws Exception {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        List<String> args = new ArrayList<>(List.of("-Xdoclint:all", "-quiet", "-d", dir.resolve("doc").toString(), "-cp",
                String.join(java.io.File.pathSeparator, List.of(Path.of("target", "classes").toString(),
                        String.join(java.io.File.pathSeparator, dependencies())))));
        try (Stream<Path> files = Files.list(Path.of("src", "main", "java", "io", "descent", "api"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        StringWriter log = new StringWriter();
        int rc = javadoc.run(null, OutputStream.nullOutputStream(), new WriterStream(log), args.toArray(new String[0]));
        assertEquals(0, rc, log.toString());
        assertTrue(!log.toString().contains("warning") && !log.toString().contains("error"), "javadoc said:\n" + log);
    }

    /** An OutputStream onto a Writer (the tool's diagnostics). */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter w;

        WriterStream(StringWriter w) {
            this.w = new PrintWriter(w);
        }

        @Override
        public void write(int b) {
            w.write(b);
            w.flush();
        }
    }
}
