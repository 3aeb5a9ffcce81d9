package io.backroute.restore;

import io.backroute.BackupException;
import io.backroute.dump.ProcessRunner;
import io.backroute.store.Destination;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores an artifact, streamed from its destination, into a file, a SQLite file, a directory, or a PostgreSQL
 * or MariaDB database. A file or directory appears under its final name only after the OpenPGP MDC and the plain
 * SHA-256 have been verified; a database load is aborted before it can commit when they fail.
 */
public final class Restorer {

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_]{1,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Restorer() { }

    /**
     * @param force      replace an existing file, or restore into a non-empty directory (its old content is removed)
     * @param clean      restore into a non-empty existing database, replacing the objects the dump holds
     * @param dbPassword database password for the child tools (via PGPASSWORD / MYSQL_PWD), or null to let them
     *                   use their own environment and files (PGPASSWORD, ~/.pgpass, MYSQL_PWD, ~/.my.cnf)
     */
    public record Options(boolean force, boolean clean, String dbPassword) {
        @Override
        public String toString() {
            return "Options[force=" + force + ", clean=" + clean + ", dbPassword=" + (dbPassword == null ? "none" : "********") + "]";
        }
    }

    /**
     * @param targetKind file, sqlite, directory, postgresql, mariadb
     * @param created    true when the database was created for this restore
     */
    public record Result(String destination, String artifact, String target, String targetKind, long plainBytes,
                         long durationMs, boolean created) { }

    /** Bad target or refused target (exists, not empty): nothing was touched. */
    public static final class TargetRefusedException extends BackupException {
        TargetRefusedException(String message) {
            super("restore", message);
        }
    }

    public static Result restore(Destination d, ArtifactInfo a, DecryptionKey key, String to, Options o) {
        long t0 = System.nanoTime();
        if (to == null || to.isBlank()) {
            throw new TargetRefusedException("restore of " + a.describe() + " needs a target: --to FILE, DIRECTORY or DATABASE URL");
        }
        PlainStream.checkManifest(a);
        String lower = to.toLowerCase(Locale.ROOT);
        Result r;
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            r = toPostgres(d, a, key, DbTarget.parse(to, "postgresql", 5432), o, t0);
        } else if (lower.startsWith("mariadb://") || lower.startsWith("mysql://")) {
            r = toMariaDb(d, a, key, DbTarget.parse(to, "mariadb", 3306), o, t0);
        } else if (lower.contains("://")) {
            throw new TargetRefusedException("target " + to + " of the restore of " + a.describe()
                    + " is not a path, postgresql:// or mariadb:// URL");
        } else {
            Path target = Path.of(to).toAbsolutePath().normalize();
            String kind = a.manifest().artifactKind();
            if ("tar".equals(kind) && !target.getFileName().toString().endsWith(".tar")) {
                r = toDirectory(d, a, key, target, o, t0);
            } else {
                r = toFile(d, a, key, target, o, "sqlite".equals(kind), t0);
            }
        }
        LOG.info("restored {} to {} ({}): {} plain bytes in {} ms", a.describe(), r.target(), r.targetKind(),
                r.plainBytes(), r.durationMs());
        return r;
    }

    // ---- files

    private static Result toFile(Destination d, ArtifactInfo a, DecryptionKey key, Path target, Options o,
                                 boolean sqlite, long t0) {
        if (Files.isDirectory(target)) {
            throw new TargetRefusedException("target " + target + " of the restore of " + a.describe() + " is a directory; name a file");
        }
        if (Files.exists(target) && !o.force()) {
            throw new TargetRefusedException("target " + target + " of the restore of " + a.describe()
                    + " exists; refusing to overwrite it (use --force to replace it)");
        }
        Path temp = tempSibling(target);
        long plain;
        try {
            Files.createDirectories(target.getParent());
            try (PlainStream ps = PlainStream.open(d, a, key);
                 FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                plain = ps.copyTo(out);
                ch.force(true);
            }
            if (sqlite) {
                String check = ProcessRunner.of("sqlite3", "-readonly", temp.toString(), "PRAGMA integrity_check")
                        .name("sqlite3 integrity check of the restored " + a.describe()).stage("restore").run().strip();
                if (!"ok".equals(check)) {
                    throw PlainStream.fail(a, "the restored SQLite database fails PRAGMA integrity_check: " + check, null);
                }
            }
            if (o.force()) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                moveNoReplace(temp, target, a);
            }
        } catch (IOException e) {
            deleteTree(temp);
            throw PlainStream.fail(a, "restore to " + target + " failed: " + e.getMessage() + "; " + target + " was not touched", e);
        } catch (RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
        return new Result(d.name(), a.key(), target.toString(), sqlite ? "sqlite" : "file", plain,
                (System.nanoTime() - t0) / 1_000_000, false);
    }

    /** Links then unlinks, so an existing file that appeared meanwhile is never replaced. */
    private static void moveNoReplace(Path temp, Path target, ArtifactInfo a) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new TargetRefusedException("target " + target + " of the restore of " + a.describe()
                    + " appeared during the restore; refusing to overwrite it (use --force)");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    // ---- directories

    private static Result toDirectory(Destination d, ArtifactInfo a, DecryptionKey key, Path target, Options o, long t0) {
        boolean exists = Files.exists(target);
        if (exists && !Files.isDirectory(target)) {
            throw new TargetRefusedException("target " + target + " of the restore of " + a.describe() + " is a file; name a directory");
        }
        if (exists && !isEmptyDir(target) && !o.force()) {
            throw new TargetRefusedException("target directory " + target + " of the restore of " + a.describe()
                    + " is not empty; refusing to restore into it (use --force to replace its content)");
        }
        Path temp = tempSibling(target);
        long plain;
        long files;
        try {
            Files.createDirectories(target.getParent());
            Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (PlainStream ps = PlainStream.open(d, a, key)) {
                TarExtractor x = new TarExtractor(temp);
                x.extract(ps.stream());
                ps.finish();
                plain = ps.plainBytes();
                files = x.files();
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (exists) {
                Path aside = tempSibling(target);
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                    throw e;
                }
                deleteTree(aside);
            } else {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (TarExtractor.UnsafeEntryException e) {
            deleteTree(temp);
            throw PlainStream.fail(a, e.getMessage(), e);
        } catch (IOException e) {
            deleteTree(temp);
            throw PlainStream.fail(a, "restore to " + target + " failed: " + e.getMessage() + "; " + target + " was not touched", e);
        } catch (RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
        LOG.debug("extracted {} files into {}", files, target);
        return new Result(d.name(), a.key(), target.toString(), "directory", plain, (System.nanoTime() - t0) / 1_000_000, false);
    }

    private static boolean isEmptyDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** A hidden temp name beside the target, so the final rename stays on one filesystem. */
    static Path tempSibling(Path target) {
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        return target.resolveSibling("." + target.getFileName() + ".restore-" + HexFormat.of().formatHex(r) + ".part");
    }

    private static void deleteTree(Path p) {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (DirectoryNotEmptyException ignored) {
                    // a concurrent writer; the directory stays and is reported below
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", x, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean {}: {}", p, e.getMessage());
        }
    }

    // ---- databases

    /** {@code postgresql://user@host:port/db} or {@code mariadb://user@host:port/db}; a password in it is refused. */
    record DbTarget(String scheme, String user, String host, int port, String database) {

        static DbTarget parse(String to, String scheme, int defaultPort) {
            URI u;
            try {
                u = new URI(to);
            } catch (URISyntaxException e) {
                throw new TargetRefusedException("target is not a valid " + scheme + ":// URL: " + e.getReason());
            }
            String userInfo = u.getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                throw new TargetRefusedException("the target URL must not contain a password; use "
                        + ("postgresql".equals(scheme) ? "PGPASSWORD or a pgpass file" : "MYSQL_PWD or an option file")
                        + " or --db-password-file");
            }
            String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
            int port = u.getPort() < 0 ? defaultPort : u.getPort();
            String path = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
            if (!DB_NAME.matcher(path).matches()) {
                throw new TargetRefusedException("target " + scheme + "://" + host + ":" + port + "/" + path
                        + ": the database name must be 1-63 characters of [A-Za-z0-9_]");
            }
            return new DbTarget(scheme, userInfo, host, port, path);
        }

        String display() {
            return scheme + "://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + database;
        }
    }

    private static ProcessRunner pgTool(DbTarget t, Options o, String what, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(args.get(0));
        cmd.addAll(List.of("-w", "-h", t.host(), "-p", Integer.toString(t.port())));
        if (t.user() != null) {
            cmd.addAll(List.of("-U", t.user()));
        }
        cmd.addAll(args.subList(1, args.size()));
        ProcessRunner r = ProcessRunner.of(cmd).name(what).stage("restore");
        if (o.dbPassword() != null) {
            r.env("PGPASSWORD", o.dbPassword()).secret(o.dbPassword());
        }
        return r;
    }

    private static String psql(DbTarget t, Options o, String db, String sql, String what) {
        return pgTool(t, o, what, List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql)).run().strip();
    }

    private static Result toPostgres(Destination d, ArtifactInfo a, DecryptionKey key, DbTarget t, Options o, long t0) {
        String kind = a.manifest().artifactKind();
        if (!"pgdump".equals(kind) && !("sql".equals(kind) && "postgresql".equals(a.manifest().sourceKind()))) {
            throw new TargetRefusedException(a.describe() + " is a " + a.manifest().sourceKind() + " " + kind
                    + " dump; it cannot be restored into PostgreSQL");
        }
        String db = t.database();
        String where = t.display();
        boolean exists;
        try {
            exists = "1".equals(psql(t, o, "postgres", "select 1 from pg_database where datname = '" + db + "'",
                    "psql (checking database " + db + " at " + where + ")"));
        } catch (BackupException e) {
            throw PlainStream.fail(a, "cannot reach the target PostgreSQL " + where + ": " + e.getMessage(), e);
        }
        boolean created = false;
        if (exists) {
            String count = psql(t, o, db, "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                    + " where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'"
                    + " and n.nspname not like 'pg\\_temp%'", "psql (checking database " + db + " is empty)");
            if (!"0".equals(count) && !o.clean()) {
                throw new TargetRefusedException("target database " + where + " of the restore of " + a.describe()
                        + " is not empty (" + count + " relations); refusing to restore into it (use --clean)");
            }
            if (!"0".equals(count) && "sql".equals(kind)) {
                throw new TargetRefusedException("--clean into a non-empty database works for pgdump artifacts only;"
                        + " drop database " + db + " or restore " + a.describe() + " into a new database");
            }
        } else {
            psql(t, o, "postgres", "create database \"" + db + "\"", "psql (creating database " + db + ")");
            created = true;
        }
        List<String> cmd = "pgdump".equals(kind)
                ? new ArrayList<>(List.of("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "-d", db))
                : new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", db, "-f", "-"));
        if (o.clean() && exists && "pgdump".equals(kind)) {
            cmd.addAll(1, List.of("--clean", "--if-exists"));
        }
        long[] plain = new long[1];
        try (PlainStream ps = PlainStream.open(d, a, key)) {
            pgTool(t, o, cmd.get(0) + " into " + where, cmd).stdin(stdin -> plain[0] = ps.copyTo(stdin))
                    .streamTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            String cleanup = created ? dropPg(t, o, db) : "the database was left as it was (single transaction)";
            throw PlainStream.fail(a, "restore into " + where + " failed: " + JobRuntimeSummary.of(e)
                    + "; nothing was committed; " + cleanup, e);
        }
        return new Result(d.name(), a.key(), where, "postgresql", plain[0], (System.nanoTime() - t0) / 1_000_000, created);
    }

    private static String dropPg(DbTarget t, Options o, String db) {
        try {
            psql(t, o, "postgres", "drop database if exists \"" + db + "\"", "psql (dropping database " + db + ")");
            return "the database " + db + " created for the restore was dropped";
        } catch (RuntimeException e) {
            return "the database " + db + " created for the restore could not be dropped: " + e.getMessage();
        }
    }

    private static ProcessRunner myTool(DbTarget t, Options o, String what, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of("mariadb", "--protocol=TCP", "--host=" + t.host(), "--port=" + t.port()));
        if (t.user() != null) {
            cmd.add("--user=" + t.user());
        }
        cmd.addAll(extra);
        ProcessRunner r = ProcessRunner.of(cmd).name(what).stage("restore");
        if (o.dbPassword() != null) {
            r.env("MYSQL_PWD", o.dbPassword()).secret(o.dbPassword());
        }
        return r;
    }

    private static String mysql(DbTarget t, Options o, String sql, String what) {
        return myTool(t, o, what, List.of("--batch", "--skip-column-names", "-e", sql)).run().strip();
    }

    private static Result toMariaDb(Destination d, ArtifactInfo a, DecryptionKey key, DbTarget t, Options o, long t0) {
        String kind = a.manifest().artifactKind();
        String source = a.manifest().sourceKind();
        if (!"sql".equals(kind) || !("mariadb".equals(source) || "mysql".equals(source))) {
            throw new TargetRefusedException(a.describe() + " is a " + source + " " + kind
                    + " dump; it cannot be restored into MariaDB");
        }
        String db = t.database();
        String where = t.display();
        boolean exists;
        try {
            exists = !"0".equals(mysql(t, o, "select count(*) from information_schema.schemata where schema_name = '" + db + "'",
                    "mariadb (checking database " + db + " at " + where + ")"));
        } catch (BackupException e) {
            throw PlainStream.fail(a, "cannot reach the target MariaDB " + where + ": " + e.getMessage(), e);
        }
        boolean created = false;
        if (exists) {
            String count = mysql(t, o, "select count(*) from information_schema.tables where table_schema = '" + db + "'",
                    "mariadb (checking database " + db + " is empty)");
            if (!"0".equals(count)) {
                if (!o.clean()) {
                    throw new TargetRefusedException("target database " + where + " of the restore of " + a.describe()
                            + " is not empty (" + count + " tables); refusing to restore into it (use --clean)");
                }
                mysql(t, o, "drop database `" + db + "`; create database `" + db + "`", "mariadb (cleaning database " + db + ")");
            }
        } else {
            mysql(t, o, "create database `" + db + "`", "mariadb (creating database " + db + ")");
            created = true;
        }
        long[] plain = new long[1];
        try (PlainStream ps = PlainStream.open(d, a, key)) {
            myTool(t, o, "mariadb into " + where, List.of(db)).stdin(stdin -> plain[0] = ps.copyTo(stdin))
                    .streamTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            String cleanup;
            if (created) {
                try {
                    mysql(t, o, "drop database if exists `" + db + "`", "mariadb (dropping database " + db + ")");
                    cleanup = "the database " + db + " created for the restore was dropped";
                } catch (RuntimeException dropFailed) {
                    cleanup = "the database " + db + " holds a partial restore and could not be dropped: " + dropFailed.getMessage();
                }
            } else {
                cleanup = "the database " + db + " may hold a partial restore: drop it before using it";
            }
            throw PlainStream.fail(a, "restore into " + where + " failed: " + JobRuntimeSummary.of(e) + "; " + cleanup, e);
        }
        return new Result(d.name(), a.key(), where, "mariadb", plain[0], (System.nanoTime() - t0) / 1_000_000, created);
    }

    /** The message of a failure without re-prefixing it. */
    private static final class JobRuntimeSummary {
        static String of(Throwable e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
