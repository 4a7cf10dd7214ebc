package io.descent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that never lie: outputs whole or absent, one run per output, nothing read back trusted blindly. */
class FilesTest {
    @TempDir
    Path dir;

    static Path csv(Path file, int rows, int badLine) throws IOException {
        StringBuilder b = new StringBuilder("a,b,y\n");
        for (int i = 0; i < rows; i++) {
            b.append(i == badLine - 2 ? "x" : Double.toString(i * 0.01)).append(',').append(Math.sin(i)).append(',')
                    .append(2.0 * i * 0.01 - Math.sin(i)).append('\n');
        }
        return Files.writeString(file, b.toString());
    }

    private List<String> names(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedConvertLeavesThePreviousOutputAsItWas() throws IOException {
        Path good = csv(dir.resolve("good.csv"), 500, -1);
        Path bad = csv(dir.resolve("bad.csv"), 500, 401);
        Path out = dir.resolve("cv");
        assertEquals(0, MainTest.run("convert", good.toString(), "--out", out.toString()).code());
        byte[] x = Files.readAllBytes(out.resolve("X.npy")), y = Files.readAllBytes(out.resolve("y.npy"));
        MainTest.Result r = MainTest.run("convert", bad.toString(), "--out", out.toString(), "--order", "F");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("401"), r.err());
        assertArrayEquals(x, Files.readAllBytes(out.resolve("X.npy")));
        assertArrayEquals(y, Files.readAllBytes(out.resolve("y.npy")));
        assertEquals(List.of("X.npy", "y.npy"), names(out), "no temporary file left");
    }

    @Test
    void convertToFloat32RefusesAValueBeyondItsRangeNamingTheColumn() throws IOException {
        Path f = Files.writeString(dir.resolve("wide.csv"), "a,big,y\n1,2,3\n4,1e39,6\n");
        MainTest.Result r = MainTest.run("convert", f.toString(), "--out", dir.resolve("o").toString(), "--dtype", "float32");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'big'") && r.err().contains("float64"), r.err());
        assertTrue(Files.notExists(dir.resolve("o/X.npy")) && Files.notExists(dir.resolve("o/y.npy")));
        assertEquals(0, MainTest.run("convert", f.toString(), "--out", dir.resolve("o").toString()).code(),
                "float64 holds it");
    }
}
