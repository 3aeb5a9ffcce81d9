package io.backroute.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * Hidden: the training run of bin/backroute's class-data archive. In a throw-away directory, with the demo job
 * and the routes packaged in the jar (never the user's configuration, data or destinations), it backs up,
 * verifies with the key and restores, so the archive holds the classes of all three paths; then it deletes
 * the directory. The launcher runs it once per build with {@code -XX:ArchiveClassesAtExit}.
 */
@Command(name = "cds-train", hidden = true, description = "training run for the start-up class-data archive (bin/backroute)")
final class TrainCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("backroute-cds-train-");
        try {
            Path cfg = dir.resolve("application.properties");
            try (var in = TrainCommand.class.getResourceAsStream("/backroute-config/application.properties")) {
                if (in == null) {
                    throw new IOException("backroute-config/application.properties is not in the jar");
                }
                Files.copy(in, cfg);
            }
            Files.writeString(cfg, "\n# cds-train overrides\n" + String.join("\n",
                    "camel.main.routes-include-pattern=classpath:backroute-routes/pipeline/*.camel.yaml,classpath:backroute-routes/jobs/demo.camel.yaml",
                    "backroute.data-dir=" + dir.resolve("data"),
                    "backroute.staging-dir=" + dir.resolve("data/staging"),
                    "backroute.catalog.file=" + dir.resolve("data/catalog.db"),
                    "backroute.staging.min-free-bytes=0",
                    "backroute.demo.bootstrap=true",
                    "backroute.demo.keys-dir=" + dir.resolve("keys"),
                    "backroute.destinations.local.path=" + dir.resolve("backups"),
                    "jobs.demo.sqlite=" + dir.resolve("data/demo/demo.sqlite"),
                    "jobs.demo.directory=" + dir.resolve("data/demo/files"),
                    "jobs.demo.recipients=" + dir.resolve("keys/demo-public.asc"),
                    "backroute.watchdog.enabled=false",
                    ""), java.nio.file.StandardOpenOption.APPEND);
            PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream(), true);
            java.io.StringWriter errors = new java.io.StringWriter();
            PrintWriter err = new PrintWriter(errors, true);
            String config = cfg.toString();
            int rc = BackrouteCli.execute(quiet, err, "--config", config, "run-now", "demo");
            if (rc != ExitCodes.SUCCESS) {
                System.err.println("cds-train: run-now failed: " + errors);
                return rc;
            }
            String key = dir.resolve("keys/demo-secret.asc").toString();
            List<String> artifacts = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("backups/demo"), "*.gpg")) {
                ds.forEach(p -> artifacts.add(p.getFileName().toString()));
            }
            for (String a : artifacts) {
                rc = Math.max(rc, BackrouteCli.execute(quiet, err, "--config", config, "verify", "demo", a, "--key", key));
                String target = dir.resolve("restored-" + a.replace(".zst.gpg", "")).toString();
                rc = Math.max(rc, BackrouteCli.execute(quiet, err, "--config", config, "restore", "demo", a, "--key", key, "--to", target));
            }
            BackrouteCli.execute(quiet, err, "--config", config, "list", "demo");
            if (rc != ExitCodes.SUCCESS) {
                System.err.println("cds-train: verify/restore failed: " + errors);
            }
            return rc;
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
