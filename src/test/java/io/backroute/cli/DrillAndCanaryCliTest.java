package io.backroute.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.backroute.codec.DemoKeys;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the drill and keys canary commands: exit codes, output, a drill recorded in history, a canary at a destination, and the escrow failure message. */
class DrillAndCanaryCliTest {

    @TempDir
    Path tmp;

    Path config;
    String out;
    String err;

    int cli(String... args) {
        CliRun r = CliRun.of(config, args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void drillCommandExitsZeroWhenTheDrillPassesAndOneWhenItFails() throws Exception {
        Workspace ws = new Workspace(tmp);
        ws.set("jobs.demo.drill.key", ws.keys.resolve(DemoKeys.SECRET_FILE).toString())
                .set("jobs.demo.drill.assert.1.sql", "select count(*) from orders").set("jobs.demo.drill.assert.1.expect", "10000");
        config = ws.writeConfig();
        assertThat(cli("drill", "demo")).isEqualTo(ExitCodes.FAILED);
        assertThat(out).contains(": FAILED").contains("error: drill: job demo has no manifested artifact at destination local");

        assertThat(cli("run-now", "demo")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(cli("drill", "demo")).as(err + out).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains(": SUCCESS, restore time ").contains("ok: assertion 1 (select count(*) from orders) returned 10000");

        assertThat(cli("drill", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains("\"status\" : \"SUCCESS\"").contains("\"rtoMillis\"");
    }

    @Test
    void drillOfAJobWithoutADrillIsAUsageError() throws Exception {
        config = new Workspace(tmp).writeConfig();
        assertThat(cli("drill", "demo")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("job demo declares no drill: set jobs.demo.drill.key");
    }

    @Test
    void canaryWrittenToADestinationIsCheckedThereAndAWrongKeyExitsOne() throws Exception {
        Workspace ws = new Workspace(tmp);
        config = ws.writeConfig();
        Path other = DemoKeys.ensure(tmp.resolve("other")).getParent();
        String recipients = ws.keys.resolve(DemoKeys.PUBLIC_FILE) + "," + other.resolve(DemoKeys.PUBLIC_FILE);

        assertThat(cli("keys", "canary", "write", "--recipients", recipients, "--destination", "local")).as(err).isZero();
        assertThat(out).contains("Key canary ").contains("copied to destination local as canary/");
        try (var files = Files.list(ws.backups.resolve("canary"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".gpg"))
                    .anyMatch(n -> n.endsWith(".gpg.manifest.json"));
        }
        assertThat(cli("keys", "canary", "check", "--key", other.resolve(DemoKeys.SECRET_FILE).toString(),
                "--destination", "local")).as(err).isZero();
        assertThat(out).startsWith("OK key canary ");
        assertThat(cli("keys", "canary", "check", "--key", ws.keys.resolve(DemoKeys.SECRET_FILE).toString())).isZero();

        Path stranger = DemoKeys.ensure(tmp.resolve("stranger")).getParent();
        assertThat(cli("keys", "canary", "check", "--key", stranger.resolve(DemoKeys.SECRET_FILE).toString()))
                .isEqualTo(ExitCodes.FAILED);
        assertThat(err).contains("the escrow key no longer decrypts: no key canary at ");
    }
}
