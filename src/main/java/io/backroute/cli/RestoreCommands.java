package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.catalog.ArtifactNames;
import io.backroute.catalog.RunCatalog;
import io.backroute.catalog.VerificationRecord;
import io.backroute.pipeline.JobRuntime;
import io.backroute.pipeline.Units;
import io.backroute.restore.ArtifactCatalog;
import io.backroute.restore.ArtifactInfo;
import io.backroute.restore.CatalogRebuilder;
import io.backroute.restore.DecryptionKey;
import io.backroute.restore.Restorer;
import io.backroute.restore.Verifier;
import io.backroute.store.Destination;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The restore side of the CLI: list, verify, restore and catalog rebuild. */
final class RestoreCommands {

    /** Environment variable holding the private key's passphrase (never a command-line argument). */
    static final String PASSPHRASE_ENV = "BACKROUTE_KEY_PASSPHRASE";

    private RestoreCommands() { }

    static void requireJobId(String job) {
        if (!ArtifactNames.isValidJobId(job)) {
            throw new BackrouteCli.UsageError("'" + job + "' is not a job id (kebab-case [a-z0-9-])");
        }
    }

    /** The named destination, or the first configured one holding manifests of the job. */
    static ArtifactCatalog.Listing listing(JobRuntime rt, String job, String destination) {
        if (destination != null) {
            if (!rt.destinations().names().contains(destination)) {
                throw new BackrouteCli.UsageError("unknown destination '" + destination + "'; configured: "
                        + String.join(", ", rt.destinations().names()));
            }
            return ArtifactCatalog.list(rt.destinations().get(destination), job);
        }
        for (String name : rt.destinations().names()) {
            ArtifactCatalog.Listing l = ArtifactCatalog.list(rt.destinations().get(name), job);
            if (!l.artifacts().isEmpty()) {
                return l;
            }
        }
        throw new io.backroute.BackupException("select", "no configured destination holds manifests of job " + job
                + " (checked " + String.join(", ", rt.destinations().names()) + ")");
    }

    static DecryptionKey key(Path keyFile, Path passphraseFile) {
        if (keyFile == null) {
            return null;
        }
        char[] pass;
        if (passphraseFile != null) {
            try {
                pass = io.backroute.config.SecretFiles.readChars(passphraseFile);
            } catch (IOException e) {
                throw new BackrouteCli.UsageError("cannot read the passphrase file " + passphraseFile + ": " + e.getMessage());
            }
        } else {
            String env = System.getenv(PASSPHRASE_ENV);
            pass = env == null ? new char[0] : env.toCharArray();
        }
        return new DecryptionKey(keyFile, pass);
    }

