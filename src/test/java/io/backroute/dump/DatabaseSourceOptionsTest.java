package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the database sources accept any option strings, report each problem once with a fix, and never echo a password. */
class DatabaseSourceOptionsTest {

    @TempDir
    Path tmp;

    private static List<String> problems(io.backroute.dump.Source s) {
        List<String> p = new ArrayList<>();
        s.validate(p);
        return p;
    }

    @Test
    void validPostgresOptionsHaveNoProblems() {
        Map<String, String> o = Map.of("host", "db1", "port", "5433", "database", "orders,billing", "user", "backup",
                "password", "pw", "format", "plain", "extraArgs", "--no-owner --lock-wait-timeout=10s", "timeout", "2h",
                "minSize", "1024", "sslmode", "require");
        PostgresSource s = PostgresSource.fromOptions(o);
        assertThat(problems(s)).isEmpty();
        assertThat(s.kind()).isEqualTo("postgresql");
        assertThat(s.timeout()).hasHours(2);
        assertThat(s.minSize()).isEqualTo(1024);
    }

    @Test
    void everyBadPostgresOptionIsReportedWithoutThrowingAndWithoutThePassword() {
        Map<String, String> o = new HashMap<>();
        o.put("port", "54x");
        o.put("user", "backup");
        o.put("password", "Top-Secret-9");
        o.put("passwordFile", tmp.resolve("missing").toString());
        o.put("format", "tar");
        o.put("sslmode", "maybe");
        o.put("extraArgs", "--no-owner --file=/etc/passwd");
        o.put("timeout", "soon");
        o.put("minSize", "-1");
        o.put("globals", "yes");
        o.put("clientDir", tmp.resolve("nowhere").toString());
        o.put("hostname", "typo");
        PostgresSource s = PostgresSource.fromOptions(o);
        List<String> p = problems(s);
        assertThat(p).hasSize(12).allMatch(l -> l.startsWith("postgresql option ")).noneMatch(l -> l.contains("Top-Secret-9"));
        assertThat(p).anyMatch(l -> l.startsWith("postgresql option hostname: unknown option; valid options are"))
                .anyMatch(l -> l.startsWith("postgresql option database: missing"))
                .anyMatch(l -> l.contains("'--file=/etc/passwd' is not allowed"))
                .anyMatch(l -> l.contains("port: '54x' is not a TCP port"))
                .anyMatch(l -> l.contains("both are set"))
                .anyMatch(l -> l.contains("timeout: 'soon' is not a duration"));
        assertThatThrownBy(s::units).isInstanceOf(BackupException.class)
                .hasMessageStartingWith("invalid postgresql source options: ")
                .hasMessageNotContaining("Top-Secret-9")
                .satisfies(e -> assertThat(((BackupException) e).stage()).isEqualTo("preflight"));
        assertThat(s.doctor()).hasSize(12).allMatch(l -> l.startsWith("PROBLEM: "));
    }

    @Test
    void globalsDefaultsToTrueOnlyForAllDatabases() throws Exception {
        assertThat(problems(PostgresSource.fromOptions(Map.of("database", "all", "user", "u")))).isEmpty();
        assertThat(PostgresSource.fromOptions(null).kind()).isEqualTo("postgresql");
        assertThat(problems(PostgresSource.fromOptions(null))).hasSize(2);
    }

    @Test
    void pgpassLookupHonoursWildcardsAndEscapes() throws Exception {
        Path f = tmp.resolve("pgpass");
        Files.writeString(f, "# comment\nother:5432:*:u:wrong\ndb1:*:*:u:" + PostgresSource.Pgpass.escape("a:b\\c") + "\n");
        assertThat(PostgresSource.Pgpass.lookup(f, "db1", 5433, "orders", "u")).isEqualTo("a:b\\c");
        assertThat(PostgresSource.Pgpass.lookup(f, "db2", 5432, "orders", "u")).isNull();
    }

    @Test
    void postgresVersionsCompareByMajor() {
        assertThat(PostgresSource.versionNum("15.4")).isEqualTo(150004);
        assertThat(PostgresSource.versionNum("9.6.24")).isEqualTo(90624);
        assertThat(PostgresSource.majorKey(150018)).isGreaterThan(PostgresSource.majorKey(110000));
        assertThat(PostgresSource.majorKey(150000)).isEqualTo(PostgresSource.majorKey(150018));
        assertThat(PostgresSource.majorLabel(90624)).isEqualTo("9.6");
        assertThat(PostgresSource.majorLabel(160002)).isEqualTo("16");
    }

    @Test
    void everyBadMariaDbOptionIsReportedWithoutThePassword() {
        Map<String, String> o = new HashMap<>();
        o.put("database", "a,b");
        o.put("password", "Top-Secret-9");
        o.put("tables", "t1");
        o.put("routines", "sometimes");
        o.put("port", "0");
        o.put("format", "custom");
        List<String> p = problems(MariaDbSource.fromOptions(o));
        assertThat(p).hasSize(5).noneMatch(l -> l.contains("Top-Secret-9"));
        assertThat(p).anyMatch(l -> l.equals("mariadb option user: missing; set user=<user>"))
                .anyMatch(l -> l.contains("tables: only works with exactly one database"))
                .anyMatch(l -> l.contains("routines: 'sometimes' is not a boolean"))
                .anyMatch(l -> l.contains("format: unknown option"));
        assertThat(problems(MariaDbSource.fromOptions(Map.of("database", "shop", "user", "u", "tables", "orders", "events", "false")))).isEmpty();
    }

    @Test
    void mariaDbClientVersionsAreReadFromEveryKnownBanner() {
        assertThat(MariaDbSource.clientVersion("mariadb-dump  Ver 10.19 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)")).isEqualTo("10.11.6");
        assertThat(MariaDbSource.clientVersion("mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)")).isEqualTo("11.4.2");
        assertThat(MariaDbSource.clientVersion("mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)")).isEqualTo("8.0.36");
        assertThat(MariaDbSource.seriesKey("10.11.19-MariaDB-0+deb12u1")).isGreaterThan(MariaDbSource.seriesKey("10.6.2"));
        assertThat(MariaDbSource.series("10.11.19-MariaDB-0+deb12u1")).isEqualTo("10.11");
    }

    @Test
    void optionFileValuesAreQuotedAndEscaped() {
        assertThat(MariaDbSource.optionFileValue("p\"w\\x#;")).isEqualTo("\"p\\\"w\\\\x#;\"");
    }
}
