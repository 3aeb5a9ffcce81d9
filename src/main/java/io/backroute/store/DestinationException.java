package io.backroute.store;

/** A destination operation failed; {@link #permanent()} tells whether a retry could help. Message names the destination, never a secret. */
public class DestinationException extends RuntimeException {

    private final String destination;
    private final boolean permanent;

    public DestinationException(String destination, String message, boolean permanent, Throwable cause) {
        super(destination + ": " + message, cause);
        this.destination = destination;
        this.permanent = permanent;
    }

    public String destination() { return destination; }
    public boolean permanent() { return permanent; }
}
