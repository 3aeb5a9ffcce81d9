package io.backroute.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared put protocol of the remote kinds: refuse existing keys, upload through a Camel producer, verify the stored size, clean up on failure. */
abstract class RemoteDestination implements Destination {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteDestination.class);

    protected final String name;
    private final ProducerTemplate template;
    private final List<String> secrets = new ArrayList<>();

    /** Registry name of {@link Transfers#socketFactory()} for endpoint URIs ({@code #backrouteTransferSockets}). */
    static final String SOCKETS_BEAN = "backrouteTransferSockets";
    /** Registry name of {@link Transfers#sshProxy()} for sftp endpoint URIs. */
    static final String SSH_PROXY_BEAN = "backrouteSshProxy";

    RemoteDestination(String name, CamelContext camel) {
        this.name = name;
        this.template = camel.createProducerTemplate();
        synchronized (camel) {
            if (camel.getRegistry().lookupByName(SOCKETS_BEAN) == null) {
                camel.getRegistry().bind(SOCKETS_BEAN, javax.net.SocketFactory.class, Transfers.socketFactory());
            }
            if (camel.getRegistry().lookupByName(SSH_PROXY_BEAN) == null) {
                camel.getRegistry().bind(SSH_PROXY_BEAN, com.jcraft.jsch.Proxy.class, Transfers.sshProxy());
            }
        }
    }

    /** Registers a value that must never appear in a message (masked by {@link #safe}). */
    protected final void secret(String value) {
        if (value != null && !value.isEmpty()) {
            secrets.add(value);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public final void put(Path file, String key) {
        Keys.check(name, key);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DestinationException(name, "cannot read local file " + file + ": " + e, true, e);
        }
        if (stat(key).isPresent()) {
            throw new DestinationException(name, "refusing to overwrite existing " + key, true, null);
        }
        checkRoot();
        long started = System.nanoTime();
        Exchange result;
        try {
            result = template.send(uploadUri(key, size), ex -> {
                ex.getMessage().setBody(file.toFile());
                prepare(ex.getMessage(), key);
            });
        } catch (RuntimeException e) {
            cleanupQuietly(key);
            throw translate("upload of " + key + " failed", e);
        }
        if (result.getException() != null) {
            cleanupQuietly(key);
            throw translate("upload of " + key + " failed", result.getException());
        }
        OptionalLong stored = stat(key);
        if (stored.isEmpty() || stored.getAsLong() != size) {
            cleanupQuietly(key);
            deleteQuietly(key);
            throw new DestinationException(name, "upload of " + key + " incomplete: local size " + size + " bytes, stored "
                    + (stored.isEmpty() ? "nothing" : stored.getAsLong() + " bytes"), false, null);
        }
        try {
            verifyStored(file, key, size);
        } catch (DestinationException e) {
            deleteQuietly(key);
            throw e;
        }
        long millis = Math.max(1, (System.nanoTime() - started) / 1_000_000);
        LOG.info("{}: stored {} ({} bytes in {} ms, {} MB/s)", name, key, size, millis,
                String.format("%.1f", size / 1e6 / (millis / 1e3)));
    }

    /**
     * Kind-specific check of a stored object beyond its size (e.g. a checksum the store reports); throws a transient
     * DestinationException on mismatch, after which the object is deleted. Default: nothing more.
     */
    protected void verifyStored(Path file, String key, long size) {
    }

    /** Camel URI of the producer that uploads {@code key}; secrets as RAW(...). */
    protected abstract String uploadUri(String key, long size);

    /** Sets the headers naming the target object. */
    protected void prepare(Message message, String key) {
        message.setHeader(Exchange.FILE_NAME, Keys.fileName(key));
    }

    /** Fails permanently when the configured root (bucket, share, directory) does not exist. */
    protected abstract void checkRoot();

    /** Removes what a failed upload of {@code key} may have left (temp name, incomplete multipart upload). */
    protected abstract void cleanupFailedPut(String key);

    /** Whether a failure can not be cured by retrying (auth, missing root, permission denied). */
    protected abstract boolean isPermanent(Throwable t);

    /** Runs outside the delivery's transfer scope: after a timeout aborted it, cleaning up still needs a connection. */
    private void cleanupQuietly(String key) {
        try {
            Transfers.untracked(() -> {
                cleanupFailedPut(key);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: could not remove leftovers of failed upload of {} (the next sweep will): {}", name, key, safe(describe(e)));
        }
    }

    private void deleteQuietly(String key) {
        try {
            Transfers.untracked(() -> {
                delete(key);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: could not delete incomplete {}: {}", name, key, safe(describe(e)));
        }
    }

    /**
     * A DestinationException for {@code t}, classified and scrubbed of secrets. A certain out of space is permanent: a
     * retry seconds later fills the same disk again, and only retention or an operator frees space.
     */
    protected DestinationException translate(String what, Throwable t) {
        if (t instanceof DestinationException de) {
            return de;
        }
        Space space = outOfSpace(t);
        if (space != null) {
            return new DestinationException(name, space.phrase() + ": " + what + ": " + safe(describe(t)),
                    space.certain() || isPermanent(t), scrub(t));
        }
        return new DestinationException(name, what + ": " + safe(describe(t)), isPermanent(t), scrub(t));
    }

    /** An out-of-space diagnosis: how to say it, and whether the server said so (certain) or it is the likely cause. */
    protected record Space(String phrase, boolean certain) { }

    /** Texts servers and OSes use for a full disk or an exhausted quota (ENOSPC, EDQUOT, SMB and FTP wordings). */
    static final String[] OUT_OF_SPACE_TEXTS = {"No space left on device", "Disk quota exceeded", "disk full", "Disk full",
        "STATUS_DISK_FULL", "Insufficient storage", "insufficient storage", "Exceeded storage allocation", "not enough space",
        "Not enough space", "Quota exceeded", "quota exceeded"};

    /** Whether {@code t} says the destination is out of space; null when it is something else. */
    protected Space outOfSpace(Throwable t) {
        return anyMessage(t, OUT_OF_SPACE_TEXTS) ? new Space("out of space", true) : null;
    }

    /** Cause chain messages, deduplicated, so the root cause (e.g. "Connection refused") is visible. */
    static String describe(Throwable t) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable c = t; c != null && parts.size() < 6; c = c.getCause()) {
            String m = c.getMessage();
            parts.add(m == null || m.isBlank() ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": " + m.strip());
            if (c.getCause() == c) {
                break;
            }
        }
        return String.join(" <- ", parts);
    }

    /** Masks URI credentials and every registered secret. */
    protected String safe(String message) {
        String s = URISupport.sanitizeUri(message);
        for (String secret : secrets) {
            s = s.replace(secret, "xxxxxx");
        }
        return s;
    }

    /**
     * Camel and client exceptions may carry the full URI or credentials in their messages; keep the cause chain
     * (for stack traces) only when nothing secret is in it.
     */
    private Throwable scrub(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            for (String secret : secrets) {
                if (m.contains(secret)) {
                    return null;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return t;
    }

    /** Walks the cause chain for the first throwable of a type. */
    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    static boolean anyMessage(Throwable t, String... needles) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null) {
                for (String n : needles) {
                    if (m.contains(n)) {
                        return true;
                    }
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            template.stop();
        } catch (Exception e) {
            LOG.debug("{}: producer template stop failed", name, e);
        }
    }
}
