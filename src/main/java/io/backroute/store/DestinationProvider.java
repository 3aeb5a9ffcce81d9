package io.backroute.store;

import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;

/**
 * Creates destinations of one kind from their configuration
 * ({@code backroute.destinations.<name>.<option>} properties, {@code kind} selecting the provider).
 */
public interface DestinationProvider {

    /** local, smb, s3, ftp, ftps, sftp */
    String kind();

    /** Adds one line per problem in the options (missing/invalid keys), naming the key and the fix. No I/O beyond local checks. */
    void validate(String name, Map<String, String> options, List<String> problems);

    /** Creates the destination; options have placeholders resolved. Secrets stay out of {@link Destination#location()}. */
    Destination create(String name, Map<String, String> options, CamelContext camel);
}
