package io.backroute.dump;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB / MySQL source: one {@code mariadb-dump} (or {@code mysqldump}) SQL stream per database, with a
 * JDBC preflight of versions and tables and a check that every dump reached its "Dump completed" trailer.
 */
public final class MariaDbSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbSource.class);

    public static final String KIND = "mariadb";

    static final Set<String> OPTIONS = Set.of("host", "port", "database", "user", "password", "tables", "excludeTables",
            "singleTransaction", "routines", "triggers", "events", "clientDir", "timeout", "minSize");

    /** Server-internal schemas that cannot or should not be restored elsewhere; {@code mysql} (users, grants) is kept. */
    private static final Set<String> SYSTEM_SCHEMAS = Set.of("information_schema", "performance_schema", "sys");
    private static final int MAX_TABLE_DETAILS = 1000;
    private static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(30);
    private static final String TRAILER = "-- Dump completed";

    private final DbOptions options;
    private final List<String> problems = new ArrayList<>();
    private final String host;
    private final int port;
    private final boolean allDatabases;
    private final List<String> databases;
    private final String user;
    private final String password;
    private final List<String> tables;
    private final List<String> excludeTables;
    private final boolean singleTransaction;
    private final boolean routines;
    private final boolean triggers;
    private final boolean events;
    private final String clientDir;
    private final Duration timeout;
    private final long minSize;

    private MariaDbSource(Map<String, String> raw) {
        options = new DbOptions(KIND, raw);
        options.unknown(OPTIONS, problems);
        host = options.get("host", "localhost");
        port = options.port(3306, problems);
        options.required("database", "<name>, a comma list, or all", problems);
        String db = options.get("database", "");
        allDatabases = db.equalsIgnoreCase("all");
        databases = allDatabases ? List.of() : DbOptions.splitList(db);
        options.required("user", "<user>", problems);
        user = options.get("user");
        password = options.secret("password");
        tables = options.list("tables");
        excludeTables = options.list("excludeTables");
        if (!tables.isEmpty() && databases.size() != 1) {
            problems.add(KIND + " option tables: only works with exactly one database; set database to one name or remove tables");
        }
        singleTransaction = options.bool("singleTransaction", true, problems);
        routines = options.bool("routines", true, problems);
        triggers = options.bool("triggers", true, problems);
        events = options.bool("events", true, problems);
        options.clientDir(problems);
        clientDir = options.get("clientDir");
        timeout = options.duration("timeout", Duration.ofHours(6), problems);
        minSize = options.nonNegativeLong("minSize", 1, problems);
    }

    /** Never throws for bad options: they are kept and reported by {@link #validate(List)}. */
    public static MariaDbSource fromOptions(Map<String, String> options) {
        return new MariaDbSource(options);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(List<String> out) {
        out.addAll(problems);
    }

    public Duration timeout() {
        return timeout;
    }

    public long minSize() {
        return minSize;
    }

    @Override
    public List<DumpUnit> units() {
        if (!problems.isEmpty()) {
            throw new BackupException("preflight", "invalid " + KIND + " source options: " + String.join("; ", problems));
        }
        Preflight pf = preflight();
        List<DumpUnit> units = new ArrayList<>();
        for (String db : pf.databases) {
            units.add(new Unit(this, pf, db));
        }
        return units;
    }

    /** Findings for the {@code doctor} command: "OK: ..." and "PROBLEM: ..." lines; never throws. */
    public List<String> doctor() {
        List<String> out = new ArrayList<>();
        if (!problems.isEmpty()) {
            problems.forEach(p -> out.add("PROBLEM: " + p));
            return out;
        }
        try {
            Preflight pf = preflight();
            out.add("OK: " + flavor(pf.serverVersion) + " " + pf.serverVersion + " at " + where());
            out.add("OK: " + pf.tool.getFileName() + " " + pf.clientVersion + " (" + pf.tool + ")");
            for (String db : pf.databases) {
                DbStats s = pf.stats.get(db);
                out.add("OK: database " + db + ": " + s.tables + " tables, ~" + s.estimatedRows + " rows");
            }
        } catch (BackupException e) {
            out.add("PROBLEM: " + e.getMessage());
        } catch (RuntimeException e) {
            out.add("PROBLEM: " + scrub(String.valueOf(e.getMessage())));
        }
        return out;
    }

    private String where() {
        return host + ":" + port;
    }

    // ---- preflight ------------------------------------------------------------------------------

    private static final class Preflight {
        String serverVersion;
        List<String> databases = new ArrayList<>();
        Map<String, DbStats> stats = new LinkedHashMap<>();
        Path tool;
        String clientVersion;
    }

    private record DbStats(int tables, long estimatedRows, Map<String, Long> tableRows) { }

    private Preflight preflight() {
        Preflight pf = new Preflight();
        try (Connection c = connect()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select version()")) {
                rs.next();
                pf.serverVersion = rs.getString(1);
            }
            List<String> existing = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show databases")) {
                while (rs.next()) existing.add(rs.getString(1));
            }
            if (allDatabases) {
                existing.stream().filter(d -> !SYSTEM_SCHEMAS.contains(d.toLowerCase())).sorted().forEach(pf.databases::add);
            } else {
                for (String db : databases) {
                    if (!existing.contains(db)) {
                        throw new BackupException("preflight", "database \"" + db + "\" does not exist on " + flavor(pf.serverVersion)
                                + " at " + where() + " (or " + user + " cannot see it); check the database option");
                    }
                    pf.databases.add(db);
                }
            }
            for (String db : pf.databases) {
                pf.stats.put(db, stats(c, db));
            }
        } catch (SQLException e) {
            throw connectFailure(e);
        }
        locateClient(pf);
        LOG.info("preflight {}: server {}, {} {}, databases {}", where(), pf.serverVersion, pf.tool, pf.clientVersion, pf.databases);
        return pf;
    }

    private static DbStats stats(Connection c, String db) throws SQLException {
        String sql = "select table_name, table_rows from information_schema.tables "
                + "where table_schema = ? and table_type = 'BASE TABLE' order by table_rows desc, table_name";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                long rows = 0;
                Map<String, Long> per = new LinkedHashMap<>();
                while (rs.next()) {
                    n++;
                    long est = rs.getLong(2);
                    if (rs.wasNull()) est = -1;
                    rows += Math.max(0, est);
                    if (per.size() < MAX_TABLE_DETAILS) per.put(rs.getString(1), est);
                }
                return new DbStats(n, rows, Collections.unmodifiableMap(per));
            }
        }
    }

    private void locateClient(Preflight pf) {
        boolean serverIsMaria = isMaria(pf.serverVersion);
        String series = series(pf.serverVersion);
        String fix = serverIsMaria
                ? "install mariadb-client " + series + " or newer, or set clientDir to a directory with mariadb-dump " + series + " or newer"
                : "install a mysql-client " + series + " or newer, or set clientDir to a directory with mysqldump " + series + " or newer";
        Path tool = DbOptions.findTool(clientDir, List.of("mariadb-dump", "mysqldump"), List.of());
        if (tool == null) {
            throw new BackupException("preflight", "mariadb-dump/mysqldump not found "
                    + (clientDir != null ? "in clientDir " + clientDir : "on PATH") + "; " + fix);
        }
        String out = ProcessRunner.of(tool.toString(), "--version").name(tool.getFileName() + " --version")
                .stage("preflight").timeout(PREFLIGHT_TIMEOUT).run().strip();
        String version = clientVersion(out);
        if (version == null) {
            throw new BackupException("preflight", tool + " --version printed no version: " + out);
        }
        // Only compare within one product: MariaDB and MySQL version numbers are unrelated.
        if (isMaria(out) == serverIsMaria && seriesKey(version) < seriesKey(pf.serverVersion)) {
            throw new BackupException("preflight", tool.getFileName() + " " + version + " (" + tool + ") is older than the server, "
                    + flavor(pf.serverVersion) + " " + pf.serverVersion + " at " + where() + "; " + fix);
        }
        pf.tool = tool;
        pf.clientVersion = version;
    }

    /** "mariadb-dump  Ver 10.19 Distrib 10.11.6-MariaDB, ..." → 10.11.6; "mysqldump  Ver 8.0.36 for Linux" → 8.0.36. */
    static String clientVersion(String versionOutput) {
        for (String p : List.of("Distrib\\s+(\\d+\\.\\d+(?:\\.\\d+)?)", "from\\s+(\\d+\\.\\d+(?:\\.\\d+)?)", "Ver\\s+(\\d+\\.\\d+(?:\\.\\d+)?)")) {
            Matcher m = Pattern.compile(p).matcher(versionOutput);
            if (m.find()) return m.group(1);
        }
        return null;
    }

    private static boolean isMaria(String s) {
        return s.toLowerCase().contains("mariadb");
    }

    private static String flavor(String serverVersion) {
        return serverVersion != null && isMaria(serverVersion) ? "MariaDB" : "MySQL";
    }

    /** A release series, "10.11" of "10.11.6-MariaDB-0+deb12u1": MariaDB and MySQL ship majors as x.y. */
    static String series(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        return m.find() ? m.group(1) + "." + m.group(2) : version;
    }

    static int seriesKey(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : -1;
    }

    private Connection connect() throws SQLException {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("connectTimeout", "10000");
        p.setProperty("socketTimeout", "120000");
        return DriverManager.getConnection("jdbc:mariadb://" + h + ":" + port + "/", p);
    }

    private BackupException connectFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg;
        if (e.getErrorCode() == 1045 || state.startsWith("28")) {
            msg = "cannot connect to MariaDB/MySQL at " + where() + " as " + user + ": access denied; check user and password ("
                    + e.getMessage() + ")";
        } else if (state.startsWith("08")) {
            msg = "cannot connect to MariaDB/MySQL at " + where() + " (server down or unreachable?): " + e.getMessage();
        } else {
            msg = "cannot query MariaDB/MySQL at " + where() + ": " + e.getMessage();
        }
        return new BackupException("preflight", scrub(msg), null);
    }

    String scrub(String s) {
        return password == null ? s : s.replace(password, "********");
    }

    // ---- dump ----------------------------------------------------------------------------------

    private List<String> dumpArgs(Path tool, Path optionFile, String db) {
        List<String> a = new ArrayList<>();
        a.add(tool.toString());
        if (optionFile != null) {
            // The client only honours --defaults-extra-file as the very first argument.
            a.add("--defaults-extra-file=" + optionFile);
        }
        a.add("--host=" + host);
        a.add("--port=" + port);
        a.add("--user=" + user);
        if (singleTransaction) a.add("--single-transaction");
        if (routines) a.add("--routines");
        a.add(triggers ? "--triggers" : "--skip-triggers");
        if (events) a.add("--events");
        a.add("--hex-blob");
        a.add("--default-character-set=utf8mb4");
        for (String t : excludeTables) {
            a.add("--ignore-table=" + (t.contains(".") ? t : db + "." + t));
        }
        a.add(db);
        a.addAll(tables);
        return a;
    }

    /** MariaDB/MySQL option-file value quoting: double quotes with backslash escapes. */
    static String optionFileValue(String v) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** One database of a run; {@link #bytesWritten()} feeds the size-trend check. */
    public static final class Unit implements DumpUnit {
        private final MariaDbSource src;
        private final Preflight pf;
        private final String database;
        private final Map<String, Object> details = new LinkedHashMap<>();
        private volatile long bytesWritten = -1;

        private Unit(MariaDbSource src, Preflight pf, String database) {
            this.src = src;
            this.pf = pf;
            this.database = database;
            DbStats s = pf.stats.get(database);
            details.put("source", KIND);
            details.put("host", src.host);
            details.put("port", src.port);
            details.put("serverVersion", pf.serverVersion);
            details.put("tool", pf.tool.getFileName().toString());
            details.put("toolVersion", pf.clientVersion);
            details.put("toolPath", pf.tool.toString());
            details.put("database", database);
            details.put("tables", s.tables);
            details.put("estimatedRows", s.estimatedRows);
            details.put("tableRows", s.tableRows);
        }

        @Override public String label() { return database; }
        @Override public String artifactKind() { return "sql"; }
        @Override public String sourceKind() { return KIND; }
        @Override public Map<String, Object> details() { return details; }

        /** Bytes of plain dump streamed by the last {@link #writeTo}; -1 before it ran. */
        public long bytesWritten() { return bytesWritten; }

        /** The argument list this unit runs, with a placeholder where the per-run option file goes (holds no password). */
        public List<String> command() {
            return src.dumpArgs(pf.tool, src.password == null ? null : Path.of("<option-file>"), database);
        }


        private String what() {
            return pf.tool.getFileName() + " of database \"" + database + "\"";
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            long started = System.nanoTime();
            Path credDir = null;
            try {
                Path optionFile = null;
                if (src.password != null) {
                    credDir = DbOptions.privateTempDir("backroute-mariadb-");
                    optionFile = DbOptions.writePrivateFile(credDir, "client.cnf",
                            "[client]\npassword=" + optionFileValue(src.password) + "\n");
                }
                ProcessRunner runner = ProcessRunner.of(src.dumpArgs(pf.tool, optionFile, database)).name(what())
                        .stage("dump").timeout(src.timeout).secret(src.password).env("LC_ALL", "C");
                if (src.password != null) runner.removeEnv("MYSQL_PWD");
                InspectingOutputStream inspect = new InspectingOutputStream(out, 0, 256);
                long n = runner.streamTo(inspect);
                bytesWritten = n;
                details.put("bytes", n);
                details.put("exitCode", 0);
                details.put("durationMs", (System.nanoTime() - started) / 1_000_000);
                if (n < src.minSize) {
                    throw new BackupException("dump", what() + ": dump is " + n + " bytes, below the minimum " + src.minSize + " (minSize)");
                }
                String[] lines = inspect.tailText().strip().split("\\R");
                if (!lines[lines.length - 1].startsWith(TRAILER)) {
                    throw new BackupException("dump", what() + ": output does not end with \"" + TRAILER + "\"; the dump is truncated");
                }
                LOG.info("{}: {} bytes in {} ms", what(), n, details.get("durationMs"));
            } finally {
                DbOptions.deleteTree(credDir);
            }
        }
    }
}
