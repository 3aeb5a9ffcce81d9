package io.backroute.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.backroute.BackrouteService;
import io.backroute.codec.DemoKeys;
import io.backroute.testsupport.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves that bad configuration fails at startup with one message listing every problem, and nothing is scheduled. */
class StartupValidationTest {

    @TempDir
    Path tmp;

    @Test
    void listsEveryProblemOfEveryJobInOneMessage() throws Exception {
        Path privateKeyDir = Files.createDirectories(tmp.resolve("other-keys"));
        DemoKeys.ensure(privateKeyDir);
        Path notAKey = Files.writeString(tmp.resolve("notes.txt"), "hello, I am not a key\n");
        Path notSqlite = Files.writeString(tmp.resolve("db.sqlite"), "not a database");
        Workspace ws = new Workspace(tmp, "file:src/test/resources/routes/invalid/*.camel.yaml")
                .set("jobs.demo.cron", "0 0 25 * * ?")
                .set("jobs.misfit.cron", "0 0 2 * * ?")
                .set("jobs.misfit.sqlite", notSqlite.toString())
                .set("jobs.misfit.recipients", notAKey + "," + privateKeyDir.resolve("demo-secret.asc") + "," + tmp.resolve("missing.asc"));
        BackrouteService service = ws.service();
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, service::start);
        service.close();

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("Backroute configuration has").contains("nothing was scheduled");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("job demo").contains("cron '0 0 25 * * ?' is invalid"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("job misfit").contains("level=42"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("job misfit").contains("notes.txt"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("demo-secret.asc").containsIgnoringCase("private"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("missing.asc"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("destination 'nowhere' is not declared"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("job misfit").containsIgnoringCase("sqlite"));
        assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(7);
        assertThat(service.camel() == null || !service.camel().isStarted()).isTrue();
    }

    @Test
    void missingRecipientFileOfTheDemoJobIsAStartupError() {
        Workspace ws;
        try {
            ws = new Workspace(tmp).set("jobs.demo.recipients", tmp.resolve("nowhere/ops.asc").toString());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        BackrouteService service = ws.service();
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, service::start);
        service.close();
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p).contains("job demo").contains("ops.asc"));
    }

    @Test
    void destinationUnderARegularFileIsAStartupError() throws Exception {
        Path file = Files.writeString(tmp.resolve("occupied"), "x");
        Workspace ws = new Workspace(tmp).set("backroute.destinations.local.path", file.resolve("backups").toString());
        BackrouteService service = ws.service();
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, service::start);
        service.close();
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p).contains("backroute.destinations.local.path")
                .contains("not a writable directory"));
    }

    @Test
    void destinationTimeoutWithoutAUnitIsAStartupError() throws Exception {
        Workspace ws = new Workspace(tmp).set("backroute.destinations.local.timeout", "30000");
        BackrouteService service = ws.service();
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, service::start);
        service.close();
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                .contains("backroute.destinations.local.timeout: 30000 is not a duration with a unit").contains("socketTimeout"));
    }
}
