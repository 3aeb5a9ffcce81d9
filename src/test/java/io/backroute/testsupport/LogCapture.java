package io.backroute.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Captures log events at or above a level from every logger while open (real log4j2 appender, no mocks). */
public final class LogCapture implements AutoCloseable {

    public final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final LoggerContext ctx;

    public LogCapture(Level level) {
        ctx = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(event.toImmutable());
            }
        };
        appender.start();
        ctx.getConfiguration().getRootLogger().addAppender(appender, level, null);
        ctx.updateLoggers();
    }

    public List<String> messages() {
        return events.stream().map(e -> e.getLoggerName() + ": " + e.getMessage().getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }
}
