package io.backroute.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the dedupe window: one alert per failure per window, numbers and run ids do not defeat it, recovery resets it. */
class AlertGateTest {

    static final class MutableClock extends Clock {
        Instant now = SampleAlerts.T0;
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    final MutableClock clock = new MutableClock();
    final AlertGate gate = new AlertGate(Duration.ofHours(1), clock);

    static Alert failure(String runId, String error) {
        RunRecord r = new RunRecord(runId, "orders-db", "schedule", RunStatus.FAILED, SampleAlerts.T0, SampleAlerts.T0, 0, 0, List.of(), error);
        return Alert.ofRun(AlertKind.FAILED, r, SampleAlerts.T0, "h", null, null);
    }

    @Test
    void sameFailureIsAdmittedOncePerWindow() {
        assertThat(gate.admit(failure("orders-db-1", "dump: pg_dump exited 1"))).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        assertThat(gate.admit(failure("orders-db-2", "dump: pg_dump exited 1"))).isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertThat(gate.admit(failure("orders-db-3", "dump: pg_dump exited 1"))).isTrue();
    }

    @Test
    void runIdsAndNumbersInTheErrorDoNotMakeItANewFailure() {
        assertThat(gate.admit(failure("orders-db-20250314T020000Z-a1b2", "upload failed after 4 attempts (12 s) for orders-db-20250314T020000Z-a1b2"))).isTrue();
        assertThat(gate.admit(failure("orders-db-20250314T030000Z-ffff", "upload failed after 3 attempts (9 s) for orders-db-20250314T030000Z-ffff"))).isFalse();
    }

    @Test
    void differentFailureOfTheSameJobIsAdmittedAtOnce() {
        assertThat(gate.admit(failure("r1", "dump: pg_dump exited 1"))).isTrue();
        assertThat(gate.admit(failure("r2", "local: disk full"))).isTrue();
    }

    @Test
    void recoveryForgetsTheJobsFailuresSoTheNextOneIsReportedAtOnce() {
        assertThat(gate.admit(failure("r1", "dump: pg_dump exited 1"))).isTrue();
        gate.forgetJob("orders-db");
        assertThat(gate.admit(failure("r2", "dump: pg_dump exited 1"))).isTrue();
    }

    @Test
    void findingsAndRecoveriesAreNeverWindowed() {
        assertThat(gate.admit(SampleAlerts.stale())).isTrue();
        assertThat(gate.admit(SampleAlerts.stale())).isTrue();
        assertThat(gate.admit(SampleAlerts.recovered())).isTrue();
        assertThat(gate.admit(SampleAlerts.recovered())).isTrue();
    }
}
