package io.descent.cli;

import io.descent.UsageException;
import io.descent.data.NpySource;
import io.descent.report.Json;
import io.descent.train.Checkpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults as a user meets them: train, convert and race killed (SIGKILL, no shutdown hook) at random
 * moments, two runs on one --out, and a full disk. After each, every file present is whole and right,
 * or refused on reading; a resumed run ends where an uninterrupted one does.
 */
class FaultTest {
    @TempDir
    Path dir;

    private final Random random = new Random(26);

    /** A child JVM running descent (a separate process, so that it can be killed). */
    private Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.descent.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        if (Files.exists(jsig)) pb.environment().put("LD_PRELOAD", jsig.toString()); // as the descent launcher does
        return pb.start();
    }

    /** Kills {@code p} after {@code seconds} (SIGKILL) unless it ended; true when it was killed. */
    private static boolean killAfter(Process p, double seconds) throws InterruptedException {
        if (p.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)) return false;
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return true;
    }

    /** Every visible file under {@code d} is whole: JSON parses, CSV rows are complete numbers, PNGs decode. */
    static void assertWhole(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) continue; // temporaries of a killed write and the lock: not outputs
                if (name.endsWith(".json")) {
                    assertTrue(Json.parse(Files.readString(f)) instanceof Object, f.toString());
                } else if (name.endsWith(".csv")) {
                    List<String> lines = Files.readAllLines(f);
                    int fields = lines.get(0).split(",", -1).length;
                    for (String line : lines.subList(1, lines.size())) {
                        String[] v = line.split(",", -1);
                        assertEquals(fields, v.length, f + ": a whole row: " + line);
                        if (name.equals("history.csv")) for (String x : v) Double.parseDouble(x);
                    }
                    assertTrue(Files.readString(f).endsWith("\n"), f + " ends with its last row");
                } else if (name.endsWith(".png")) {
                    assertNotNull(ImageIO.read(f.toFile()), f + " decodes");
                }
            }
        }
    }

    private static List<String> temporaries(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainKilledAtRandomMomentsLeavesWholeFilesAndResumesToTheSameParameters() throws Exception {
        Path ck = dir.resolve("ck.json"), o = dir.resolve("o");
        String[] base = {"train", "--scenario", "line-100", "--optimizer", "adam:lr=0.05", "--no-progress",
                "--checkpoint", ck.toString(), "--checkpoint-every", "1", "--out", o.toString()};
        long total = 0;
        int killed = 0;
        for (int k = 0; k < 6; k++) {
            long at = Files.exists(ck) ? Checkpoint.read(ck).step() : 0;
            // The first run cannot end before its kill on any machine (a fast one finishes a few hundred
            // steps within the kill delay); the later ones end or are killed, at random.
            total = k == 0 ? at + 100_000_000L : at + 30 + random.nextInt(300);
            List<String> args = new ArrayList<>(List.of(base));
            args.addAll(List.of("--steps", Long.toString(total)));
            if (Files.exists(ck)) args.addAll(List.of("--resume", ck.toString()));
            Path log = dir.resolve("train" + k + ".log");
            Process p = start(log, args.toArray(String[]::new));
            if (killAfter(p, 1 + 8 * random.nextDouble())) {
                killed++;
            } else {
                assertEquals(0, p.exitValue(), Files.readString(log));
            }
            assertWhole(o);
            if (Files.exists(ck)) {
                Checkpoint c = Checkpoint.read(ck); // whole, or this throws
                assertTrue(c.step() >= at && c.step() <= total, "step " + c.step());
            }
        }
        assertTrue(killed > 0, "at least one run was killed");
        total = Checkpoint.read(ck).step() + 20;
        List<String> args = new ArrayList<>(List.of(base));
        args.addAll(List.of("--steps", Long.toString(total), "--resume", ck.toString(), "--json"));
        Path log = dir.resolve("final.log");
        Process p = start(log, args.toArray(String[]::new));
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertWhole(o);
        assertEquals(List.of(), temporaries(dir), "the last run swept the killed runs' temporaries");
        assertTrue(Files.notExists(o.resolve(OutputLock.NAME)), "the lock is gone once the run ended");
        Map<String, Object> resumed = (Map<String, Object>) Json.parse(Files.readString(o.resolve("run.json")));
        MainTest.Result whole = MainTest.run("train", "--scenario", "line-100", "--optimizer", "adam:lr=0.05",
                "--no-progress", "--steps", Long.toString(total), "--json");
        assertEquals(0, whole.code(), whole.err());
        assertEquals(((Map<String, Object>) Json.parse(whole.out())).get("params"), resumed.get("params"),
                "killed and resumed " + killed + " times, the same parameters as one uninterrupted run");
    }

    @Test
    void convertKilledAtRandomMomentsLeavesThePreviousPairOrTheNewOne() throws Exception {
        Path small = FilesTest.csv(dir.resolve("small.csv"), 1000, -1);
        Path big = FilesTest.csv(dir.resolve("big.csv"), 400_000, -1);
        Path out = dir.resolve("npy");
        assertEquals(0, MainTest.run("convert", small.toString(), "--out", out.toString()).code());
        for (int k = 0; k < 4; k++) {
            Path log = dir.resolve("convert" + k + ".log");
            Process p = start(log, "convert", big.toString(), "--out", out.toString(), "--order", k % 2 == 0 ? "F" : "C");
            boolean killed = killAfter(p, 0.5 + 4 * random.nextDouble());
            if (!killed) assertEquals(0, p.exitValue(), Files.readString(log));
            try {
                NpySource s = NpySource.open(out.resolve("X.npy"), out.resolve("y.npy"), false, false);
                assertTrue(s.rows() == 1000 || s.rows() == 400_000, "the old pair or the new one: " + s.rows());
                if (!killed) assertEquals(400_000, s.rows());
            } catch (UsageException refused) {
                // a kill between the two renames: the pending marker (or, failing that, X of one run and y
                // of another with other row counts) is refused on reading
                assertTrue(refused.getMessage().contains("stopped between its renames") || refused.getMessage().contains("match"),
                        refused.getMessage());
            }
        }
        assertEquals(0, MainTest.run("convert", big.toString(), "--out", out.toString()).code());
        assertEquals(List.of(), temporaries(out), "a new convert sweeps the killed ones' temporaries");
        assertTrue(Files.notExists(out.resolve(io.descent.report.AtomicFile.PENDING)), "a whole convert clears the marker");
        assertEquals(400_000, NpySource.open(out.resolve("X.npy"), out.resolve("y.npy"), false, false).rows());
    }

    @Test
    void twoRunsOnOneOutFolderOneRunsTheOtherIsRefused() throws Exception {
        Path o = dir.resolve("o");
        String[] args = {"train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "100000000",
                "--time-budget", "4", "--no-progress", "--out", o.toString()};
        Process a = start(dir.resolve("a.log"), args);
        Process b = start(dir.resolve("b.log"), args);
        assertTrue(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS));
        List<Integer> codes = List.of(a.exitValue(), b.exitValue());
        String logs = Files.readString(dir.resolve("a.log")) + "\n---\n" + Files.readString(dir.resolve("b.log"));
        assertTrue(codes.contains(0) && codes.contains(2), codes + ": " + logs);
        assertTrue(logs.contains("is in use by another descent run (pid "), logs);
        assertWhole(o);
        assertTrue(Files.exists(o.resolve("run.json")) && Files.notExists(o.resolve(OutputLock.NAME)));
    }

    @Test
    void raceKilledAtRandomMomentsKeepsWholeTrialsAndResumes() throws Exception {
        Path r = dir.resolve("r");
        String[] args = {"race", "--scenarios", "x2,quadratic2d", "--optimizers", "gd,newton", "--tune", "lr=0.1,1",
                "--repeats", "2", "--no-progress", "--out", r.toString()};
        for (int k = 0; k < 2; k++) {
            Process p = start(dir.resolve("race" + k + ".log"), args);
            killAfter(p, 2 + 5 * random.nextDouble());
            assertWhole(r);
        }
        Process p = start(dir.resolve("race.log"), args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        String log = Files.readString(dir.resolve("race.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("16 of 16 trials"), log);
        assertWhole(r);
    }

    /** A 64 KB disk (a tmpfs: needs root, so it is skipped elsewhere). */
    @Test
    void aFullDiskFailsWithTheReasonAndLeavesNoPartFile() throws Exception {
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        boolean mounted = m.waitFor(30, TimeUnit.SECONDS) && m.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "mounting a small tmpfs needs root: " + new String(m.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        try {
            Path o = small.resolve("o");
            MainTest.Result r = MainTest.run("train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps",
                    "1500", "--no-progress", "--out", o.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("No space left") && r.err().contains("free some space"), r.err());
            assertWhole(o);
            assertEquals(List.of(), temporaries(small));
            Path csv = FilesTest.csv(dir.resolve("c.csv"), 20_000, -1);
            MainTest.Result c = MainTest.run("convert", csv.toString(), "--out", small.resolve("n").toString());
            assertEquals(2, c.code(), c.err());
            assertTrue(c.err().contains("No space left") && c.err().contains("nothing was replaced"), c.err());
            assertEquals(List.of(), temporaries(small));
            assertTrue(Files.notExists(small.resolve("n/X.npy")));
        } finally {
            new ProcessBuilder("umount", small.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
