package io.backroute.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backroute.testsupport.Workspace;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the CLI contract: run-now exit codes and output, jobs, history, --json, and one clear line for bad input. */
class CliTest {

    @TempDir
    Path tmp;

    Path config;
    String out;
    String err;

    @BeforeEach
    void setUp() throws Exception {
        config = new Workspace(tmp).writeConfig();
    }

    int cli(String... args) {
        CliRun r = CliRun.of(config, args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void runNowPrintsStatusArtifactsAndRestoreCommands() {
        assertThat(cli("run-now", "demo")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains(": SUCCESS").contains(".sqlite.zst.gpg").contains(".tar.zst.gpg")
                .contains("gpg --batch --import").contains("demo-secret.asc")
                .contains("| zstd -d > restored.sqlite").contains("| tar -x -C restored");
    }

    @Test
    void historyAndJobsReflectTheRunAsTextAndJson() throws Exception {
        assertThat(cli("run-now", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode run = Json.MAPPER.readTree(out);
        assertThat(run.get("status").asText()).isEqualTo("SUCCESS");

        assertThat(cli("history", "demo", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode history = Json.MAPPER.readTree(out);
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("runId").asText()).isEqualTo(run.get("runId").asText());

        assertThat(cli("history", "demo")).isEqualTo(ExitCodes.SUCCESS);
        assertThat(out).contains(run.get("runId").asText()).contains("SUCCESS");

        assertThat(cli("jobs", "--json")).isEqualTo(ExitCodes.SUCCESS);
        JsonNode jobs = Json.MAPPER.readTree(out);
        assertThat(jobs).anySatisfy(j -> {
            assertThat(j.get("job").asText()).isEqualTo("demo");
            assertThat(j.get("lastStatus").asText()).isEqualTo("SUCCESS");
            assertThat(j.get("schedule").asText()).isEqualTo("0 0 * * * ?");
            assertThat(j.get("nextFire").isNull()).isFalse();
        });
    }

    @Test
    void unknownJobIsOneClearLineWithTheUsageExitCode() {
        assertThat(cli("run-now", "nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.trim()).isEqualTo("backroute: unknown job 'nope'; known jobs: demo");
    }

    @Test
    void badFlagGivesTheUsageExitCode() {
        assertThat(cli("history", "demo", "--limit", "many")).isEqualTo(ExitCodes.USAGE);
        assertThat(err).contains("--limit");
    }

    @Test
    void invalidConfigurationExitsWithTheConfigCode() throws Exception {
        config = new Workspace(tmp.resolve("bad")).set("jobs.demo.cron", "every hour").writeConfig();
        assertThat(cli("jobs")).isEqualTo(ExitCodes.CONFIG);
        assertThat(err).contains("Backroute configuration has 1 problem").contains("cron 'every hour' is invalid");
    }
}