    static Instant parseTime(String at) {
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(at).toInstant();
            } catch (DateTimeParseException e2) {
                throw new BackrouteCli.UsageError("--at '" + at + "' is not an ISO-8601 time such as 2026-11-23T07:00:00Z");
            }
        }
    }

    /** The newest verification of each artifact of a job, by destination and artifact key. */
    static Map<String, VerificationRecord> lastVerifications(RunCatalog catalog, String job) {
        Map<String, VerificationRecord> m = new HashMap<>();
        for (VerificationRecord v : catalog.lastVerifications(job)) {
            m.put(v.destination() + "\n" + v.artifact(), v);
        }
        return m;
    }

    static Map<String, Object> verification(VerificationRecord v) {
        if (v == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", v.time().toString());
        m.put("level", v.level().label());
        m.put("result", v.result());
        m.put("by", v.by());
        m.put("error", v.detail());
        return m;
    }

    /** "full OK 2026-11-23T07:00:00Z", or "never". */
    static String verificationText(VerificationRecord v) {
        return v == null ? "never" : v.level().label() + " " + v.result() + " " + v.time();
    }

    static Map<String, Object> row(ArtifactInfo a, VerificationRecord last) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("destination", a.destination());
        row.put("artifact", a.key());
        row.put("job", a.manifest().job());
        row.put("runId", a.manifest().runId());
        row.put("time", a.time().toString());
        row.put("sourceKind", a.manifest().sourceKind());
        row.put("artifactKind", a.manifest().artifactKind());
        row.put("label", a.manifest().label());
        row.put("storedSize", a.manifest().storedSize());
        row.put("plainSize", a.manifest().plainSize());
        row.put("present", a.present());
        row.put("lastVerification", verification(last));
        return row;
    }

    @Command(name = "list", description = "List the artifacts of a job at a destination, from their manifests, oldest first.")
    static final class ListCmd extends BackrouteCli.Base {
        @Parameters(paramLabel = "JOB", description = "job id")
        String job;

        @Option(names = "--destination", paramLabel = "NAME",
                description = "destination (default: the first configured one holding manifests of the job)")
        String destination;

        @Override
        public Integer call() {
            requireJobId(job);
            try (BackrouteService s = startService()) {
                ArtifactCatalog.Listing l = listing(s.runtime(), job, destination);
                Map<String, VerificationRecord> verified = lastVerifications(s.runtime().catalog(), job);
                List<ArtifactInfo> artifacts = l.artifacts();
                if (json) {
                    out().println(Json.write(artifacts.stream()
                            .map(a -> row(a, verified.get(a.destination() + "\n" + a.key()))).toList()));
                } else {
                    out().printf("Destination %s%n", l.destination());
                    String format = "%-24s %-34s %-8s %-10s %-8s %-38s %s%n";
                    out().printf(format, "TIME", "RUN", "KIND", "STORED", "STATE", "LAST VERIFICATION", "ARTIFACT");
                    for (ArtifactInfo a : artifacts) {
                        out().printf(format, a.time(), a.manifest().runId(), a.manifest().artifactKind(),
                                Units.bytes(a.manifest().storedSize()), a.present() ? "ok" : "MISSING",
                                verificationText(verified.get(a.destination() + "\n" + a.key())), a.key());
                    }
                    l.problems().forEach(p -> out().println("warning: " + p));
                }
                out().flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    /** Options shared by verify and restore. */
    abstract static class Selecting extends BackrouteCli.Base {
        @Parameters(index = "0", paramLabel = "JOB", description = "job id")
        String job;

        @Parameters(index = "1", arity = "0..1", paramLabel = "ARTIFACT", description = "artifact key or file name")
        String artifact;

        @Option(names = "--latest", description = "the newest artifact")
        boolean latest;

        @Option(names = "--destination", paramLabel = "NAME",
                description = "destination (default: the first configured one holding manifests of the job)")
        String destination;

        @Option(names = "--key", paramLabel = "FILE", description = "OpenPGP secret key file (armored or binary)")
        Path key;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "file holding the key's passphrase (default: env " + PASSPHRASE_ENV + ")")
        Path passphraseFile;

        ArtifactInfo select(JobRuntime rt, Instant at) {
            requireJobId(job);
            int ways = (artifact != null ? 1 : 0) + (latest ? 1 : 0) + (at != null ? 1 : 0);
            if (ways > 1) {
                throw new BackrouteCli.UsageError("give only one of ARTIFACT, --latest and --at");
            }
            if (key != null && !Files.isRegularFile(key)) {
                throw new BackrouteCli.UsageError("--key " + key + ": no such file");
            }
            ArtifactCatalog.Listing l = listing(rt, job, destination);
            return ArtifactCatalog.select(l, job, artifact, at);
        }
    }

    @Command(name = "verify", description = "Check an artifact against its manifest; with --key also decrypt, "
            + "decompress and check the dump format. Exit 0 when it is restorable, 1 when not.")
    static final class Verify extends Selecting {
        @Override
        public Integer call() {
            try (BackrouteService s = startService()) {
                JobRuntime rt = s.runtime();
                ArtifactInfo a = select(rt, null);
                Destination d = rt.destinations().get(a.destination());
                VerificationRecord.Level level = key == null ? VerificationRecord.Level.STORED_HASH : VerificationRecord.Level.FULL;
                Verifier.Report r;
                try {
                    r = key == null ? Verifier.verifyStored(d, a)
                            : Verifier.verifyWithKey(d, a, key(key, passphraseFile),
                            Path.of(rt.config().get("backroute.staging-dir", "data/staging")));
                } catch (RuntimeException e) {
                    record(rt, a, level, e instanceof io.backroute.BackupException b ? b.summary() : String.valueOf(e.getMessage()));
                    throw e;
                }
                record(rt, a, level, null);
                if (json) {
                    out().println(Json.write(r));
                } else {
                    out().printf("OK %s at %s (run %s)%n", r.artifact(), r.destination(), r.runId());
                    r.checks().forEach(c -> out().println("  " + c));
                    if (!r.withKey()) {
                        out().println("  (give --key to also decrypt it and check the dump itself)");
                    }
                }
                out().flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    /** Puts a verify outcome in the run catalog, where {@code list} shows it. */
    static void record(JobRuntime rt, ArtifactInfo a, VerificationRecord.Level level, String error) {
        rt.catalog().saveVerification(new VerificationRecord(a.manifest().job(), a.destination(), a.key(), a.manifest().runId(),
                Instant.now(), level, error == null, "verify", error));
    }

    @Command(name = "restore", description = "Restore an artifact into a file, SQLite file, directory, or a "
            + "postgresql:// or mariadb:// database.")
    static final class Restore extends Selecting {
        @Option(names = "--at", paramLabel = "TIME", description = "the newest artifact at or before TIME (ISO-8601)")
        String at;

        @Option(names = "--to", required = true, paramLabel = "TARGET",
                description = "file, directory, postgresql://user@host:port/db or mariadb://user@host:port/db")
        String to;

        @Option(names = "--force", description = "replace an existing file or a non-empty directory")
        boolean force;

        @Option(names = "--clean", description = "restore into a non-empty existing database")
        boolean clean;

        @Option(names = "--db-password-file", paramLabel = "FILE",
                description = "file holding the database password (default: PGPASSWORD / pgpass, MYSQL_PWD / option file)")
        Path dbPasswordFile;

        @Override
        public Integer call() {
            if (key == null) {
                throw new BackrouteCli.UsageError("restore needs the private key: --key FILE");
            }
            if (artifact == null && !latest && at == null) {
                throw new BackrouteCli.UsageError("say which artifact: ARTIFACT, --latest or --at TIME");
            }
            Instant when = at == null ? null : parseTime(at);
            String dbPassword = null;
            if (dbPasswordFile != null) {
                try {
                    dbPassword = io.backroute.config.SecretFiles.read(dbPasswordFile);
                } catch (IOException e) {
                    throw new BackrouteCli.UsageError("cannot read --db-password-file " + dbPasswordFile + ": " + e.getMessage());
                }
            }
            try (BackrouteService s = startService()) {
                JobRuntime rt = s.runtime();
                ArtifactInfo a = select(rt, when);
                Restorer.Result r = Restorer.restore(rt.destinations().get(a.destination()), a, key(key, passphraseFile), to,
                        new Restorer.Options(force, clean, dbPassword));
                if (json) {
                    out().println(Json.write(r));
                } else {
                    out().printf("Restored %s from %s to %s (%s): %s in %s ms%n", r.artifact(), r.destination(), r.target(),
                            r.targetKind(), Units.bytes(r.plainBytes()), r.durationMs());
                }
                out().flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "catalog", description = "Run catalog maintenance.", subcommands = Rebuild.class)
    static final class CatalogCmd implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackrouteCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: rebuild");
        }
    }

    @Command(name = "rebuild", description = "Rebuild the run history from every manifest at a destination "
            + "(after the backup host was lost). Runs already known are kept.")
    static final class Rebuild implements Callable<Integer> {
        @CommandLine.ParentCommand
        CatalogCmd parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "DESTINATION", description = "destination name")
        String from;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @Override
        public Integer call() {
            try (BackrouteService s = BackrouteService.forCommand(parent.parent.configFile())) {
                s.start();
                JobRuntime rt = s.runtime();
                if (!rt.destinations().names().contains(from)) {
                    throw new BackrouteCli.UsageError("unknown destination '" + from + "'; configured: "
                            + String.join(", ", rt.destinations().names()));
                }
                CatalogRebuilder.Result r = CatalogRebuilder.rebuild(rt.destinations().get(from), rt.catalog());
                var out = spec.commandLine().getOut();
                if (json) {
                    out.println(Json.write(r));
                } else {
                    out.printf("Read %d manifests at %s: %d runs added, %d already in the catalog%n", r.manifests(),
                            r.destination(), r.added().size(), r.existing().size());
                    r.problems().forEach(p -> out.println("warning: " + p));
                }
                out.flush();
                return r.problems().isEmpty() ? ExitCodes.SUCCESS : ExitCodes.PARTIAL;
            }
        }
    }
}
