package io.descent.cli;

import io.descent.UsageException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One run per output folder. {@code DIR/.descent.lock} is locked (an operating-system lock, released
 * by the system when the process ends, however it ends) and names its holder: pid, host, start time
 * and command. A second run on the same folder is refused with that name. A lock file left by a run
 * that was killed is free to lock: it is taken over, with a note naming the run that left it. The
 * file is deleted when the run ends.
 */
final class OutputLock implements AutoCloseable {
    static final String NAME = ".descent.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private Path created; // the folder this lock made, removed again when the run leaves it empty

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the single output file {@code target} (a checkpoint written without {@code --out}): the
     * lock file is {@code .NAME.descent.lock} beside it, so two runs on one checkpoint cannot both
     * write it; a null {@code target} gives a lock that holds nothing.
     */
    static OutputLock acquireFile(String option, Path target, String command, PrintWriter stderr) {
        if (target == null) return new OutputLock(null, null, null);
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path made = Files.isDirectory(dir) ? null : dir;
        OutputPaths.file(option, target); // a directory or an unwritable place: the usual message, before the lock's own
        return acquire(option, target, dir, "." + abs.getFileName() + ".descent.lock", made,
                command, stderr);
    }

    /**
     * Locks {@code dir} for {@code command}, or refuses (exit 2) naming the run that holds it; a null
     * {@code dir} gives a lock that holds nothing.
     */
    static OutputLock acquire(String option, Path dir, String command, PrintWriter stderr) {
        if (dir == null) return new OutputLock(null, null, null);
        Path made = Files.isDirectory(dir) ? null : dir;
        OutputPaths.directory(option, dir); // an unwritable folder: the usual message, before the lock's own
        return acquire(option, dir, dir, NAME, made, command, stderr);
    }

    /**
     * Locks {@code dir/name} for the output {@code what} (named in messages as {@code option what});
     * {@code made}: the folder when this run is making it, to be removed again if left empty.
     */
    private static OutputLock acquire(String option, Path what, Path dir, String name, Path made, String command,
                                      PrintWriter stderr) {
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            for (int attempt = 0; ; attempt++) {
                Object before = inode(file);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by another command in this same process
                }
                if (l == null) {
                    String holder = read(ch);
                    for (int wait = 0; holder.isEmpty() && wait < 20; wait++) { // it locked, and is writing its name
                        sleep();
                        holder = read(ch);
                    }
                    ch.close();
                    if (made != null) removeIfEmpty(made);
                    throw new UsageException(option + " " + what + " is in use by another descent run ("
                            + (holder.isEmpty() ? "starting" : holder) + "): wait for it to end, or choose another "
                            + option + "; two runs on one " + (what == dir ? "folder" : "file")
                            + " would mix or replace each other's results");
                }
                if (before == null || !before.equals(inode(file))) { // the holder deleted the file as we opened it: lock the new one
                    l.release();
                    ch.close();
                    if (attempt > 20) throw new IOException("the lock file keeps changing");
                    continue;
                }
                String stale = read(ch);
                if (!stale.isEmpty()) {
                    stderr.println("descent: note: " + option + " " + what + ": taking over the lock left by a run that is"
                            + " no longer running (" + stale + "); its outputs there are whole or absent");
                    stderr.flush();
                }
                String me = "pid " + ProcessHandle.current().pid() + " on " + host() + ", started " + Instant.now()
                        + ", " + command;
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(true);
                OutputLock held = new OutputLock(file, ch, l);
                held.created = made;
                return held;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("locking " + file + ": " + Main.ioMessage(String.valueOf(file), e), e);
        }
    }

    /** Deletes the lock file and releases the lock (in that order: a waiting run then locks a new file). */
    @Override
    public void close() {
        if (channel == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // an empty lock file left behind is taken over without a note
        }
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the system releases the lock when the process ends
        }
        if (created != null) removeIfEmpty(created);
    }

    /** Deletes a folder a refused or failed run made and left empty: no empty --out stays behind. */
    private static void removeIfEmpty(Path dir) {
        try {
            Files.delete(dir); // only an empty folder can be deleted
        } catch (IOException ignored) {
            // not empty (the run wrote something, or another run did), or already gone
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(4096, ch.size()));
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
    }

    /** The file's inode (its file key elsewhere), or null when it does not exist. */
    private static Object inode(Path file) throws IOException {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static String host() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                h = "this host";
            }
        }
        return h;
    }
}
