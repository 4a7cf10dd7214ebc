package io.descent.data;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesHeaderWithTargetLastThenOneLinePerRow() throws IOException {
        Dataset d = new Dataset("t", 2, 2, new double[]{1, 2.5, -3, 1e-7}, new double[]{0, 1},
                List.of("a", "b c"), "label", null, null);
        Path file = dir.resolve("out.csv");
        CsvWriter.write(d, file);
        assertEquals("a,b c,label\n1.0,2.5,0.0\n-3.0,1.0E-7,1.0\n", Files.readString(file));
    }

    @Test
    void quotesOnlyNamesThatNeedIt() {
        assertEquals("plain name", CsvWriter.quote("plain name"));
        assertEquals("\"a,b\"", CsvWriter.quote("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", CsvWriter.quote("say \"hi\""));
        assertEquals("\" x\"", CsvWriter.quote(" x"));
        assertEquals("\"\"", CsvWriter.quote(""));
    }

    @Test
    void anUnwritablePathIsAUsageErrorNamingIt() {
        Path file = dir.resolve("no-such-dir").resolve("out.csv");
        Dataset d = Dataset.of("t", 1, 1, new double[]{1}, new double[]{2});
        UsageException e = assertThrows(UsageException.class, () -> CsvWriter.write(d, file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
    }
}
