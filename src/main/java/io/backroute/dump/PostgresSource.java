package io.backroute.dump;

import io.backroute.BackupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL source: one {@code pg_dump} stream per database (custom or plain format) plus, optionally,
 * the cluster globals from {@code pg_dumpall --globals-only}, with a JDBC preflight of versions and tables.
 */
public final class PostgresSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSource.class);

    public static final String KIND = "postgresql";

    static final Set<String> OPTIONS = Set.of("host", "port", "database", "user", "password", "passwordFile",
            "sslmode", "format", "schemas", "excludeSchemas", "tables", "excludeTables", "extraArgs", "clientDir",
            "timeout", "minSize", "globals");

    /** pg_dump flags that change what is dumped, not where or how it connects, so they are safe to pass through. */
    static final Set<String> ALLOWED_FLAGS = Set.of("--no-owner", "--no-privileges", "--no-acl", "--no-comments",
            "--no-publications", "--no-subscriptions", "--no-security-labels", "--no-tablespaces",
            "--no-toast-compression", "--no-unlogged-table-data", "--no-blobs", "--serializable-deferrable",
            "--quote-all-identifiers", "--load-via-partition-root");
    static final Set<String> ALLOWED_VALUE_FLAGS = Set.of("--lock-wait-timeout", "--exclude-table-data");

    private static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final byte[] PGDMP = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_TABLE_DETAILS = 1000;
    private static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(30);

    private final DbOptions options;
    private final List<String> problems = new ArrayList<>();
    private final String host;
    private final int port;
    private final List<String> databases;
    private final boolean allDatabases;
    private final String user;
    private final String password;
    private final String passwordFile;
    private final String sslmode;
    private final String format;
    private final List<String> extraArgs;
    private final String clientDir;
    private final Duration timeout;
    private final long minSize;
    private final boolean globals;

    private PostgresSource(Map<String, String> raw) {
        options = new DbOptions(KIND, raw);
        options.unknown(OPTIONS, problems);
        host = options.get("host", "localhost");
        port = options.port(5432, problems);
        options.required("database", "<name>, a comma list, or all", problems);
        String db = options.get("database", "");
        allDatabases = db.equalsIgnoreCase("all");
        databases = allDatabases ? List.of() : DbOptions.splitList(db);
        options.required("user", "<role>", problems);
        user = options.get("user");
        password = options.secret("password");
        passwordFile = options.get("passwordFile");
        if (password != null && passwordFile != null) {
            problems.add(KIND + " option password/passwordFile: both are set; keep only one");
        }
        if (password != null && (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0)) {
            problems.add(KIND + " option password: contains a line break, which a pgpass file cannot hold; use passwordFile");
        }
        if (passwordFile != null && !Files.isReadable(Path.of(passwordFile))) {
            problems.add(KIND + " option passwordFile: '" + passwordFile + "' is not a readable file; point it at a pgpass-format file (host:port:db:user:password)");
        }
        sslmode = options.oneOf("sslmode", "prefer", SSL_MODES, problems);
        format = options.oneOf("format", "custom", List.of("custom", "plain"), problems);
        extraArgs = parseExtraArgs(options.get("extraArgs"), problems);
        options.clientDir(problems);
        clientDir = options.get("clientDir");
        timeout = options.duration("timeout", Duration.ofHours(6), problems);
        minSize = options.nonNegativeLong("minSize", 1, problems);
        globals = options.bool("globals", allDatabases, problems);
    }

    /** Never throws for bad options: they are kept and reported by {@link #validate(List)}. */
    public static PostgresSource fromOptions(Map<String, String> options) {
        return new PostgresSource(options);
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
            units.add(new Unit(this, pf, db, false));
        }
        if (globals) {
            units.add(new Unit(this, pf, null, true));
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
            out.add("OK: PostgreSQL " + pf.serverVersion + " at " + where());
            out.add("OK: pg_dump " + pf.clientVersion + " (" + pf.pgDump + ")");
            if (globals) {
                out.add("OK: pg_dumpall (" + pf.pgDumpall + ") for globals");
            }
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
        int serverVersionNum;
        String serverVersion;
        List<String> databases = new ArrayList<>();
        Map<String, DbStats> stats = new LinkedHashMap<>();
        Path pgDump;
        Path pgDumpall;
        String clientVersion;
        String maintenanceDb;
    }

    private record DbStats(int tables, long estimatedRows, Map<String, Long> tableRows) { }

    private Preflight preflight() {
        Preflight pf = new Preflight();
        pf.maintenanceDb = allDatabases ? "postgres" : databases.get(0);
        try (Connection c = connect(pf.maintenanceDb)) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int, current_setting('server_version')")) {
                rs.next();
                pf.serverVersionNum = rs.getInt(1);
                pf.serverVersion = rs.getString(2).split(" ")[0];
            }
            List<String> existing = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select datname from pg_database where not datistemplate and datallowconn order by datname")) {
                while (rs.next()) existing.add(rs.getString(1));
            }
            if (allDatabases) {
                pf.databases.addAll(existing);
            } else {
                for (String db : databases) {
                    if (!existing.contains(db)) {
                        throw new BackupException("preflight", "database \"" + db + "\" does not exist on PostgreSQL at "
                                + where() + " (or does not allow connections); check the database option");
                    }
                    pf.databases.add(db);
                }
            }
        } catch (SQLException e) {
            throw connectFailure(pf.maintenanceDb, e);
        }
        for (String db : pf.databases) {
            pf.stats.put(db, stats(db));
        }
        locateClient(pf);
        LOG.info("preflight {}: PostgreSQL {}, pg_dump {} ({}), databases {}", where(), pf.serverVersion,
                pf.clientVersion, pf.pgDump, pf.databases);
        return pf;
    }

    private DbStats stats(String db) {
        String sql = "select n.nspname, c.relname, c.reltuples::bigint from pg_class c "
                + "join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') "
                + "and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg\\_toast%' "
                + "order by c.reltuples desc, 1, 2";
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            int tables = 0;
            long rows = 0;
            Map<String, Long> perTable = new LinkedHashMap<>();
            while (rs.next()) {
                tables++;
                long est = rs.getLong(3);
                rows += Math.max(0, est);
                if (perTable.size() < MAX_TABLE_DETAILS) {
                    perTable.put(rs.getString(1) + "." + rs.getString(2), est);
                }
            }
            return new DbStats(tables, rows, Collections.unmodifiableMap(perTable));
        } catch (SQLException e) {
            throw connectFailure(db, e);
        }
    }

    private void locateClient(Preflight pf) {
        List<Path> versioned = new ArrayList<>();
        Path lib = Path.of("/usr/lib/postgresql");
        if (clientDir == null && Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                s.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .sorted((a, b) -> Double.compare(Double.parseDouble(b.getFileName().toString()),
                                Double.parseDouble(a.getFileName().toString())))
                        .map(p -> p.resolve("bin"))
                        .forEach(versioned::add);
            } catch (IOException e) {
                LOG.debug("cannot list {}: {}", lib, e.toString());
            }
        }
        int serverMajor = majorKey(pf.serverVersionNum);
        String fix = "install postgresql-client-" + majorLabel(pf.serverVersionNum) + " or set clientDir to a directory with pg_dump "
                + majorLabel(pf.serverVersionNum) + " or newer";
        Path first = DbOptions.findTool(clientDir, List.of("pg_dump"), List.of());
        List<Path> candidates = new ArrayList<>();
        if (first != null) candidates.add(first);
        for (Path dir : versioned) {
            Path p = dir.resolve("pg_dump");
            if (Files.isExecutable(p) && !candidates.contains(p)) candidates.add(p);
        }
        if (candidates.isEmpty()) {
            throw new BackupException("preflight", "pg_dump not found " + (clientDir != null ? "in clientDir " + clientDir : "on PATH or in /usr/lib/postgresql/*/bin")
                    + "; " + fix);
        }
        String olderFound = null;
        for (Path candidate : candidates) {
            String version = clientVersion(candidate);
            int num = versionNum(version);
            if (num >= 0 && majorKey(num) >= serverMajor) {
                pf.pgDump = candidate;
                pf.clientVersion = version;
                break;
            }
            if (olderFound == null) olderFound = "pg_dump " + version + " (" + candidate + ")";
        }
        if (pf.pgDump == null) {
            throw new BackupException("preflight", olderFound + " is older than the server, PostgreSQL " + pf.serverVersion
                    + " at " + where() + "; " + fix);
        }
        if (globals) {
            pf.pgDumpall = pf.pgDump.resolveSibling("pg_dumpall");
            if (!Files.isExecutable(pf.pgDumpall)) {
                throw new BackupException("preflight", "pg_dumpall not found next to " + pf.pgDump + " (needed for globals=true); "
                        + fix + ", or set globals=false");
            }
        }
    }

    private String clientVersion(Path tool) {
        String out = ProcessRunner.of(tool.toString(), "--version").name(tool.getFileName() + " --version")
                .stage("preflight").timeout(PREFLIGHT_TIMEOUT).run().strip();
        Matcher m = Pattern.compile("\\)\\s*(\\d+(?:\\.\\d+){0,2})").matcher(out);
        if (!m.find()) {
            m = Pattern.compile("(\\d+(?:\\.\\d+){0,2})").matcher(out);
            if (!m.find()) {
                throw new BackupException("preflight", tool + " --version printed no version: " + out);
            }
        }
        return m.group(1);
    }

    /** server_version_num style number for "15.4", "9.6.24" or "16": 150004, 90624, 160000. */
    static int versionNum(String version) {
        String[] p = version.split("\\.");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            int patch = p.length > 2 ? Integer.parseInt(p[2]) : 0;
            return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + patch;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static int majorKey(int num) {
        return num >= 100000 ? num / 10000 * 10000 : num / 100 * 100;
    }

    static String majorLabel(int num) {
        return num >= 100000 ? Integer.toString(num / 10000) : (num / 10000) + "." + (num / 100 % 100);
    }

    private Connection connect(String db) throws SQLException {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20");
        Properties p = new Properties();
        p.setProperty("user", user);
        String pw = jdbcPassword(db);
        if (pw != null) p.setProperty("password", pw);
        p.setProperty("sslmode", sslmode);
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "120");
        p.setProperty("ApplicationName", "backroute preflight");
        return DriverManager.getConnection(url, p);
    }

    private String jdbcPassword(String db) {
        if (password != null) return password;
        if (passwordFile != null) return Pgpass.lookup(Path.of(passwordFile), host, port, db, user);
        return null;
    }

    private BackupException connectFailure(String db, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg;
        if (state.equals("3D000")) {
            msg = "database \"" + db + "\" does not exist on PostgreSQL at " + where() + "; check the database option";
        } else if (state.startsWith("28")) {
            msg = "cannot connect to PostgreSQL at " + where() + " as " + user + ": " + e.getMessage()
                    + "; check user and password/passwordFile";
        } else if (state.startsWith("08")) {
            msg = "cannot connect to PostgreSQL at " + where() + " (server down or unreachable?): " + e.getMessage();
        } else {
            msg = "cannot query PostgreSQL at " + where() + " (database " + db + "): " + e.getMessage();
        }
        return new BackupException("preflight", scrub(msg), null);
    }

    String scrub(String s) {
        return password == null ? s : s.replace(password, "********");
    }

    // ---- dump ----------------------------------------------------------------------------------

    private static List<String> parseExtraArgs(String v, List<String> problems) {
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String arg : v.split("[\\s,]+")) {
            if (arg.isBlank()) continue;
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            boolean ok = eq < 0 ? ALLOWED_FLAGS.contains(arg) : ALLOWED_VALUE_FLAGS.contains(flag) && eq < arg.length() - 1;
            if (ok) {
                out.add(arg);
            } else {
                problems.add(KIND + " option extraArgs: '" + arg + "' is not allowed; allowed are "
                        + String.join(" ", ALLOWED_FLAGS.stream().sorted().toList()) + " "
                        + String.join(" ", ALLOWED_VALUE_FLAGS.stream().sorted().map(f -> f + "=...").toList())
                        + " (connection and output options are set by Backroute)");
            }
        }
        return out;
    }

    /** libpq connection string; the password never appears here, it travels in a pgpass file. */
    private String conninfo(String db) {
        StringBuilder sb = new StringBuilder();
        kv(sb, "host", host);
        kv(sb, "port", Integer.toString(port));
        kv(sb, "user", user);
        if (db != null) kv(sb, "dbname", db);
        kv(sb, "sslmode", sslmode);
        kv(sb, "connect_timeout", "10");
        kv(sb, "application_name", "backroute");
        return sb.toString().strip();
    }

    private static void kv(StringBuilder sb, String k, String v) {
        sb.append(k).append("='").append(v.replace("\\", "\\\\").replace("'", "\\'")).append("' ");
    }

    private List<String> pgDumpArgs(Path pgDump, String db) {
        List<String> a = new ArrayList<>();
        a.add(pgDump.toString());
        a.add("--dbname=" + conninfo(db));
        a.add("--no-password");
        if (format.equals("custom")) {
            a.add("--format=custom");
            a.add("--compress=0");
        } else {
            a.add("--format=plain");
        }
        options.list("schemas").forEach(s -> a.add("--schema=" + s));
        options.list("excludeSchemas").forEach(s -> a.add("--exclude-schema=" + s));
        options.list("tables").forEach(s -> a.add("--table=" + s));
        options.list("excludeTables").forEach(s -> a.add("--exclude-table=" + s));
        a.addAll(extraArgs);
        return a;
    }

    private List<String> pgDumpallArgs(Path pgDumpall, String maintenanceDb) {
        return List.of(pgDumpall.toString(), "--dbname=" + conninfo(null), "--database=" + maintenanceDb,
                "--no-password", "--globals-only");
    }

    /** One database (or the globals) of a run; {@link #bytesWritten()} feeds the size-trend check. */
    public static final class Unit implements DumpUnit {
        private final PostgresSource src;
        private final Preflight pf;
        private final String database;
        private final boolean isGlobals;
        private final Map<String, Object> details = new LinkedHashMap<>();
        private final List<String> command;
        private volatile long bytesWritten = -1;

        private Unit(PostgresSource src, Preflight pf, String database, boolean isGlobals) {
            this.src = src;
            this.pf = pf;
            this.database = database;
            this.isGlobals = isGlobals;
            this.command = isGlobals ? src.pgDumpallArgs(pf.pgDumpall, pf.maintenanceDb) : src.pgDumpArgs(pf.pgDump, database);
            details.put("source", KIND);
            details.put("host", src.host);
            details.put("port", src.port);
            details.put("serverVersion", pf.serverVersion);
            details.put("serverVersionNum", pf.serverVersionNum);
            details.put("tool", isGlobals ? "pg_dumpall" : "pg_dump");
            details.put("toolVersion", pf.clientVersion);
            details.put("toolPath", (isGlobals ? pf.pgDumpall : pf.pgDump).toString());
            if (isGlobals) {
                details.put("database", "globals");
                details.put("format", "plain");
            } else {
                DbStats s = pf.stats.get(database);
                details.put("database", database);
                details.put("format", src.format);
                details.put("tables", s.tables);
                details.put("estimatedRows", s.estimatedRows);
                details.put("tableRows", s.tableRows);
            }
        }

        @Override public String label() { return isGlobals ? "globals" : database; }
        @Override public String artifactKind() { return !isGlobals && src.format.equals("custom") ? "pgdump" : "sql"; }
        @Override public String sourceKind() { return KIND; }
        @Override public Map<String, Object> details() { return details; }

        /** The argument list run for this unit (holds no password). */
        public List<String> command() { return command; }

        /** Bytes of plain dump streamed by the last {@link #writeTo}; -1 before it ran. */
        public long bytesWritten() { return bytesWritten; }


        private String what() {
            return isGlobals ? "pg_dumpall --globals-only" : "pg_dump of database \"" + database + "\"";
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            long started = System.nanoTime();
            Path credDir = null;
            try {
                ProcessRunner runner = ProcessRunner.of(command).name(what()).stage("dump").timeout(src.timeout)
                        .secret(src.password).env("LC_MESSAGES", "C").env("PGAPPNAME", "backroute");
                if (src.password != null) {
                    credDir = DbOptions.privateTempDir("backroute-pg-");
                    Path pgpass = DbOptions.writePrivateFile(credDir, "pgpass", "*:*:*:*:" + Pgpass.escape(src.password) + "\n");
                    runner.env("PGPASSFILE", pgpass.toString()).removeEnv("PGPASSWORD");
                } else if (src.passwordFile != null) {
                    runner.env("PGPASSFILE", src.passwordFile).removeEnv("PGPASSWORD");
                }
                InspectingOutputStream inspect = new InspectingOutputStream(out, PGDMP.length, 512);
                long n = runner.streamTo(inspect);
                bytesWritten = n;
                details.put("bytes", n);
                details.put("exitCode", 0);
                details.put("durationMs", (System.nanoTime() - started) / 1_000_000);
                if (n < src.minSize) {
                    throw new BackupException("dump", what() + ": dump is " + n + " bytes, below the minimum " + src.minSize + " (minSize)");
                }
                if (artifactKind().equals("pgdump")) {
                    if (!Arrays.equals(inspect.head(), PGDMP)) {
                        throw new BackupException("dump", what() + ": output does not start with the PGDMP custom-format header; not a pg_dump archive");
                    }
                } else if (!inspect.tailText().contains("dump complete")) {
                    throw new BackupException("dump", what() + ": output does not end with the \"dump complete\" trailer; the dump is truncated");
                }
                LOG.info("{}: {} bytes in {} ms", what(), n, details.get("durationMs"));
            } finally {
                DbOptions.deleteTree(credDir);
            }
        }
    }

    /** Reads and writes the pgpass format: host:port:database:user:password with * wildcards and backslash escapes. */
    static final class Pgpass {
        private Pgpass() { }

        static String escape(String v) {
            return v.replace("\\", "\\\\").replace(":", "\\:");
        }

        static String lookup(Path file, String host, int port, String db, String user) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BackupException("preflight", "cannot read passwordFile " + file + ": " + e.getMessage());
            }
            String[] want = {host, Integer.toString(port), db, user};
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) continue;
                List<String> f = fields(line);
                if (f.size() < 5) continue;
                boolean match = true;
                for (int i = 0; i < 4 && match; i++) {
                    match = f.get(i).equals("*") || f.get(i).equals(want[i]);
                }
                if (match) return f.get(4);
            }
            return null;
        }

        private static List<String> fields(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == ':' && out.size() < 4) {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            out.add(cur.toString());
            return out;
        }
    }
}
