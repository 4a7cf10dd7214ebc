package io.descent.report;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One output file written whole or not at all: the bytes go to a temporary file beside the target
 * ({@code .NAME.PID.RANDOM.tmp}, created with the umask's mode, as the target itself would be), are
 * forced to disk, and only then renamed over the target. A reader, or a run killed mid-write, sees
 * the previous file or the new one, never a part. {@link #close} without {@link #commit} deletes the
 * temporary file, so a failure leaves nothing behind; temporary files of processes that were killed
 * are deleted by the next write to the same target.
 *
 * <p>Every file descent writes goes through here: CSV, NPY, JSON (reports, checkpoints, trials,
 * parameters) and PNG.
 */
public final class AtomicFile implements AutoCloseable {
    /** Temporary names: "." + target name + "." + pid + "." + random + ".tmp". */
    private static final Pattern TEMP = Pattern.compile("\\.(.+)\\.(\\d+)\\.[0-9a-f]+\\.tmp");

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private boolean synced;
    private boolean done;

    private AtomicFile(Path target, Path tmp, FileChannel channel) {
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
    }

    /**
     * Starts a new version of {@code target} (its directory is made if missing).
     *
     * @throws IOException when the directory or the temporary file cannot be made
     */
    public static AtomicFile open(Path target) throws IOException {
        return open(target, true);
    }

    /** As {@link #open(Path)}; without {@code makeDirectory}, a missing directory is an error. */
    public static AtomicFile open(Path target, boolean makeDirectory) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (makeDirectory) Files.createDirectories(dir);
        sweep(dir, abs.getFileName().toString());
        String base = "." + abs.getFileName() + "." + ProcessHandle.current().pid() + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
            try {
                // CREATE_NEW with no attributes: mode 0666 less the umask, as for any new file
                FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                return new AtomicFile(abs, tmp, ch);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
    }

    /** The file this will replace. */
    public Path target() {
        return target;
    }

    /** The temporary file's channel (positioned writes are allowed, e.g. a header written last). */
    public FileChannel channel() {
        return channel;
    }

    /** A stream onto {@link #channel}; closing the stream leaves the channel open (flush it before committing). */
    public OutputStream stream() {
        return new FilterOutputStream(Channels.newOutputStream(channel)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** Forces the bytes written so far to disk; after this only {@link #commit} or {@link #close} remain. */
    public void sync() throws IOException {
        if (!synced) {
            channel.force(true);
            synced = true;
        }
    }

    /** Forces the bytes to disk and renames the temporary file over the target. */
    public void commit() throws IOException {
        if (done) throw new IllegalStateException("already committed or discarded: " + target);
        sync();
        channel.close();
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
        syncDirectory(target.getParent());
    }

    /** Deletes the temporary file unless {@link #commit} renamed it. */
    @Override
    public void close() {
        if (done) return;
        done = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is only to delete; the first error is the one reported
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the next write to the target deletes it (see sweep)
        }
    }

    /**
     * Commits several files once all of them are complete: each is forced to disk first, then each is
     * renamed. Those not committed (an error on the way) are discarded.
     */
    public static void commitAll(List<AtomicFile> files) throws IOException {
        try {
            for (AtomicFile f : files) f.sync();
            if (files.size() < 2) {
                for (AtomicFile f : files) f.commit();
                return;
            }
            // several renames are not one step: a marker, whole on disk before the first rename and
            // deleted after the last, says the set may be mixed until it is gone (see pending)
            Path dir = files.get(0).target.toAbsolutePath().getParent();
            StringBuilder names = new StringBuilder();
            for (AtomicFile f : files) {
                if (!f.target.toAbsolutePath().getParent().equals(dir)) {
                    throw new IllegalArgumentException("one commit, one folder: " + f.target + " is not in " + dir);
                }
                names.append(f.target.getFileName()).append('\n');
            }
            Path marker = dir.resolve(PENDING);
            try (AtomicFile m = open(marker)) {
                m.stream().write(names.toString().getBytes(StandardCharsets.UTF_8));
                m.commit();
            }
            for (AtomicFile f : files) f.commit();
            Files.delete(marker);
            syncDirectory(dir);
        } finally {
            for (AtomicFile f : files) f.close();
        }
    }

    /** The marker {@link #commitAll} keeps in a folder while it renames several files into it. */
    public static final String PENDING = ".descent-commit-pending";

    /**
     * Null, or why {@code file} cannot be trusted: a {@link #commitAll} that named it was stopped
     * between its renames, so it may belong to another set than the files beside it.
     */
    public static String pending(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path marker = dir == null ? null : dir.resolve(PENDING);
        if (marker == null || !Files.exists(marker)) return null;
        try {
            for (String name : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
                if (name.equals(file.getFileName().toString())) {
                    return "the write of " + String.join(", ", Files.readAllLines(marker, StandardCharsets.UTF_8))
                            + " in " + dir + " was stopped between its renames (" + marker.getFileName()
                            + " is still there), so these files may come from two different runs: run the command"
                            + " that wrote them again";
                }
            }
            return null;
        } catch (IOException e) {
            return "cannot read " + marker + ": " + reason(e);
        }
    }

    /** What {@link #write} does with a stream. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} whole or not at all.
     *
     * @throws UncheckedIOException "writing FILE: reason", the temporary file deleted
     */
    public static void write(Path target, Body body) {
        try (AtomicFile f = open(target)) {
            try (OutputStream out = new java.io.BufferedOutputStream(f.stream(), 1 << 16)) {
                body.write(out);
            }
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + ": " + reason(e), e);
        }
    }

    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    public static void write(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The reason an I/O error gives, with what to do about a full disk. */
    public static String reason(IOException e) {
        String r = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (r.contains("No space left") || r.contains("Disk quota")) {
            r += " (free some space there, or write to another folder; nothing was replaced)";
        }
        return r;
    }

    /** Deletes temporary files of {@code name} (and of NAME.PART) left by processes that no longer run. */
    private static void sweep(Path dir, String name) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "." + globEscape(name) + ".*.tmp")) {
            for (Path p : s) {
                Matcher m = TEMP.matcher(p.getFileName().toString());
                // the target's own, and its parts' (X.npy.column0 of a Fortran-order .npy)
                if (!m.matches() || !(m.group(1).equals(name) || m.group(1).startsWith(name + "."))) continue;
                long pid = Long.parseLong(m.group(2));
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // tidying only
        }
    }

    private static String globEscape(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself, on file systems that allow it
        } catch (IOException | RuntimeException ignored) {
            // not every platform opens a directory
        }
    }
}
