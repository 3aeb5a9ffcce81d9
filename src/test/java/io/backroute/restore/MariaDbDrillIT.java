package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.DrillRecord;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.catalog.VerificationRecord;
import io.backroute.pipeline.DrillRunner;
import io.backroute.testsupport.LogCapture;
import io.backroute.testsupport.Workspace;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves a MariaDB job's drill against the real server: restored into the scratch database shop_db_drill, row counts and an assertion checked, RTO recorded, the scratch database dropped after a pass and after a failed assertion, which alerts. */
class MariaDbDrillIT {

    static final String HOST = DatabaseRestoreIT.HOST;
    static final int PORT = DatabaseRestoreIT.MY_PORT;
    static final String USER = DatabaseRestoreIT.MY_USER;
    static final String PASSWORD = DatabaseRestoreIT.MY_PASSWORD;
    /** The default scratch database of job shop-db: {@code <job>_drill}. */
    static final String SCRATCH = "shop_db_drill";

    @TempDir
    Path tmp;

    final String source = DatabaseRestoreIT.unique("br_mydrill_src");

    @BeforeEach
    void createSource() throws SQLException {
        try (Connection c = DatabaseRestoreIT.my(""); Statement st = c.createStatement()) {
            st.execute("create database " + source);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw e;
            }
            Assumptions.abort("MariaDB test server unreachable (start it with scripts/services/mariadb.sh): " + e.getMessage());
        }
        try (Connection c = DatabaseRestoreIT.my(source); Statement st = c.createStatement()) {
            st.execute("create table items (id int primary key, price decimal(10,2), name varchar(40))");
            st.execute("insert into items select seq, seq * 0.5, concat('item ', seq) from seq_1_to_1234");
            st.execute("create table customers (id int primary key, name varchar(40))");
            st.execute("insert into customers select seq, concat('c', seq) from seq_1_to_321");
            // the manifest's row counts are information_schema estimates: make them current
            st.execute("analyze table items, customers");
        }
    }

    @AfterEach
    void dropDatabases() throws SQLException {
        Connection c;
        try {
            c = DatabaseRestoreIT.my("");
        } catch (java.sql.SQLNonTransientConnectionException unreachable) {
            return; // the server is down: the test was skipped by its assumption, nothing to drop
        }
        try (c; Statement st = c.createStatement()) {
            st.execute("drop database if exists " + source);
            st.execute("drop database if exists " + SCRATCH);
        }
    }

    private Workspace workspace() throws Exception {
        Workspace ws = new Workspace(tmp, "file:src/test/resources/routes/drill/shop-db.camel.yaml");
        ws.set("jobs.shop-db.host", HOST).set("jobs.shop-db.port", Integer.toString(PORT)).set("jobs.shop-db.user", USER)
                .set("jobs.shop-db.password", PASSWORD).set("jobs.shop-db.database", source)
                .set("jobs.shop-db.retention.keep-last", "5");
        // no drill.target: the scratch database is the default <job>_drill
        ws.set("jobs.shop-db.drill.key", ws.keys.resolve("demo-secret.asc").toString())
                .set("jobs.shop-db.drill.db-url", "mariadb://" + USER + "@" + HOST + ":" + PORT)
                .set("jobs.shop-db.drill.db-password", PASSWORD)
                .set("jobs.shop-db.drill.assert.expensive.sql", "select count(*) from items where price > 100")
                .set("jobs.shop-db.drill.assert.expensive.expect", "1034");
        return ws;
    }

    private static boolean exists(String db) throws SQLException {
        try (Connection c = DatabaseRestoreIT.my(""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from information_schema.schemata where schema_name = '" + db + "'")) {
            return rs.next();
        }
    }

    private static DrillRecord drill(BackrouteService s) {
        return s.camel().getRegistry().lookupByNameAndType("backrouteDrills", DrillRunner.class).run("shop-db");
    }

    @Test
    void drillRestoresIntoTheScratchDatabaseChecksRowCountsAndAssertionRecordsRtoAndDropsIt() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName mbean = new ObjectName("io.backroute:type=job,job=shop-db");
        try (LogCapture logs = new LogCapture(Level.DEBUG); BackrouteService s = workspace().service()) {
            s.start();
            RunRecord run = s.runtime().runNow("shop-db", "test");
            assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCESS);

            DrillRecord d = drill(s);

            assertThat(d.error()).isNull();
            assertThat(d.ok()).isTrue();
            assertThat(d.runId()).isEqualTo(run.runId());
            assertThat(d.artifacts()).singleElement().asString().startsWith("shop-db/shop-db-").endsWith(".sql.zst.gpg");
            assertThat(d.checks())
                    .anyMatch(c -> c.contains("into scratch database mariadb://" + USER + "@" + HOST + ":" + PORT + "/" + SCRATCH))
                    .anyMatch(c -> c.equals("row counts of 2 table(s) match the manifest's estimates (within 50.0%)"))
                    .anyMatch(c -> c.equals("assertion expensive (select count(*) from items where price > 100) returned 1034"));
            assertThat(exists(SCRATCH)).as("scratch database dropped").isFalse();

            assertThat(d.rtoMillis()).isNotNegative();
            assertThat(d.plainBytes()).isEqualTo(run.plainBytes());
            assertThat(s.runtime().catalog().lastDrill("shop-db")).contains(d);
            assertThat(s.runtime().catalog().lastGoodDrilledRun("shop-db")).contains(run.start());
            assertThat(server.getAttribute(mbean, "LastDrillStatus")).isEqualTo("SUCCESS");
            assertThat(server.getAttribute(mbean, "LastDrillRtoMillis")).isEqualTo(d.rtoMillis());
            assertThat(s.runtime().catalog().lastVerifications("shop-db")).singleElement().satisfies(v -> {
                assertThat(v.artifact()).isEqualTo(d.artifacts().get(0));
                assertThat(v.level()).isEqualTo(VerificationRecord.Level.FULL);
                assertThat(v.ok()).isTrue();
            });
            assertThat(logs.messages()).noneMatch(m -> m.contains(PASSWORD));
        }
    }

    @Test
    void failingAssertionAlertsDrillFailedAndTheScratchDatabaseIsDroppedAnyway() throws Exception {
        Workspace ws = workspace().set("jobs.shop-db.drill.assert.expensive.expect", "1234");
        try (LogCapture logs = new LogCapture(Level.WARN); BackrouteService s = ws.service()) {
            s.start();
            RunRecord run = s.runtime().runNow("shop-db", "test");
            assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCESS);

            DrillRecord d = drill(s);

            assertThat(d.status()).isEqualTo(DrillRecord.Status.FAILED);
            assertThat(d.error()).contains("assertion expensive").contains("returned 1034, expected 1234").contains(".sql.zst.gpg");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> logs.events.stream()
                    .anyMatch(e -> e.getLoggerName().equals("io.backroute.alert")
                            && e.getMessage().getFormattedMessage().startsWith("ALERT [backroute] DRILL_FAILED shop-db")));
            assertThat(exists(SCRATCH)).as("scratch database dropped after the failed drill").isFalse();
            assertThat(s.runtime().catalog().lastDrill("shop-db").map(DrillRecord::status)).contains(DrillRecord.Status.FAILED);
            assertThat(s.runtime().catalog().lastGoodDrilledRun("shop-db")).isEmpty();
            assertThat(s.runtime().catalog().lastVerifications("shop-db")).singleElement()
                    .satisfies(v -> assertThat(v.result()).isEqualTo("FAILED"));
            assertThat(logs.messages()).noneMatch(m -> m.contains(PASSWORD));
        }
    }
}
