package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.dump.DumpUnit;
import io.backroute.dump.MariaDbSource;
import io.backroute.dump.PostgresSource;
import io.backroute.store.LocalDestination;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves restores into real PostgreSQL and MariaDB servers: same row counts as the source, refusals, a down server, and no commit from a corrupt artifact. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRestoreIT {

    static final String HOST = env("BACKROUTE_TEST_PG_HOST", "127.0.0.1");
    static final int PG_PORT = Integer.parseInt(env("BACKROUTE_TEST_PG_PORT", "5432"));
    static final String PG_USER = env("BACKROUTE_TEST_PG_USER", "backroute_test");
    static final String PG_PASSWORD = env("BACKROUTE_TEST_PG_PASSWORD", "backroute-test-pw");
    static final int MY_PORT = Integer.parseInt(env("BACKROUTE_TEST_MARIADB_PORT", "3306"));
    static final String MY_USER = env("BACKROUTE_TEST_MARIADB_USER", "backroute_test");
    static final String MY_PASSWORD = env("BACKROUTE_TEST_MARIADB_PASSWORD", "backroute-test-pw");

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    final String pgSource = unique("br_rs_src");
    final String mySource = unique("br_rs_src");
    final List<String> pgDatabases = new ArrayList<>();
    final List<String> myDatabases = new ArrayList<>();
    LocalDestination dest;
    DecryptionKey key;
    RestoreFixtures.GpgKey gpg;
    /** Staged once: artifact names hold the start second, so two stagings within one second would collide. */
    ArtifactInfo pgArtifact;

    static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static Connection pg(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PG_PORT + "/" + db, PG_USER, PG_PASSWORD);
    }

    static Connection my(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + MY_PORT + "/" + db, MY_USER, MY_PASSWORD);
    }

    static boolean reachable(String what) {
        try (Connection c = what.equals("pg") ? pg("postgres") : my("")) {
            return c.isValid(5);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(what + " test server unreachable: " + e.getMessage(), e);
            }
            return false;
        }
    }

    @BeforeAll
    void keysAndDestination() throws Exception {
        gpg = RestoreFixtures.gpgKey(shared.resolve("gnupg"), "Db <db@x>", "");
        key = new DecryptionKey(gpg.secretKey(), new char[0]);
        dest = new LocalDestination("local", shared.resolve("backups"), null);
    }

    @AfterAll
    void dropDatabases() {
        for (String db : pgDatabases) {
            try (Connection c = pg("postgres"); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db + " with (force)");
            } catch (SQLException ignored) {
                // server gone: nothing to clean
            }
        }
        for (String db : myDatabases) {
            try (Connection c = my(""); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db);
            } catch (SQLException ignored) {
                // server gone: nothing to clean
            }
        }
    }

    private ArtifactInfo stagePostgres() throws Exception {
        Assumptions.assumeTrue(reachable("pg"), "PostgreSQL at " + HOST + ":" + PG_PORT + " is not reachable");
        if (pgArtifact != null) {
            return pgArtifact;
        }
        if (!pgDatabases.contains(pgSource)) {
            pgDatabases.add(pgSource);
            try (Connection c = pg("postgres"); Statement st = c.createStatement()) {
                st.execute("create database " + pgSource);
            }
            try (Connection c = pg(pgSource); Statement st = c.createStatement()) {
                st.execute("create table orders (id int primary key, note text)");
                st.execute("insert into orders select g, 'order ' || g from generate_series(1, 5000) g");
                st.execute("create table customers (id int primary key, name text)");
                st.execute("insert into customers select g, 'c' || g from generate_series(1, 321) g");
            }
        }
        Map<String, String> o = new HashMap<>(Map.of("host", HOST, "port", Integer.toString(PG_PORT), "user", PG_USER,
                "password", PG_PASSWORD, "database", pgSource));
        List<DumpUnit> units = PostgresSource.fromOptions(o).units();
        String job = "pg-" + pgSource.replace('_', '-');
        RestoreFixtures.stage(dest, shared.resolve("staging"), job, Instant.now(), units.get(0), gpg.publicKey());
        pgArtifact = ArtifactCatalog.list(dest, job).latest().orElseThrow();
        return pgArtifact;
    }

    private Map<String, Long> pgCounts(String db) throws SQLException {
        Map<String, Long> m = new HashMap<>();
        try (Connection c = pg(db); Statement st = c.createStatement()) {
            for (String t : List.of("orders", "customers")) {
                try (ResultSet rs = st.executeQuery("select count(*) from " + t)) {
                    rs.next();
                    m.put(t, rs.getLong(1));
                }
            }
        }
        return m;
    }

    private boolean pgExists(String db) throws SQLException {
        try (Connection c = pg("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_database where datname = '" + db + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private String pgUrl(String db) {
        return "postgresql://" + PG_USER + "@" + HOST + ":" + PG_PORT + "/" + db;
    }

    @Test
    void postgresArtifactRestoresIntoANewDatabaseWithTheSameRowCounts() throws Exception {
        ArtifactInfo a = stagePostgres();
        String target = unique("br_rs_new");
        pgDatabases.add(target);
        Restorer.Result r = Restorer.restore(dest, a, key, pgUrl(target), new Restorer.Options(false, false, PG_PASSWORD));
        assertThat(r.created()).isTrue();
        assertThat(pgCounts(target)).isEqualTo(pgCounts(pgSource)).containsEntry("orders", 5000L);

        assertThatThrownBy(() -> Restorer.restore(dest, a, key, pgUrl(target), new Restorer.Options(false, false, PG_PASSWORD)))
                .isInstanceOf(Restorer.TargetRefusedException.class)
                .hasMessageContaining("is not empty").hasMessageContaining("--clean").hasMessageContaining(a.key());

        try (Connection c = pg(target); Statement st = c.createStatement()) {
            st.execute("delete from orders where id > 10");
        }
        Restorer.restore(dest, a, key, pgUrl(target), new Restorer.Options(false, true, PG_PASSWORD));
        assertThat(pgCounts(target)).isEqualTo(pgCounts(pgSource));
    }

    @Test
    void postgresServerDownNamesTheArtifactAndTheTargetWithoutThePassword() throws Exception {
        ArtifactInfo a = stagePostgres();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "postgresql://" + PG_USER + "@127.0.0.1:" + closedPort + "/nowhere";
        assertThatThrownBy(() -> Restorer.restore(dest, a, key, url, new Restorer.Options(false, false, PG_PASSWORD)))
                .hasMessageContaining(a.key()).hasMessageContaining("cannot reach the target PostgreSQL")
                .hasMessageContaining(":" + closedPort)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PG_PASSWORD));
    }

    @Test
    void corruptPostgresArtifactNeverCommitsAndTheCreatedDatabaseIsDropped() throws Exception {
        ArtifactInfo a = stagePostgres();
        Path copy = RestoreFixtures.copyTree(dest.root(), tmp.resolve("corrupt"));
        LocalDestination d = new LocalDestination("corrupt", copy, null);
        ArtifactInfo c = ArtifactCatalog.list(d, a.manifest().job()).artifacts().stream()
                .filter(x -> x.key().equals(a.key())).findFirst().orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve(c.key()).toFile(), "rw")) {
            f.seek(f.length() - 30);
            int b = f.read();
            f.seek(f.length() - 30);
            f.write(b ^ 0x40);
        }
        String target = unique("br_rs_bad");
        pgDatabases.add(target);
        assertThatThrownBy(() -> Restorer.restore(d, c, key, pgUrl(target), new Restorer.Options(false, false, PG_PASSWORD)))
                .hasMessageContaining(c.key()).hasMessageContaining("nothing was committed")
                .hasMessageContaining("was dropped");
        assertThat(pgExists(target)).isFalse();
    }

    @Test
    void mariadbArtifactRestoresIntoANewDatabaseWithTheSameRowCounts() throws Exception {
        Assumptions.assumeTrue(reachable("my"), "MariaDB at " + HOST + ":" + MY_PORT + " is not reachable");
        myDatabases.add(mySource);
        try (Connection c = my(""); Statement st = c.createStatement()) {
            st.execute("create database " + mySource);
            st.execute("create table " + mySource + ".items (id int primary key, v varchar(20))");
            st.execute("insert into " + mySource + ".items select seq, concat('v', seq) from " + mySource + ".seq_1_to_777");
        }
        Map<String, String> o = new HashMap<>(Map.of("host", HOST, "port", Integer.toString(MY_PORT), "user", MY_USER,
                "password", MY_PASSWORD, "database", mySource));
        String job = "my-" + mySource.replace('_', '-');
        RestoreFixtures.stage(dest, shared.resolve("staging"), job, Instant.now(), MariaDbSource.fromOptions(o).units().get(0),
                gpg.publicKey());
        ArtifactInfo a = ArtifactCatalog.list(dest, job).latest().orElseThrow();
        assertThat(Verifier.verifyWithKey(dest, a, key, tmp).checks()).contains("dump ends with '-- Dump completed'");

        String target = unique("br_rs_new");
        myDatabases.add(target);
        String url = "mariadb://" + MY_USER + "@" + HOST + ":" + MY_PORT + "/" + target;
        Restorer.restore(dest, a, key, url, new Restorer.Options(false, false, MY_PASSWORD));
        try (Connection c = my(target); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from items")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(777);
        }
        assertThatThrownBy(() -> Restorer.restore(dest, a, key, url, new Restorer.Options(false, false, MY_PASSWORD)))
                .isInstanceOf(Restorer.TargetRefusedException.class).hasMessageContaining("is not empty");
    }
}
