package io.descent.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a run: a shutdown hook asks the run to stop, then waits (up to a minute) until the
 * command has written what it has. Close it when the command is done; the hook is then removed,
 * or, when the JVM is already exiting, released.
 */
final class CtrlC implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    CtrlC(Runnable requestStop, String name) {
        hook = new Thread(() -> {
            requestStop.run();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting on Ctrl-C; the hook is waiting for us and now returns
        }
    }
}
