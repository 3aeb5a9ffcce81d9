package io.backroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the manifest's restore hint is the standard-tools command for each artifact kind and codec chain. */
class RestoreHintsTest {

    @Test
    void everyKindGetsItsStandardToolCommand() {
        List<String> zstdGpg = List.of("zst", "gpg");
        assertThat(RestoreHints.restore("a.sqlite.zst.gpg", zstdGpg, "sqlite", "sqlite"))
                .isEqualTo("gpg --decrypt a.sqlite.zst.gpg | zstd -d > restored.sqlite && sqlite3 restored.sqlite 'PRAGMA integrity_check'");
        assertThat(RestoreHints.restore("a.tar.zst.gpg", zstdGpg, "directory", "tar"))
                .isEqualTo("mkdir -p restored && gpg --decrypt a.tar.zst.gpg | zstd -d | tar -x -C restored");
        assertThat(RestoreHints.restore("a.pgdump.zst.gpg", zstdGpg, "postgresql", "pgdump"))
                .isEqualTo("createdb NEWDB && gpg --decrypt a.pgdump.zst.gpg | zstd -d | pg_restore --no-owner -d NEWDB");
        assertThat(RestoreHints.restore("a.sql.zst.gpg", zstdGpg, "mariadb", "sql"))
                .isEqualTo("mariadb -e 'CREATE DATABASE NEWDB' && gpg --decrypt a.sql.zst.gpg | zstd -d | mariadb NEWDB");
        assertThat(RestoreHints.restore("g.sql.gz.gpg", List.of("gz", "gpg"), "postgresql", "sql"))
                .isEqualTo("gpg --decrypt g.sql.gz.gpg | gzip -d | psql -d postgres");
    }
}
