package io.backroute.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.BackrouteService;
import io.backroute.catalog.Manifest;
import io.backroute.catalog.ManifestJson;
import io.backroute.catalog.RunRecord;
import io.backroute.catalog.RunStatus;
import io.backroute.testsupport.Tools;
import io.backroute.testsupport.Workspace;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves PostgreSQL and MariaDB jobs end to end against real servers: dump → zstd → OpenPGP → local, restored with gpg, zstd, pg_restore and mariadb, same rows; bad credentials and databases fail cleanly without leaking the password. */
class DatabaseJobIT {

    @TempDir
    Path tmp;

    private Workspace workspace(String job, Map<String, String> options) throws Exception {
        Workspace ws = new Workspace(tmp, "file:src/test/resources/routes/" + job + ".camel.yaml");
        options.forEach((k, v) -> ws.set("jobs." + job + "." + k, v));
        return ws;
    }

    @Test
    void postgresqlJobRestoresWithPgRestoreToTheSameRows() throws Exception {
        TestServers.assumePostgres();
        String db = TestServers.uniqueName("br_job");
        String restored = db + "_restored";
        try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try {
            try (Connection c = TestServers.pg(db); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA sales");
                st.execute("CREATE TABLE sales.orders(id int primary key, customer text, total numeric(10,2), note text)");
                st.execute("INSERT INTO sales.orders SELECT g, 'kunde-' || g || ' ünïcødé', g * 1.5, repeat('x', g % 50) FROM generate_series(1, 20000) g");
                st.execute("CREATE TABLE public.blobs(id int primary key, data bytea)");
                st.execute("INSERT INTO public.blobs SELECT g, decode(md5(g::text) || md5((g*7)::text), 'hex') FROM generate_series(1, 500) g");
                st.execute("CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100");
                st.execute("ANALYZE");
            }
            Workspace ws = workspace("pgjob", Map.of("host", TestServers.PG_HOST, "port", String.valueOf(TestServers.PG_PORT),
                    "database", db, "user", TestServers.PG_USER, "password", TestServers.PG_PASSWORD));
            RunRecord run;
            try (BackrouteService s = ws.service()) {
                s.start();
                run = s.runtime().runNow("pgjob", "test");
            }
            assertThat(run.status()).as("error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            Path artifact = ws.backups.resolve(run.destinations().get(0).artifacts().get(0));
            assertThat(artifact.getFileName().toString()).endsWith("." + db + ".pgdump.zst.gpg");
            Manifest m = manifest(artifact);
            assertThat(m.source()).containsKeys("serverVersion", "toolVersion", "tableRows");
            assertThat(m.tools()).containsKey("pg_dump");
            assertThat(Files.readString(artifact.resolveSibling(artifact.getFileName() + Manifest.SUFFIX)))
                    .doesNotContain(TestServers.PG_PASSWORD);

            Map<String, String> env = new LinkedHashMap<>(Tools.gpgHomeWith(tmp.resolve("gnupg"), ws.keys.resolve("demo-secret.asc")));
            env.putAll(Map.of("PGHOST", TestServers.PG_HOST, "PGPORT", String.valueOf(TestServers.PG_PORT),
                    "PGUSER", TestServers.PG_USER, "PGPASSWORD", TestServers.PG_PASSWORD));
            Tools.bash(env, tmp, "createdb " + restored + " && gpg --batch --decrypt " + artifact
                    + " | zstd -d | pg_restore --no-owner -d " + restored);
            String q = "SELECT (SELECT count(*) FROM sales.orders) || ':' || (SELECT md5(string_agg(id || customer || total || note, ',' ORDER BY id)) FROM sales.orders)"
                    + " || ':' || (SELECT md5(string_agg(encode(data, 'hex'), ',' ORDER BY id)) FROM public.blobs) || ':' || (SELECT count(*) FROM sales.big_orders)";
            assertThat(single(TestServers.pg(restored), q)).isEqualTo(single(TestServers.pg(db), q)).startsWith("20000:");
        } finally {
            try (Connection c = TestServers.pg("postgres"); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    @Test
    void wrongPasswordAndUnknownDatabaseFailWithoutLeakingThePassword() throws Exception {
        TestServers.assumePostgres();
        String secret = "not-the-Right-pw-4711";
        Workspace ws = workspace("pgjob", Map.of("host", TestServers.PG_HOST, "port", String.valueOf(TestServers.PG_PORT),
                "database", "postgres", "user", TestServers.PG_USER, "password", secret));
        try (BackrouteService s = ws.service()) {
            s.start();
            RunRecord r = s.runtime().runNow("pgjob", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).containsIgnoringCase("password").doesNotContain(secret);
        }
        Workspace ws2 = workspace("pgjob", Map.of("host", TestServers.PG_HOST, "port", String.valueOf(TestServers.PG_PORT),
                "database", "no_such_db_42", "user", TestServers.PG_USER, "password", TestServers.PG_PASSWORD));
        try (BackrouteService s = ws2.service()) {
            s.start();
            RunRecord r = s.runtime().runNow("pgjob", "test");
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.error()).contains("no_such_db_42").doesNotContain(TestServers.PG_PASSWORD);
        }
        assertThat(ws.backups.resolve("pgjob")).doesNotExist();
        try (Stream<Path> st = Files.walk(ws.root.resolve("data/staging"))) {
            assertThat(st.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void mariadbJobRestoresWithTheMariadbClientToTheSameRows() throws Exception {
        TestServers.assumeMariaDb();
        String db = TestServers.uniqueName("br_job");
        String restored = db + "_restored";
        try (Connection c = TestServers.mariadb(null); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
        }
        try {
            try (Connection c = TestServers.mariadb(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders(id int primary key, customer varchar(100), total decimal(10,2), data blob)");
                st.execute("INSERT INTO orders SELECT seq, CONCAT('kunde-', seq, ' ünïcødé'), seq * 1.5, UNHEX(MD5(seq)) FROM seq_1_to_20000");
                st.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100");
            }
            Workspace ws = workspace("mariadbjob", Map.of("host", TestServers.MY_HOST, "port", String.valueOf(TestServers.MY_PORT),
                    "database", db, "user", TestServers.MY_USER, "password", TestServers.MY_PASSWORD));
            RunRecord run;
            try (BackrouteService s = ws.service()) {
                s.start();
                run = s.runtime().runNow("mariadbjob", "test");
            }
            assertThat(run.status()).as("error: %s", run.error()).isEqualTo(RunStatus.SUCCESS);
            Path artifact = ws.backups.resolve(run.destinations().get(0).artifacts().get(0));
            assertThat(artifact.getFileName().toString()).endsWith("." + db + ".sql.zst.gpg");

            Map<String, String> env = new LinkedHashMap<>(Tools.gpgHomeWith(tmp.resolve("gnupg"), ws.keys.resolve("demo-secret.asc")));
            env.put("MYSQL_PWD", TestServers.MY_PASSWORD);
            String conn = "-h " + TestServers.MY_HOST + " -P " + TestServers.MY_PORT + " -u " + TestServers.MY_USER;
            Tools.bash(env, tmp, "mariadb " + conn + " -e 'CREATE DATABASE " + restored + "' && gpg --batch --decrypt " + artifact
                    + " | zstd -d | mariadb " + conn + " " + restored);
            String q = "SELECT CONCAT((SELECT COUNT(*) FROM orders), ':', (SELECT MD5(GROUP_CONCAT(id, customer, total, HEX(data) ORDER BY id SEPARATOR ',')) FROM orders), ':', (SELECT COUNT(*) FROM big_orders))";
            try (Connection c = TestServers.mariadb(db); Statement st = c.createStatement()) {
                st.execute("SET SESSION group_concat_max_len = 100000000");
                String source = single(st, q);
                try (Connection c2 = TestServers.mariadb(restored); Statement st2 = c2.createStatement()) {
                    st2.execute("SET SESSION group_concat_max_len = 100000000");
                    assertThat(single(st2, q)).isEqualTo(source).startsWith("20000:");
                }
            }
        } finally {
            try (Connection c = TestServers.mariadb(null); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + restored);
                st.execute("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    @Test
    void doctorReportsServerAndClientVersionsAndFailsOnBadCredentials() throws Exception {
        TestServers.assumePostgres();
        Workspace ws = workspace("pgjob", Map.of("host", TestServers.PG_HOST, "port", String.valueOf(TestServers.PG_PORT),
                "database", "postgres", "user", TestServers.PG_USER, "password", TestServers.PG_PASSWORD));
        java.io.StringWriter out = new java.io.StringWriter();
        int ok = io.backroute.cli.BackrouteCli.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                "--config", ws.writeConfig().toString(), "doctor", "pgjob");
        assertThat(ok).as(out.toString()).isZero();
        assertThat(out.toString()).contains("pgjob-dump").contains("OK").contains("pg_dump");

        ws.set("jobs.pgjob.password", "wrong-Pw-0815");
        java.io.StringWriter bad = new java.io.StringWriter();
        int failed = io.backroute.cli.BackrouteCli.execute(new java.io.PrintWriter(bad, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
                "--config", ws.writeConfig().toString(), "doctor", "pgjob");
        assertThat(failed).isEqualTo(1);
        assertThat(bad.toString()).contains("PROBLEM").doesNotContain("wrong-Pw-0815");
    }

    private static Manifest manifest(Path artifact) throws Exception {
        try (InputStream in = Files.newInputStream(artifact.resolveSibling(artifact.getFileName() + Manifest.SUFFIX))) {
            return ManifestJson.read(in, artifact.toString());
        }
    }

    private static String single(Connection c, String sql) throws Exception {
        try (c; Statement st = c.createStatement()) {
            return single(st, sql);
        }
    }

    private static String single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

}
