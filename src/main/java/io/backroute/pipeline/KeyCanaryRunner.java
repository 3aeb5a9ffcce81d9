package io.backroute.pipeline;

import io.backroute.BackupException;
import io.backroute.restore.DecryptionKey;
import io.backroute.restore.KeyCanary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code backrouteCanary} behind the key canary route: on {@code backroute.canary.cron} decrypts the key
 * canaries with the escrow key {@code backroute.canary.key} and sends a failure to the alert route.
 */
public final class KeyCanaryRunner {

    /** Name of the route template in routes/pipeline/key-canary.camel.yaml and of the route made from it. */
    public static final String TEMPLATE = "key-canary";

    private static final Logger LOG = LoggerFactory.getLogger(KeyCanaryRunner.class);

    private final JobRuntime runtime;

    public KeyCanaryRunner(JobRuntime runtime) {
        this.runtime = runtime;
    }

    public Optional<String> cron() {
        return runtime.config().get("backroute.canary.cron").filter(s -> !s.isBlank()).map(s -> s.replace('+', ' '));
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (cron().isPresent()) {
            try {
                new org.quartz.CronExpression(cron().get());
            } catch (java.text.ParseException e) {
                problems.add("backroute.canary.cron '" + cron().get() + "' is invalid: " + e.getMessage());
            }
            if (runtime.config().get("backroute.canary.key", "").isBlank()) {
                problems.add("backroute.canary.cron is set but backroute.canary.key is not: set it to the escrow secret key file");
            }
        }
        String d = runtime.config().get("backroute.canary.destination", "");
        if (!d.isBlank() && !runtime.destinations().names().contains(d)) {
            problems.add("backroute.canary.destination: unknown destination '" + d + "'");
        }
        return problems;
    }

    /**
     * Route entry: checks the canaries with the configured escrow key; on failure alerts and returns an empty list
     * (the alert is the report; a thrown error would only be logged twice).
     */
    public List<KeyCanary.Checked> check() {
        try {
            Path keyFile = Path.of(runtime.config().get("backroute.canary.key", ""));
            String passFile = runtime.config().get("backroute.canary.passphrase-file", "");
            char[] pass = passFile.isBlank() ? new char[0]
                    : io.backroute.config.SecretFiles.readChars(Path.of(passFile));
            DecryptionKey key = new DecryptionKey(keyFile, pass);
            String d = runtime.config().get("backroute.canary.destination", "");
            return d.isBlank() ? KeyCanary.check(runtime.config().dataDir(), key)
                    : KeyCanary.check(runtime.destinations().get(d), key);
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof BackupException be ? be.getMessage() : KeyCanary.NO_LONGER_DECRYPTS + e.getMessage();
            LOG.error("KEY CANARY FAILED: {}", msg);
            io.backroute.alert.AlertService.raise(runtime, io.backroute.alert.AlertKind.KEY_CANARY_FAILED, null,
                    "key canary check failed", msg, java.util.Map.of());
            return List.of();
        }
    }
}
