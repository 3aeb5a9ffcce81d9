package io.backroute.dump;

import static io.backroute.dump.TestServers.MY_HOST;
import static io.backroute.dump.TestServers.MY_PASSWORD;
import static io.backroute.dump.TestServers.MY_PORT;
import static io.backroute.dump.TestServers.MY_USER;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Proves MariaDbSource dumps restore with the mariadb client to identical tables, and that every fault fails loudly without leaking the password. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbSourceIT {

    private final String dbA = TestServers.uniqueName("br_my_a");
    private final String dbB = TestServers.uniqueName("br_my_b");
    private final List<String> createdDatabases = new ArrayList<>();
    private String serverSeries;

    @TempDir
    Path tmp;

    @BeforeAll
    void createSourceDatabases() throws Exception {
        TestServers.assumeMariaDb();
        createDatabase(dbA);
        createDatabase(dbB);
        try (Connection c = TestServers.mariadb(dbA); Statement st = c.createStatement()) {
            st.execute("create table orders (id bigint primary key, customer varchar(64) not null, amount decimal(12,2),"
                    + " created datetime, note text)");
            st.execute("insert into orders select seq, concat('customer ', seq % 977), (seq * 13 % 100000) / 100,"
                    + " timestampadd(minute, seq, '2024-01-01'),"
                    + " if(seq % 7 = 0, concat('Grüße — naïve café ✓ 日本語 🎉 ', seq), null) from seq_1_to_50000");
            st.execute("create table blobs (id int primary key, payload longblob not null)");
            st.execute("insert into blobs select seq, concat(unhex(md5(seq)), unhex(md5(seq * 7)), unhex('00ff00'),"
                    + " cast(convert(repeat('ж', seq % 50) using utf8mb4) as binary)) from seq_1_to_300");
            st.execute("create table audit (id int auto_increment primary key, order_id bigint, at datetime)");
            st.execute("create trigger orders_ai after insert on orders for each row insert into audit (order_id, at) values (new.id, now())");
            st.execute("create view big_orders as select id, amount from orders where amount > 900");
            st.execute("create function order_total(c varchar(64)) returns decimal(20,2) reads sql data"
                    + " return (select coalesce(sum(amount), 0) from orders where customer = c)");
            st.execute("create procedure count_orders(out n bigint) select count(*) into n from orders");
            st.execute("analyze table orders, blobs");
        }
        try (Connection c = TestServers.mariadb(dbB); Statement st = c.createStatement()) {
            st.execute("create table texts (id int auto_increment primary key, t text)");
            st.execute("insert into texts (t) values ('Ελληνικά'), ('emoji 🎉'), ('tab\\tand\\nnewline'), ('quote '' and backslash \\\\'), ('')");
            try (ResultSet rs = st.executeQuery("select version()")) {
                rs.next();
                serverSeries = MariaDbSource.series(rs.getString(1));
            }
        }
    }

    @AfterAll
    void dropDatabases() throws SQLException {
        if (createdDatabases.isEmpty()) {
            return; // skipped: the server was not reachable
        }
        try (Connection c = TestServers.mariadb(null); Statement st = c.createStatement()) {
            for (String d : createdDatabases) {
                st.execute("drop database if exists `" + d + "`");
            }
        }
    }

    @Test
    void everyListedDatabaseRestoresWithTheMariadbClientToIdenticalTables() throws Exception {
        List<DumpUnit> units = MariaDbSource.fromOptions(TestServers.myOptions(dbA + "," + dbB)).units();
        assertThat(units).extracting(DumpUnit::label).containsExactly(dbA, dbB);
        assertThat(units).allSatisfy(u -> {
            assertThat(u.artifactKind()).isEqualTo("sql");
            assertThat(u.sourceKind()).isEqualTo("mariadb");
            assertThat(u.details()).containsKeys("serverVersion", "toolVersion", "tables", "estimatedRows");
            assertThat(((MariaDbSource.Unit) u).command()).noneMatch(a -> a.contains(MY_PASSWORD));
        });
        assertThat(units.get(0).details()).containsEntry("tables", 3);
        assertThat((Long) units.get(0).details().get("estimatedRows")).isGreaterThan(40_000L);

        for (DumpUnit unit : units) {
            Path file = dumpToFile(unit, unit.label() + ".sql");
            assertThat(((MariaDbSource.Unit) unit).bytesWritten()).isEqualTo(Files.size(file));
            assertThat(leftoverCredentialDirs()).isEmpty();

            String restored = TestServers.uniqueName("br_my_restored");
            createDatabase(restored);
            TestServers.tool(List.of("mariadb", "--host=" + MY_HOST, "--port=" + MY_PORT, "--user=" + MY_USER,
                    "--default-character-set=utf8mb4", restored), Map.of("MYSQL_PWD", MY_PASSWORD), file, tmp);
            assertThat(tableChecksums(restored)).isEqualTo(tableChecksums(unit.label())).isNotEmpty();
            if (unit.label().equals(dbA)) {
                assertThat(query(restored, "select count(*) from big_orders")).isEqualTo(query(dbA, "select count(*) from big_orders"));
                assertThat(query(restored, "select order_total('customer 5')")).isEqualTo(query(dbA, "select order_total('customer 5')"));
                assertThat(query(restored, "select count(*) from information_schema.routines where routine_schema = database()")).isEqualTo("2");
                assertThat(query(restored, "select count(*) from information_schema.triggers where trigger_schema = database()")).isEqualTo("1");
            }
        }
    }

    @Test
    void tableFiltersAndSwitchedOffOptionsShapeTheDump() throws Exception {
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("excludeTables", "blobs,audit");
        o.put("routines", "false");
        o.put("triggers", "false");
        DumpUnit unit = MariaDbSource.fromOptions(o).units().get(0);
        Path file = dumpToFile(unit, "filtered.sql");
        String restored = TestServers.uniqueName("br_my_filtered");
        createDatabase(restored);
        TestServers.tool(List.of("mariadb", "--host=" + MY_HOST, "--port=" + MY_PORT, "--user=" + MY_USER, restored),
                Map.of("MYSQL_PWD", MY_PASSWORD), file, tmp);
        Map<String, String> expected = tableChecksums(dbA);
        expected.keySet().retainAll(List.of("orders"));
        assertThat(tableChecksums(restored)).isEqualTo(expected);
        assertThat(query(restored, "select count(*) from information_schema.routines where routine_schema = database()")).isEqualTo("0");
    }

    @Test
    void databaseAllPlansUserDatabasesButNotServerInternalSchemas() {
        MariaDbSource src = MariaDbSource.fromOptions(TestServers.myOptions("all"));
        assertThat(src.units()).extracting(DumpUnit::label).contains(dbA, dbB)
                .doesNotContain("information_schema", "performance_schema", "sys");
        assertThat(src.doctor()).allMatch(l -> l.startsWith("OK: ")).anyMatch(l -> l.startsWith("OK: database " + dbA + ": 3 tables"));
    }

    @Test
    void wrongPasswordFailsPreflightWithoutRevealingIt() {
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("password", "Wrong-Pw-4711");
        assertThatThrownBy(() -> MariaDbSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("cannot connect to MariaDB/MySQL at " + MY_HOST + ":" + MY_PORT + " as " + MY_USER + ": access denied")
                .hasMessageNotContaining("Wrong-Pw-4711")
                .satisfies(e -> assertThat(((BackupException) e).stage()).isEqualTo("preflight"));
    }

    @Test
    void unknownDatabaseFailsPreflightNamingIt() {
        String missing = TestServers.uniqueName("br_missing");
        assertThatThrownBy(() -> MariaDbSource.fromOptions(TestServers.myOptions(dbA + "," + missing)).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("database \"" + missing + "\" does not exist on MariaDB at " + MY_HOST + ":" + MY_PORT)
                .hasMessageNotContaining(MY_PASSWORD);
    }

    @Test
    void serverDownFailsPreflightNamingHostAndPort() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("port", Integer.toString(closedPort));
        assertThatThrownBy(() -> MariaDbSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("cannot connect to MariaDB/MySQL at " + MY_HOST + ":" + closedPort + " (server down or unreachable?)")
                .hasMessageNotContaining(MY_PASSWORD);
    }

    @Test
    void dumpBlockedByATableLockTimesOutAndLeavesNoProcessBehind() throws Exception {
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("timeout", "3s");
        DumpUnit unit = MariaDbSource.fromOptions(o).units().get(0);
        try (Connection locker = TestServers.mariadb(dbA); Statement st = locker.createStatement()) {
            st.execute("lock tables orders write");
            assertThatThrownBy(() -> unit.writeTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(BackupException.class)
                    .hasMessageContaining("of database \"" + dbA + "\" timed out after 3s")
                    .hasMessageNotContaining(MY_PASSWORD);
            assertThat(TestServers.childProcessesNamed("mariadb-dump")).isEmpty();
            st.execute("unlock tables");
        }
        assertThat(leftoverCredentialDirs()).isEmpty();
    }

    @Test
    void clientOlderThanServerFailsWithOneMessageNamingBothVersionsAndTheFix() throws Exception {
        Path dir = tmp.resolve("old-client");
        TestServers.stubTool(dir, "mariadb-dump", "echo 'mariadb-dump  Ver 10.17 Distrib 10.3.39-MariaDB, for debian-linux-gnu (x86_64)'");
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("clientDir", dir.toString());
        assertThatThrownBy(() -> MariaDbSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("mariadb-dump 10.3.39")
                .hasMessageContaining("is older than the server, MariaDB " + serverSeries)
                .hasMessageContaining("install mariadb-client " + serverSeries + " or newer");
    }

    @Test
    void missingClientBinaryFailsNamingTheDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty-client"));
        Map<String, String> o = TestServers.myOptions(dbA);
        o.put("clientDir", dir.toString());
        assertThatThrownBy(() -> MariaDbSource.fromOptions(o).units())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("mariadb-dump/mysqldump not found in clientDir " + dir);
    }

    @Test
    void dumpWithoutCompletionTrailerIsRejectedAsTruncated() throws Exception {
        Path dir = tmp.resolve("truncating-client");
        TestServers.stubTool(dir, "mysqldump", "if [ \"$1\" = --version ]; then echo 'mysqldump  Ver 10.19 Distrib 99.1.0-MariaDB, for debian-linux-gnu'; "
                + "else printf -- '-- MariaDB dump\\nCREATE TABLE t (id int);\\nINSERT INTO t VALUES (1'; fi");
        Map<String, String> o = TestServers.myOptions(dbB);
        o.put("clientDir", dir.toString());
        DumpUnit unit = MariaDbSource.fromOptions(o).units().get(0);
        assertThatThrownBy(() -> unit.writeTo(OutputStream.nullOutputStream()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("mysqldump of database \"" + dbB + "\": output does not end with \"-- Dump completed\"");
    }

    private Path dumpToFile(DumpUnit unit, String name) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            unit.writeTo(out);
        }
        return file;
    }

    private void createDatabase(String name) throws SQLException {
        try (Connection c = TestServers.mariadb(null); Statement st = c.createStatement()) {
            st.execute("create database `" + name + "` character set utf8mb4 collate utf8mb4_unicode_ci");
        }
        createdDatabases.add(name);
    }

    private static String query(String database, String sql) throws SQLException {
        try (Connection c = TestServers.mariadb(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** table → "rows:CHECKSUM TABLE". */
    private static Map<String, String> tableChecksums(String database) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = TestServers.mariadb(database); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select table_name from information_schema.tables"
                    + " where table_schema = database() and table_type = 'BASE TABLE'")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) {
                String count = query(c, "select count(*) from `" + t + "`", 1);
                String sum = query(c, "checksum table `" + t + "`", 2);
                out.put(t, count + ":" + sum);
            }
        }
        return out;
    }

    private static String query(Connection c, String sql, int column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(column);
        }
    }

    private static List<Path> leftoverCredentialDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("backroute-mariadb-")).toList();
        }
    }
}
