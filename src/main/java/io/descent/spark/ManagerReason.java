package io.descent.spark;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/**
 * The cluster manager's own words when it ends the application: Spark's standalone backend logs
 * "Application has been killed. Reason: Master removed our application: FAILED" (and a YARN or
 * Kubernetes backend its like) as an error, then stops the context; descent's message about the
 * stopped application quotes it. An appender on Spark's scheduler loggers keeps the last such error.
 */
final class ManagerReason {
    private static volatile String last;
    private static boolean installed;

    private ManagerReason() {
    }

    /** Starts listening (once per JVM), before the session starts, where log4j 2 is Spark's logger. */
    static synchronized void listen() {
        if (installed) return;
        installed = true;
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) return; // another logging backend: no quote
        AbstractAppender a = new AbstractAppender("descent-manager-reason", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent e) {
                note(e.getLoggerName(), e.getLevel(), e.getMessage() == null ? null : e.getMessage().getFormattedMessage());
            }
        };
        a.start();
        Configuration config = ctx.getConfiguration();
        config.addAppender(a);
        config.getRootLogger().addAppender(a, Level.ERROR, null);
        ctx.updateLoggers();
    }

    /** Keeps an error of Spark's scheduler that says why the application was ended. */
    static void note(String logger, Level level, String message) {
        if (message == null || logger == null || !level.isMoreSpecificThan(Level.ERROR)) return;
        if (!logger.startsWith("org.apache.spark.scheduler") && !logger.startsWith("org.apache.spark.deploy")) return;
        int at = message.indexOf("Reason: ");
        if (at >= 0 || message.contains("Master removed our application") || message.contains("killed")) {
            last = (at >= 0 ? message.substring(at + "Reason: ".length()) : message).strip();
        }
    }

    /** The last reason the cluster manager gave, or null. */
    static String last() {
        return last;
    }

    /** Forgets it (tests). */
    static void clear() {
        last = null;
    }
}
