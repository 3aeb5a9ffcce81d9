package io.backroute.cli;

import io.backroute.BackrouteService;
import io.backroute.pipeline.JobRuntime;
import io.backroute.restore.KeyCanary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keys canary write|check}: the key canary that proves an escrow private key still decrypts. */
@Command(name = "keys", description = "Key management.", subcommands = KeysCommand.Canary.class)
final class KeysCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    BackrouteCli parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: canary");
    }

    @Command(name = "canary", description = "Write or check the key canary.", subcommands = {Write.class, Check.class})
    static final class Canary implements Callable<Integer> {
        @CommandLine.ParentCommand
        KeysCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: write or check");
        }

        BackrouteService start() {
            BackrouteService s = BackrouteService.forCommand(parent.parent.configFile());
            try {
                s.start();
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            return s;
        }

        static void requireDestination(JobRuntime rt, String d) {
            if (d != null && !rt.destinations().names().contains(d)) {
                throw new BackrouteCli.UsageError("unknown destination '" + d + "'; configured: "
                        + String.join(", ", rt.destinations().names()));
            }
        }
    }

    @Command(name = "write", description = "Write a small encrypted canary for a recipient set to <data-dir>/canary/ "
            + "(and to a destination as canary/<id>.gpg with a manifest).")
    static final class Write implements Callable<Integer> {
        @CommandLine.ParentCommand
        Canary parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--recipients", required = true, split = ",", paramLabel = "FILE",
                description = "public key files, comma separated (the same set the jobs encrypt to)")
        List<Path> recipients;

        @Option(names = "--destination", paramLabel = "NAME", description = "also copy it to this destination")
        String destination;

        @Override
        public Integer call() throws IOException {
            try (BackrouteService s = parent.start()) {
                JobRuntime rt = s.runtime();
                Canary.requireDestination(rt, destination);
                KeyCanary.Written w = KeyCanary.write(recipients, rt.config().dataDir());
                if (destination != null) {
                    KeyCanary.upload(w, rt.destinations().get(destination));
                }
                var out = spec.commandLine().getOut();
                out.printf("Key canary %s written for %s%n", w.file(), String.join(", ", w.fingerprints()));
                if (destination != null) {
                    out.printf("  copied to destination %s as %s/%s.gpg%n", destination, KeyCanary.FOLDER, w.id());
                }
                out.flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "check", description = "Decrypt the key canaries written for a secret key and compare their content. "
            + "Exit 0 when the key decrypts them, 1 when not.")
    static final class Check implements Callable<Integer> {
        @CommandLine.ParentCommand
        Canary parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "OpenPGP secret key file (the escrow key)")
        Path key;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "file holding the key's passphrase (default: env " + RestoreCommands.PASSPHRASE_ENV + ")")
        Path passphraseFile;

        @Option(names = "--destination", paramLabel = "NAME", description = "check the canary at this destination "
                + "instead of the data directory")
        String destination;

        @Override
        public Integer call() {
            try (BackrouteService s = parent.start()) {
                JobRuntime rt = s.runtime();
                Canary.requireDestination(rt, destination);
                var k = RestoreCommands.key(key, passphraseFile);
                List<KeyCanary.Checked> ok = destination == null ? KeyCanary.check(rt.config().dataDir(), k)
                        : KeyCanary.check(rt.destinations().get(destination), k);
                var out = spec.commandLine().getOut();
                ok.forEach(c -> out.printf("OK key canary %s (written %s) decrypts with %s%n", c.location(), c.written(), key));
                out.flush();
                return ExitCodes.SUCCESS;
            }
        }
    }
}
