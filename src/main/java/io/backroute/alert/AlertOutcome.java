package io.backroute.alert;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregation strategy of the alert route's recipient list: counts each channel's delivery, logs a failed one at
 * ERROR naming the channel, and swallows its exception so one broken channel neither stops the others nor
 * travels back towards the backup path.
 */
public final class AlertOutcome implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger("io.backroute.alert");

    private final AlertStats stats;

    public AlertOutcome(AlertStats stats) {
        this.stats = stats;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange sub) {
        Alert alert = sub.getProperty(AlertService.ALERT_PROPERTY, Alert.class);
        String job = alert == null ? null : alert.job();
        String channel = channel(sub.getProperty(Exchange.RECIPIENT_LIST_ENDPOINT, String.class));
        Exception e = sub.getException();
        if (e == null) {
            e = sub.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        }
        if (e != null) {
            stats.recordFailed(job);
            LOG.error("alert {} could not be delivered to channel {}: {}", alert == null ? "?" : alert.subject(), channel,
                    io.backroute.pipeline.JobRuntime.errorSummary(e));
            sub.setException(null);
            sub.removeProperty(Exchange.EXCEPTION_CAUGHT);
        } else {
            stats.recordSent(job);
            LOG.debug("alert {} delivered to channel {}", alert == null ? "?" : alert.subject(), channel);
        }
        return oldExchange == null ? sub : oldExchange;
    }

    @Override
    public void timeout(Exchange oldExchange, int index, int total, long timeout) {
        Alert alert = oldExchange == null ? null : oldExchange.getProperty(AlertService.ALERT_PROPERTY, Alert.class);
        stats.recordFailed(alert == null ? null : alert.job());
        LOG.error("alert {} could not be delivered to channel #{} of {}: no answer within {} ms",
                alert == null ? "" : alert.subject(), index + 1, total, timeout);
    }

    /** Channel names go to logs: the mail channel is named by its route, any other URI is sanitized. */
    static String channel(String uri) {
        if (uri == null) {
            return "?";
        }
        if (uri.replace("://", ":").startsWith(AlertService.MAIL_CHANNEL)) {
            return "mail";
        }
        return URISupport.sanitizeUri(uri);
    }
}
