package io.backroute.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.BackrouteService;
import io.backroute.config.ConfigurationException;
import io.backroute.testsupport.Workspace;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves drill properties parse with their defaults, every mistake is reported at once, the scratch name must say "drill", and startup refuses an invalid drill. */
class DrillSpecTest {

    @TempDir
    Path tmp;

    @Test
    void noDrillPropertiesMeansNoDrill() {
        assertThat(DrillSpec.parse("orders-db", Map.of())).isEmpty();
    }

    @Test
    void parsesEveryPropertyWithDefaultsAndMasksThePassword() {
        DrillSpec s = DrillSpec.parse("orders-db", Map.of("key", "/etc/backroute/escrow.asc", "cron", "0 0 5 ? * SUN",
                "db-url", "postgresql://drill@127.0.0.1:5432/", "db-password", "s3cret",
                "assert.2.sql", "select count(*) from orders", "assert.2.expect", " 42 ",
                "assert.1.sql", "select max(id) from customers", "assert.1.expect", "7", "assert.1.label", "orders")).orElseThrow();
        assertThat(s.target()).isEqualTo("orders_db_drill");
        assertThat(s.destination()).isNull();
        assertThat(s.dbUrl()).isEqualTo("postgresql://drill@127.0.0.1:5432");
        assertThat(s.keyFile()).isEqualTo(Path.of("/etc/backroute/escrow.asc"));
        assertThat(s.rowCounts()).isTrue();
        assertThat(s.rowTolerancePercent()).isEqualTo(50.0);
        assertThat(s.assertions()).containsExactly(
                new DrillSpec.Assertion("1", "select max(id) from customers", "7", "orders"),
                new DrillSpec.Assertion("2", "select count(*) from orders", "42", null));
        assertThat(s.toString()).doesNotContain("s3cret").contains("dbPassword=********");
    }

    @Test
    void reportsEveryProblemTogether() {
        assertThatThrownBy(() -> DrillSpec.parse("orders", Map.of("cron", "every day", "target", "orders",
                "db-url", "postgresql://u:pw@host:5432", "assert.1.sql", "select 1", "colour", "blue",
                "row-tolerance-percent", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobs.orders.drill.key is missing")
                .hasMessageContaining("jobs.orders.drill.cron 'every day' is invalid")
                .hasMessageContaining("jobs.orders.drill.target 'orders' must contain 'drill'")
                .hasMessageContaining("jobs.orders.drill.db-url must not contain a password")
                .hasMessageContaining("jobs.orders.drill.assert.1 needs both .sql and .expect")
                .hasMessageContaining("jobs.orders.drill.colour is not a drill property")
                .hasMessageContaining("jobs.orders.drill.row-tolerance-percent 'lots' is not a number")
                .message().doesNotContain("pw@");
    }

    @Test
    void startupRefusesAnInvalidDrillListingItsProblems() throws Exception {
        Workspace ws = new Workspace(tmp).set("jobs.demo.drill.target", "demo").set("jobs.demo.drill.destination", "nas");
        try (BackrouteService s = ws.service()) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("jobs.demo.drill.key is missing")
                    .hasMessageContaining("jobs.demo.drill.target 'demo' must contain 'drill'");
        }
        Workspace ws2 = new Workspace(tmp.resolve("2")).set("jobs.demo.drill.key", "k.asc").set("jobs.demo.drill.destination", "nas");
        try (BackrouteService s = ws2.service()) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("jobs.demo.drill.destination: unknown destination 'nas'");
        }
    }
}
