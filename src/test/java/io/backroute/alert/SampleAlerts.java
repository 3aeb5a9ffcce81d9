package io.backroute.alert;

import io.backroute.catalog.DestinationResult;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed alerts (fixed times, host and sizes) shared by the golden and gate tests. */
final class SampleAlerts {

    static final Instant T0 = Instant.parse("2025-03-14T02:00:00Z");
    static final String HOST = "backup-01";

    private SampleAlerts() { }

    static RunRecord failedRun() {
        return new RunRecord("orders-db-20250314T020000Z-a1b2", "orders-db", "schedule", RunStatus.FAILED,
                T0, T0.plusMillis(4_250), 0, 0, List.of(),
                "dump: pg_dump exited 1 for database orders at 127.0.0.1:5432\n"
                        + "pg_dump: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"backup\"\n"
                        + "<stderr tail ends here & nothing more>");
    }

    static Alert failed() {
        return Alert.ofRun(AlertKind.FAILED, failedRun(), T0.plusSeconds(5), HOST,
                Instant.parse("2025-03-13T02:00:07Z"), Instant.parse("2025-03-15T02:00:00Z"));
    }

    static Alert partial() {
        RunRecord r = new RunRecord("orders-db-20250314T020000Z-c3d4", "orders-db", "schedule", RunStatus.PARTIAL,
                T0, T0.plusMillis(92_500), 734_003_200L, 98_566_144L,
                List.of(new DestinationResult("nas", true, 98_566_144L, 12_300, List.of("orders-db/orders-db-20250314T020000Z.pgdump.zst.gpg"), null),
                        new DestinationResult("s3-primary", false, 0, 61_000, List.of(),
                                "s3-primary: upload failed after 4 attempts: Connection refused")),
                "s3-primary: upload failed after 4 attempts: Connection refused");
        return Alert.ofRun(AlertKind.PARTIAL, r, T0.plusSeconds(93), HOST, T0.plusSeconds(92), Instant.parse("2025-03-15T02:00:00Z"));
    }

    static Alert recovered() {
        RunRecord r = new RunRecord("orders-db-20250315T020000Z-e5f6", "orders-db", "schedule", RunStatus.SUCCESS,
                T0.plusSeconds(86_400), T0.plusSeconds(86_460), 734_003_200L, 98_566_144L,
                List.of(new DestinationResult("nas", true, 98_566_144L, 12_300, List.of("orders-db/orders-db-20250315T020000Z.pgdump.zst.gpg"), null)),
                null);
        return Alert.ofRun(AlertKind.RECOVERED, r, T0.plusSeconds(86_461), HOST, T0.plusSeconds(86_460), Instant.parse("2025-03-16T02:00:00Z"));
    }

    static Alert stale() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Age", "72h00m");
        facts.put("Max age", "48h15m (2 x longest gap 24h of cron '0 0 2 * * ?' + grace 15m)");
        facts.put("Last attempt", "2025-03-14T02:00:00Z (FAILED)");
        return Alert.ofFinding(AlertKind.STALE, "orders-db", T0.plusSeconds(3 * 86_400), HOST,
                "newest good backup is 72h00m old, max-age is 48h15m", null, Instant.parse("2025-03-13T02:00:07Z"), null, facts);
    }

    static Alert startupInvalid() {
        return Alert.ofFinding(AlertKind.STARTUP_INVALID, null, T0, HOST, "2 configuration problems; nothing was scheduled",
                "1. file:routes/jobs/orders-db.camel.yaml (job orders-db): cron 'every hour' is invalid\n"
                        + "2. backroute.destinations.nas.kind: 'nfs' is not a destination kind", null, null, Map.of());
    }
}
