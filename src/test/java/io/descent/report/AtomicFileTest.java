package io.descent.report;

import io.descent.UsageException;
import io.descent.data.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outputs are whole or absent: no half file, no leftover temporary, the umask's mode. */
class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWrittenFileHasTheModeOfAnyNewFileAndNoTemporaryStays() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path out = dir.resolve("out.csv");
        AtomicFile.write(out, "a,b\n1,2\n");
        assertEquals("a,b\n1,2\n", Files.readString(out));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(out)), "the umask's mode, not 0600");
        assertEquals(List.of("out.csv", "plain"), names());
    }

    @Test
    void aFailedWriteKeepsThePreviousFileAndDeletesItsTemporary() throws IOException {
        Path out = dir.resolve("history.csv");
        AtomicFile.write(out, "old\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(out, s -> {
            s.write("new, half".getBytes());
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("free some space"), e.getMessage());
        assertEquals("old\n", Files.readString(out));
        assertEquals(List.of("history.csv"), names());
    }

    @Test
    void temporariesOfADeadProcessAreDeletedByTheNextWrite() throws IOException {
        Process p = new ProcessBuilder("true").start();
        long dead = p.pid();
        p.onExit().join();
        Path stale = Files.writeString(dir.resolve(".run.json." + dead + ".5e1f.tmp"), "");
        Path other = Files.writeString(dir.resolve(".other.json." + dead + ".5e1f.tmp"), "");
        AtomicFile.write(dir.resolve("run.json"), "{}");
        assertTrue(Files.notExists(stale));
        assertTrue(Files.exists(other), "only the target's own temporaries");
    }

    @Test
    void severalFilesAreReplacedOnlyOnceAllAreComplete() throws IOException {
        Path x = dir.resolve("X.npy"), y = dir.resolve("y.npy");
        try (NpyWriter wx = new NpyWriter(x, 2, false); NpyWriter wy = new NpyWriter(y, 1, true)) {
            wx.row(1, 2);
            wy.row(3);
            AtomicFile.commitAll(List.of(wx.finish(), wy.finish()));
        }
        byte[] before = Files.readAllBytes(x);
        try (NpyWriter wx = new NpyWriter(x, 2, false, true, true); NpyWriter wy = new NpyWriter(y, 1, true)) {
            wx.row(5, 6);
            wx.row(7, 8);
            wy.row(9);
            // a failure before both are complete: closing discards both
        }
        assertArrayEquals(before, Files.readAllBytes(x));
        assertEquals(List.of("X.npy", "y.npy"), names());
    }

    @Test
    void aSetStoppedBetweenItsRenamesIsRefusedOnReadingUntilTheNextWholeCommit() throws IOException {
        Path x = dir.resolve("X.npy"), y = dir.resolve("y.npy");
        try (NpyWriter wx = new NpyWriter(x, 2, false); NpyWriter wy = new NpyWriter(y, 1, true)) {
            wx.row(1, 2);
            wx.row(3, 4);
            wy.row(0);
            wy.row(1);
            AtomicFile.commitAll(List.of(wx.finish(), wy.finish()));
        }
        assertEquals(List.of("X.npy", "y.npy"), names(), "the marker is gone after a whole commit");
        assertEquals(2, io.descent.data.NpySource.open(x, y, false, false).rows());
        // a kill after X.npy's rename and before y.npy's leaves the marker, as commitAll writes it
        Files.writeString(dir.resolve(AtomicFile.PENDING), "X.npy\ny.npy\n");
        assertTrue(AtomicFile.pending(x) != null && AtomicFile.pending(y) != null);
        assertEquals(null, AtomicFile.pending(dir.resolve("other.npy")), "only the files it names");
        UsageException e = assertThrows(UsageException.class, () -> io.descent.data.NpySource.open(x, y, false, false));
        assertTrue(e.getMessage().contains("stopped between its renames") && e.getMessage().contains("again"), e.getMessage());
        try (NpyWriter wx = new NpyWriter(x, 2, false); NpyWriter wy = new NpyWriter(y, 1, true)) {
            wx.row(5, 6);
            wy.row(1);
            AtomicFile.commitAll(List.of(wx.finish(), wy.finish()));
        }
        assertEquals(List.of("X.npy", "y.npy"), names());
        assertEquals(1, io.descent.data.NpySource.open(x, y, false, false).rows());
    }

    @Test
    void float32RefusesAFiniteValueBeyondItsRangeNamingTheColumn() throws IOException {
        Path x = dir.resolve("X.npy");
        try (NpyWriter w = new NpyWriter(x, 2, false, false, false).names(List.of("a", "wide"))) {
            w.row(1, 2);
            UsageException e = assertThrows(UsageException.class, () -> w.row(1, 1e39));
            assertTrue(e.getMessage().contains("column 'wide'") && e.getMessage().contains("float64"), e.getMessage());
        }
        assertEquals(List.of(), names());
    }
}
