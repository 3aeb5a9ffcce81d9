package io.backroute.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.catalog.VerificationRecord.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the verifications table: a version-2 catalog migrates keeping runs and drills, and lastVerifications keeps the newest check per destination and artifact. */
class VerificationCatalogTest {

    @TempDir
    Path tmp;

    static final Instant T0 = Instant.parse("2026-11-20T01:00:00Z");
    static final String A = "orders/orders-20261120T010000Z.pgdump.zst.gpg";
    static final String B = "orders/orders-20261121T010000Z.pgdump.zst.gpg";

    static VerificationRecord v(String dest, String artifact, Instant t, Level level, boolean ok) {
        return new VerificationRecord("orders", dest, artifact, "orders-run", t, level, ok, ok ? "verify" : "drill orders-drill-x",
                ok ? null : "restore: artifact " + artifact + " at destination " + dest + ": the artifact is corrupt");
    }

    @Test
    void versionTwoCatalogMigratesToVersionThreeKeepingRunsAndDrills() throws Exception {
        Path db = tmp.resolve("v2.db");
        try (SqliteRunCatalog c = new SqliteRunCatalog(db)) {
            c.save(new RunRecord("orders-run", "orders", "schedule", RunStatus.SUCCESS, T0, T0.plusSeconds(5), 1, 1, List.of(), null));
            c.saveDrill(new DrillRecord("orders-drill-1", "orders", "orders-run", "local", List.of(A), DrillRecord.Status.SUCCESS,
                    T0.plusSeconds(60), T0.plusSeconds(70), 900, 1, List.of("restored"), null));
        }
        // what a version-2 Backroute left behind: no verifications table yet
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE verifications");
            st.execute("PRAGMA user_version = 2");
        }
        try (SqliteRunCatalog c = new SqliteRunCatalog(db)) {
            assertThat(c.find("orders-run")).isPresent();
            assertThat(c.lastDrill("orders")).map(DrillRecord::drillId).contains("orders-drill-1");
            assertThat(c.lastVerifications("orders")).isEmpty();
            c.saveVerification(v("local", A, T0.plusSeconds(90), Level.FULL, true));
            assertThat(c.lastVerifications("orders")).singleElement().satisfies(x -> {
                assertThat(x.level()).isEqualTo(Level.FULL);
                assertThat(x.result()).isEqualTo("OK");
            });
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            assertThat(rs.getInt(1)).isEqualTo(SqliteRunCatalog.schemaVersion()).isEqualTo(3);
        }
    }

    @Test
    void lastVerificationsKeepsTheNewestPerDestinationAndArtifact() {
        try (SqliteRunCatalog c = new SqliteRunCatalog(tmp.resolve("c.db"))) {
            VerificationRecord aLocalOld = v("local", A, T0, Level.FULL, true);
            VerificationRecord aLocalNew = v("local", A, T0.plusSeconds(60), Level.STORED_HASH, false);
            VerificationRecord aS3 = v("s3", A, T0.plusSeconds(30), Level.STORED_HASH, true);
            VerificationRecord bLocal = v("local", B, T0.plusSeconds(10), Level.FULL, true);
            // saved out of time order: the time decides, not the order of saving
            c.saveVerification(aLocalNew);
            c.saveVerification(aLocalOld);
            c.saveVerification(aS3);
            c.saveVerification(bLocal);
            c.saveVerification(new VerificationRecord("other", "local", "other/x.tar.zst.gpg", "r", T0.plusSeconds(99),
                    Level.FULL, true, "verify", null));

            assertThat(c.lastVerifications("orders")).containsExactly(aLocalNew, aS3, bLocal);
            assertThat(aLocalNew.level().label()).isEqualTo("stored-hash");
            assertThat(aLocalNew.result()).isEqualTo("FAILED");
            assertThat(c.lastVerifications("nobody")).isEmpty();
        }
    }

    @Test
    void equalTimesKeepTheOneSavedLast() {
        try (SqliteRunCatalog c = new SqliteRunCatalog(tmp.resolve("c.db"))) {
            c.saveVerification(v("local", A, T0, Level.STORED_HASH, true));
            VerificationRecord later = v("local", A, T0, Level.FULL, false);
            c.saveVerification(later);
            assertThat(c.lastVerifications("orders")).containsExactly(later);
        }
    }
}
