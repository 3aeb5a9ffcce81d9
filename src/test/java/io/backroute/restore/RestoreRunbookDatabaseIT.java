package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves the PostgreSQL and MariaDB blocks of docs/restore.md: run literally on artifacts of real pgjob / mariadbjob runs, they restore every table with the source's row count, and a damaged artifact commits nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreRunbookDatabaseIT {

    /** The blocks this class runs. */
    static final List<String> BLOCKS = List.of("postgresql", "mariadb");

    @TempDir
    Path tmp;

    /** Tests of this class that ran (passed or failed), for the check that every claimed block ran. */
    int testsRun;

    @AfterEach
    void countTest() {
        testsRun++;
    }

    final List<String> pgDatabases = new ArrayList<>();
    final List<String> myDatabases = new ArrayList<>();
    boolean reachable = true;

    @AfterAll
    void dropDatabasesAndCheckEveryBlockRan() {
        for (String db : pgDatabases) {
            try (Connection c = DatabaseRestoreIT.pg("postgres"); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db + " with (force)");
            } catch (SQLException ignored) {
                // server gone: nothing to clean
            }
        }
        for (String db : myDatabases) {
            try (Connection c = DatabaseRestoreIT.my(""); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + db);
            } catch (SQLException ignored) {
                // server gone: nothing to clean
            }
        }
        if (reachable) {
            RunbookBlocks.assertClaimedBlocksRan(getClass(), testsRun, BLOCKS);
        }
    }

    private void assume(String server) {
        if (!DatabaseRestoreIT.reachable(server)) {
            reachable = false;
            Assumptions.abort(server + " test server is not reachable; start it with scripts/services/"
                    + (server.equals("pg") ? "postgres" : "mariadb") + ".sh");
        }
    }

    /** Runs the job once in a fresh workspace and returns the file name of its single artifact. */
    private static String runJob(Workspace ws, String job) {
        RunRecord run;
        try (BackrouteService s = ws.service()) {
            s.start();
            run = s.runtime().runNow(job, "test");
        }
        assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCESS);
        String key = run.destinations().get(0).artifacts().get(0);
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static Map<String, String> vars(Workspace ws, String job, String name) {
        Map<String, String> v = new HashMap<>();
        v.put("JOB", job);
        v.put("BACKUPS", ws.backups.toString());
        v.put("NAME", name);
        v.put("KEY", ws.keys.resolve("demo-secret.asc").toString());
        return v;
    }

    /** Exact row count of every table of the database (schema-qualified name to count). */
    private static Map<String, Long> rowCounts(Connection c, String tablesSql, String quote, String schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(tablesSql)) {
            if (schema != null) {
                ps.setString(1, schema);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        for (String t : tables) {
            String[] p = t.split("\\.", 2);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from " + quote + p[0] + quote + "." + quote + p[1] + quote)) {
                rs.next();
                counts.put(t, rs.getLong(1));
            }
        }
        return counts;
    }

    private static Map<String, Long> pgCounts(String db) throws SQLException {
        try (Connection c = DatabaseRestoreIT.pg(db)) {
            return rowCounts(c, "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
                    + " and table_schema not in ('pg_catalog', 'information_schema')", "\"", null);
        }
    }

    private static Map<String, Long> myCounts(String db) throws SQLException {
        try (Connection c = DatabaseRestoreIT.my(db)) {
            return rowCounts(c, "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
                    + " and table_schema = ?", "`", db);
        }
    }

    private static boolean pgExists(String db) throws SQLException {
        try (Connection c = DatabaseRestoreIT.pg("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + db + "'")) {
            return rs.next();
        }
    }

    private static void flipByteNearTheEnd(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 40);
            int b = f.read();
            f.seek(f.length() - 40);
            f.write(b ^ 0x20);
        }
    }

    @Test
    void postgresqlBlockRestoresEveryTableWithTheSourcesRowCount() throws Exception {
        assume("pg");
        String source = DatabaseRestoreIT.unique("br_rb_src");
        pgDatabases.add(source);
        try (Connection c = DatabaseRestoreIT.pg("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + source);
        }
        try (Connection c = DatabaseRestoreIT.pg(source); Statement st = c.createStatement()) {
            st.execute("create table orders (id int primary key, note text)");
            st.execute("insert into orders select g, 'order ' || g from generate_series(1, 4321) g");
            st.execute("create schema billing");
            st.execute("create table billing.invoices (id int primary key, order_id int references orders (id))");
            st.execute("insert into billing.invoices select g, g from generate_series(1, 987) g");
            st.execute("create table empty_table (id int)");
        }
        Workspace ws = new Workspace(tmp.resolve("pg"), "file:src/test/resources/routes/pgjob.camel.yaml")
                .set("jobs.pgjob.host", DatabaseRestoreIT.HOST).set("jobs.pgjob.port", Integer.toString(DatabaseRestoreIT.PG_PORT))
                .set("jobs.pgjob.user", DatabaseRestoreIT.PG_USER).set("jobs.pgjob.password", DatabaseRestoreIT.PG_PASSWORD)
                .set("jobs.pgjob.database", source);
        String name = runJob(ws, "pgjob");
        assertThat(name).endsWith(".pgdump.zst.gpg");

        String target = DatabaseRestoreIT.unique("br_rb_restored");
        pgDatabases.add(target);
        Map<String, String> v = vars(ws, "pgjob", name);
        v.putAll(Map.of("PGHOST", DatabaseRestoreIT.HOST, "PGPORT", Integer.toString(DatabaseRestoreIT.PG_PORT),
                "PGUSER", DatabaseRestoreIT.PG_USER, "PGPASSWORD", DatabaseRestoreIT.PG_PASSWORD, "TARGET_DB", target));
        String out = RunbookBlocks.succeed("postgresql", v, tmp.resolve("work-pg"));

        assertThat(out).contains("TABLE DATA public orders").contains("TABLE DATA billing invoices");
        assertThat(pgCounts(target)).isEqualTo(pgCounts(source))
                .containsEntry("public.orders", 4321L).containsEntry("billing.invoices", 987L).containsEntry("public.empty_table", 0L);

        // a damaged artifact: gpg's integrity check fails the listing pipeline before any database is created
        flipByteNearTheEnd(ws.backups.resolve("pgjob").resolve(name));
        String never = DatabaseRestoreIT.unique("br_rb_never");
        pgDatabases.add(never);
        v.put("TARGET_DB", never);
        Tools.Result bad = RunbookBlocks.run("postgresql", v, tmp.resolve("work-pg-bad"));
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).containsAnyOf("decryption failed", "manipulated", "invalid packet", "CRC error");
        assertThat(pgExists(never)).isFalse();
    }

    @Test
    void mariadbBlockRestoresEveryTableWithTheSourcesRowCount() throws Exception {
        assume("my");
        String source = DatabaseRestoreIT.unique("br_rb_src");
        myDatabases.add(source);
        try (Connection c = DatabaseRestoreIT.my(""); Statement st = c.createStatement()) {
            st.execute("create database " + source);
            st.execute("create table " + source + ".items (id int primary key, v varchar(20))");
            st.execute("insert into " + source + ".items select seq, concat('v', seq) from " + source + ".seq_1_to_2345");
            st.execute("create table " + source + ".customers (id int primary key, name varchar(40))");
            st.execute("insert into " + source + ".customers select seq, concat('c', seq) from " + source + ".seq_1_to_123");
            st.execute("create table " + source + ".empty_table (id int)");
        }
        Workspace ws = new Workspace(tmp.resolve("my"), "file:src/test/resources/routes/mariadbjob.camel.yaml")
                .set("jobs.mariadbjob.host", DatabaseRestoreIT.HOST).set("jobs.mariadbjob.port", Integer.toString(DatabaseRestoreIT.MY_PORT))
                .set("jobs.mariadbjob.user", DatabaseRestoreIT.MY_USER).set("jobs.mariadbjob.password", DatabaseRestoreIT.MY_PASSWORD)
                .set("jobs.mariadbjob.database", source);
        String name = runJob(ws, "mariadbjob");
        assertThat(name).endsWith(".sql.zst.gpg");

        String target = DatabaseRestoreIT.unique("br_rb_restored");
        myDatabases.add(target);
        Map<String, String> v = vars(ws, "mariadbjob", name);
        v.putAll(Map.of("DB_HOST", DatabaseRestoreIT.HOST, "DB_PORT", Integer.toString(DatabaseRestoreIT.MY_PORT),
                "DB_USER", DatabaseRestoreIT.MY_USER, "MYSQL_PWD", DatabaseRestoreIT.MY_PASSWORD, "TARGET_DB", target));
        String out = RunbookBlocks.succeed("mariadb", v, tmp.resolve("work-my"));

        assertThat(Tools.lines(out)).singleElement().asString().startsWith("-- Dump completed on ");
        assertThat(myCounts(target)).hasSize(3).isEqualTo(renamed(myCounts(source), source, target))
                .containsEntry(target + ".items", 2345L).containsEntry(target + ".customers", 123L);
        assertThat(myCounts(source)).as("the dump names no database: the source is untouched")
                .containsEntry(source + ".items", 2345L);
    }

    private static Map<String, Long> renamed(Map<String, Long> counts, String from, String to) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, n) -> out.put(to + k.substring(from.length()), n));
        return out;
    }
}
