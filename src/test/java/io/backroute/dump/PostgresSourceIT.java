package io.backroute.dump;

import static io.backroute.dump.TestServers.PG_HOST;
import static io.backroute.dump.TestServers.PG_PASSWORD;
import static io.backroute.dump.TestServers.PG_PORT;
import static io.backroute.dump.TestServers.PG_USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves PostgresSource dumps restore with pg_restore/psql to identical tables, and that every fault fails loudly without leaking the password. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSourceIT {

    private final String db = TestServers.uniqueName("br_pg");
    private final String role = TestServers.uniqueName("br_role");
    private final List<String> createdDatabases = new ArrayList<>();
    private int serverMajor;

    @TempDir
    Path tmp;

    @BeforeAll
    void createSourceDatabase() throws Exception {
        TestServers.assumePostgres();
        createDatabase(db);
        try (Connection c = TestServers.pg(db); Statement st = c.createStatement()) {
            st.execute("create schema sales");
            st.execute("create schema archive");
            st.execute("create table sales.orders (id bigint primary key, customer text not null, amount numeric(12,2),"
                    + " created timestamptz, note text)");
            st.execute("insert into sales.orders select g, 'customer ' || (g % 977), (g * 13 % 100000) / 100.0,"
                    + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',"
                    + " case when g % 7 = 0 then 'Grüße — naïve café ✓ 日本語 🎉 ' || g end from generate_series(1, 50000) g");
            st.execute("create table archive.blobs (id int primary key, payload bytea not null)");
            st.execute("insert into archive.blobs select g, decode(md5(g::text) || md5((g * 7)::text), 'hex')"
                    + " || convert_to(repeat('ж', g % 50), 'UTF8') || '\\x00ff00'::bytea from generate_series(1, 300) g");
            st.execute("create table public.texts (id serial primary key, t text)");
            st.execute("insert into public.texts (t) values ('Ελληνικά'), ('emoji 🎉'), (E'tab\\tand\\nnewline'),"
                    + " ('quote '' and backslash \\'), ('')");
            st.execute("create view sales.big_orders as select id, amount from sales.orders where amount > 900");
            st.execute("create function sales.order_total(c text) returns numeric language sql stable"
                    + " as $$ select coalesce(sum(amount), 0) from sales.orders where customer = c $$");
            st.execute("create role " + role + " nologin");
            st.execute("analyze");
            try (ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000")) {
                rs.next();
                serverMajor = rs.getInt(1);
            }
        }
    }

    @AfterAll
    void dropDatabases() throws SQLException {
        if (createdDatabases.isEmpty()) {
            return; // skipped: the server was not reachable
        }
        try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
            for (String d : createdDatabases) {
                st.execute("drop database if exists " + d + " with (force)");
            }
            st.execute("drop role if exists " + role);
        }
    }

    @Test
    void customFormatDumpRestoresWithPgRestoreToIdenticalTables() throws Exception {
        List<DumpUnit> units = PostgresSource.fromOptions(TestServers.pgOptions(db)).units();

        assertThat(units).singleElement().satisfies(u -> {
            assertThat(u.label()).isEqualTo(db);
            assertThat(u.artifactKind()).isEqualTo("pgdump");
            assertThat(u.sourceKind()).isEqualTo("postgresql");
            assertThat(u.details()).containsEntry("database", db).containsEntry("format", "custom")
                    .containsEntry("tables", 3).containsEntry("tool", "pg_dump")
                    .containsKeys("serverVersion", "toolVersion");
            assertThat((Long) u.details().get("estimatedRows")).isGreaterThanOrEqualTo(50_000L);
            assertThat(u.details().toString()).doesNotContain(PG_PASSWORD);
        });
        PostgresSource.Unit unit = (PostgresSource.Unit) units.get(0);
        assertThat(String.join(" ", unit.command())).doesNotContain(PG_PASSWORD);

        Path file = dumpToFile(unit, "custom.pgdump");
        assertThat(unit.bytesWritten()).isEqualTo(Files.size(file)).isGreaterThan(1_000_000L);
        assertThat(unit.details()).containsEntry("bytes", Files.size(file)).containsEntry("exitCode", 0);
        assertThat(leftoverCredentialDirs()).isEmpty();

        String restored = TestServers.uniqueName("br_pg_restored");
        createDatabase(restored);
        TestServers.tool(List.of("pg_restore", "--exit-on-error", "--no-owner", "-h", PG_HOST, "-p", Integer.toString(PG_PORT),
                "-U", PG_USER, "-d", restored, file.toString()), Map.of("PGPASSWORD", PG_PASSWORD), null, tmp);

        assertThat(tableChecksums(restored)).isEqualTo(tableChecksums(db)).hasSize(3);
        assertThat(query(restored, "select count(*) from sales.big_orders")).isEqualTo(query(db, "select count(*) from sales.big_orders"));
        assertThat(query(restored, "select sales.order_total('customer 5')")).isEqualTo(query(db, "select sales.order_total('customer 5')"));
    }

    @Test
    void plainFormatWithSchemaFilterRestoresWithPsql() throws Exception {
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("format", "plain");
        o.put("schemas", "sales");
        o.put("extraArgs", "--no-owner --no-privileges");
        DumpUnit unit = PostgresSource.fromOptions(o).units().get(0);
        assertThat(unit.artifactKind()).isEqualTo("sql");

        Path file = dumpToFile(unit, "plain.sql");
        String restored = TestServers.uniqueName("br_pg_plain");
        createDatabase(restored);
        TestServers.tool(List.of("psql", "-v", "ON_ERROR_STOP=1", "-q", "-h", PG_HOST, "-p", Integer.toString(PG_PORT),
                "-U", PG_USER, "-d", restored, "-f", file.toString()), Map.of("PGPASSWORD", PG_PASSWORD), null, tmp);

        Map<String, String> source = tableChecksums(db);
        source.keySet().removeIf(t -> !t.startsWith("sales."));
        assertThat(tableChecksums(restored)).isEqualTo(source).containsOnlyKeys("sales.orders");
    }

    @Test
    void globalsUnitRestoresADroppedRoleWithPsql() throws Exception {
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("globals", "true");
        List<DumpUnit> units = PostgresSource.fromOptions(o).units();
        assertThat(units).extracting(DumpUnit::label).containsExactly(db, "globals");
        DumpUnit globals = units.get(1);
        assertThat(globals.artifactKind()).isEqualTo("sql");
        assertThat(globals.details()).containsEntry("tool", "pg_dumpall");

        Path file = dumpToFile(globals, "globals.sql");
        assertThat(Files.readString(file)).contains("CREATE ROLE " + role);

        try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
            st.execute("drop role " + role);
        }
        // Existing roles make psql report "already exists" (without ON_ERROR_STOP it carries on and exits 0).
        TestServers.tool(List.of("psql", "-q", "-h", PG_HOST, "-p", Integer.toString(PG_PORT), "-U", PG_USER, "-d", "postgres",
                "-f", file.toString()), Map.of("PGPASSWORD", PG_PASSWORD), null, tmp);
        assertThat(query("postgres", "select count(*) from pg_roles where rolname = '" + role + "'")).isEqualTo("1");
    }

    @Test
    void databaseAllPlansEveryConnectableDatabaseAndTheGlobals() {
        PostgresSource src = PostgresSource.fromOptions(TestServers.pgOptions("all"));
        List<DumpUnit> units = src.units();
        assertThat(units).extracting(DumpUnit::label).contains(db, "postgres", "globals").doesNotContain("template0", "template1");
        assertThat(units.get(units.size() - 1).label()).isEqualTo("globals");
        assertThat(src.doctor()).allMatch(l -> l.startsWith("OK: ")).anyMatch(l -> l.startsWith("OK: database " + db + ": 3 tables"));
    }

    @Test
    void passwordFileInPgpassFormatIsUsedForPreflightAndDump() throws Exception {
        Path pgpass = tmp.resolve("pgpass");
        Files.writeString(pgpass, "otherhost:*:*:*:nope\n" + PG_HOST + ":" + PG_PORT + ":*:" + PG_USER + ":"
                + PostgresSource.Pgpass.escape(PG_PASSWORD) + "\n");
        Files.setPosixFilePermissions(pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Map<String, String> o = TestServers.pgOptions(db);
        o.remove("password");
        o.put("passwordFile", pgpass.toString());
        o.put("tables", "public.texts");
        DumpUnit unit = PostgresSource.fromOptions(o).units().get(0);
        Path file = dumpToFile(unit, "texts.pgdump");
        String listing = TestServers.tool(List.of("pg_restore", "--list", file.toString()), Map.of(), null, tmp);
        assertThat(listing).contains("TABLE public texts").doesNotContain("sales orders");
    }

    @Test
    void wrongPasswordFailsPreflightWithoutRevealingIt() {
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("password", "Wrong-Pw-4711");
        assertThatThrownBy(() -> PostgresSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at " + PG_HOST + ":" + PG_PORT + " as " + PG_USER)
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("Wrong-Pw-4711")
                .satisfies(e -> assertThat(((BackupException) e).stage()).isEqualTo("preflight"));
    }

    @Test
    void unknownDatabaseFailsPreflightNamingIt() {
        String missing = TestServers.uniqueName("br_missing");
        assertThatThrownBy(() -> PostgresSource.fromOptions(TestServers.pgOptions(missing)).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("database \"" + missing + "\" does not exist")
                .hasMessageNotContaining(PG_PASSWORD);
        assertThatThrownBy(() -> PostgresSource.fromOptions(TestServers.pgOptions(db + "," + missing)).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("database \"" + missing + "\" does not exist");
    }

    @Test
    void serverDownFailsPreflightNamingHostAndPort() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("port", Integer.toString(closedPort));
        PostgresSource src = PostgresSource.fromOptions(o);
        assertThatThrownBy(src::units)
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at " + PG_HOST + ":" + closedPort + " (server down or unreachable?)")
                .hasMessageNotContaining(PG_PASSWORD);
        assertThat(src.doctor()).singleElement().asString().startsWith("PROBLEM: cannot connect");
    }

    @Test
    void pgDumpKilledMidDumpFailsWithItsExitCode() throws Exception {
        DumpUnit unit = PostgresSource.fromOptions(TestServers.pgOptions(db)).units().get(0);
        OutputStream killer = new OutputStream() {
            long seen;
            boolean killed;
            @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) {
                seen += len;
                if (!killed && seen >= 256 * 1024) {
                    killed = true;
                    CompletableFuture.runAsync(() -> {
                        List<ProcessHandle> dumps = TestServers.childProcessesNamed("pg_dump");
                        assertThat(dumps).isNotEmpty();
                        dumps.forEach(ProcessHandle::destroyForcibly);
                        dumps.forEach(h -> h.onExit().join());
                    }).join();
                }
            }
        };
        assertThatThrownBy(() -> unit.writeTo(killer))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("pg_dump of database \"" + db + "\" failed with exit code 137 (killed by signal 9)")
                .hasMessageNotContaining(PG_PASSWORD);
        assertThat(leftoverCredentialDirs()).isEmpty();
    }

    @Test
    void dumpBlockedByALockTimesOutAndLeavesNoProcessBehind() throws Exception {
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("timeout", "3s");
        DumpUnit unit = PostgresSource.fromOptions(o).units().get(0);
        try (Connection locker = TestServers.pg(db); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("lock table sales.orders in access exclusive mode");
            assertThatThrownBy(() -> unit.writeTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(BackupException.class)
                    .hasMessageContaining("pg_dump of database \"" + db + "\" timed out after 3s")
                    .hasMessageNotContaining(PG_PASSWORD);
            assertThat(TestServers.childProcessesNamed("pg_dump")).isEmpty();
            locker.rollback();
        }
    }

    @Test
    void clientOlderThanServerFailsWithOneMessageNamingBothVersionsAndTheFix() throws Exception {
        Path dir = tmp.resolve("old-client");
        TestServers.stubTool(dir, "pg_dump", "echo 'pg_dump (PostgreSQL) 11.0'");
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("clientDir", dir.toString());
        assertThatThrownBy(() -> PostgresSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("pg_dump 11.0")
                .hasMessageContaining("older than the server, PostgreSQL " + serverMajor + ".")
                .hasMessageContaining("install postgresql-client-" + serverMajor + " or set clientDir");
    }

    @Test
    void missingClientBinaryFailsNamingTheDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty-client"));
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("clientDir", dir.toString());
        assertThatThrownBy(() -> PostgresSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("pg_dump not found in clientDir " + dir)
                .hasMessageContaining("install postgresql-client-" + serverMajor);
    }

    @Test
    void outputWithoutPgdmpHeaderOrBelowMinSizeIsRejected() throws Exception {
        Path garbage = tmp.resolve("garbage-client");
        TestServers.stubTool(garbage, "pg_dump", "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.0'; else echo 'not a dump at all'; fi");
        Map<String, String> o = TestServers.pgOptions(db);
        o.put("clientDir", garbage.toString());
        DumpUnit unit = PostgresSource.fromOptions(o).units().get(0);
        assertThatThrownBy(() -> unit.writeTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("does not start with the PGDMP custom-format header");

        Path empty = tmp.resolve("empty-output-client");
        TestServers.stubTool(empty, "pg_dump", "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.0'; fi");
        o.put("clientDir", empty.toString());
        DumpUnit emptyUnit = PostgresSource.fromOptions(o).units().get(0);
        assertThatThrownBy(() -> emptyUnit.writeTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("dump is 0 bytes, below the minimum 1");
    }

    private Path dumpToFile(DumpUnit unit, String name) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            unit.writeTo(out);
        }
        return file;
    }

    private void createDatabase(String name) throws SQLException {
        try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + name + " template template0 encoding 'UTF8'");
        }
        createdDatabases.add(name);
    }

    private static String query(String database, String sql) throws SQLException {
        try (Connection c = TestServers.pg(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** schema.table → "rows:md5 of all rows in text form, ordered". */
    private static Map<String, String> tableChecksums(String database) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = TestServers.pg(database); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select quote_ident(schemaname) || '.' || quote_ident(tablename) from pg_tables"
                    + " where schemaname not in ('pg_catalog', 'information_schema')")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("select count(*) || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), ''))"
                        + " from " + t + " x")) {
                    rs.next();
                    out.put(t, rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Credential dirs created since this class started (a JVM killed earlier may have left its own behind). */
    private static final java.time.Instant CLASS_START = java.time.Instant.now().minusSeconds(1);

    private static List<Path> leftoverCredentialDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("backroute-pg-")).filter(p -> {
                try {
                    return Files.getLastModifiedTime(p).toInstant().isAfter(CLASS_START);
                } catch (IOException e) {
                    return true;
                }
            }).toList();
        }
    }
}
