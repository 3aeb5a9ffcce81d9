package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backroute.testsupport.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The obligations of {@link Destination}, run against a real server by one subclass per kind.
 * Each test works below its own prefix so tests never see each other's objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DestinationContract {

    private static final AtomicInteger SEQ = new AtomicInteger();

    protected CamelContext camel;
    protected Path work;
    protected Path big;
    protected String bigSha;
    protected Destination destination;
    protected String prefix;

    /** Starts the server; called once per class before {@link #newDestination()}. */
    protected abstract void startServer() throws Exception;

    protected abstract void stopServer() throws Exception;

    protected abstract Destination newDestination();

    /** Leaves an in-flight upload of {@code key} as a crashed run would, older than one hour where the kind allows. */
    protected abstract void plantStaleTemp(String key) throws Exception;

    protected abstract boolean tempExists(String key) throws Exception;

    /** The server-side file holding {@code key}, when the server keeps objects as plain files. */
    protected abstract Optional<Path> backingFile(String key);

    @BeforeAll
    void startAll() throws Exception {
        work = Files.createTempDirectory(getClass().getSimpleName() + "-");
        big = TestFiles.random(work.resolve("big.bin"), 20L * 1024 * 1024 + 12345, 42);
        bigSha = TestFiles.sha256sum(big);
        camel = new DefaultCamelContext();
        camel.start();
        startServer();
    }

    @AfterAll
    void stopAll() throws Exception {
        try {
            stopServer();
        } finally {
            camel.close();
        }
    }

    @BeforeEach
    void open() {
        destination = newDestination();
        prefix = "job" + SEQ.incrementAndGet();
    }

    @AfterEach
    void closeDestination() {
        destination.close();
    }

    protected Path small(String text) throws Exception {
        Path f = work.resolve("small-" + SEQ.incrementAndGet() + ".txt");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void closingAnOpenedStreamTwiceIsHarmless() throws Exception {
        String key = prefix + "/" + prefix + "-20261123T070000Z.sql.zst.gpg";
        destination.put(small("twice"), key);

        java.io.InputStream in = destination.open(key);
        assertThat(TestFiles.sha256(in)).isEqualTo(TestFiles.sha256(Files.newInputStream(small("twice"))));
        // wrappers (try-with-resources over a hashing stream, readers that close their input) close twice
        in.close();
        assertThat(destination.stat(key)).hasValue(5);
    }

    @Test
    void putThenStatListOpenReturnsTheSameBytes() throws Exception {
        String key = prefix + "/" + prefix + "-20261123T070000Z.sqlite.zst.gpg";

        destination.put(big, key);

        assertThat(destination.stat(key)).hasValue(Files.size(big));
        assertThat(destination.list(prefix)).containsExactly(key);
        assertThat(TestFiles.sha256(destination.open(key))).isEqualTo(bigSha);
        Optional<Path> stored = backingFile(key);
        if (stored.isPresent()) {
            assertThat(TestFiles.sha256sum(stored.get())).as("sha256sum of the server's copy").isEqualTo(bigSha);
        }
        assertThat(tempExists(key)).as("temp name left behind").isFalse();
    }

    @Test
    void putRefusesAnExistingKeyAndKeepsTheOriginal() throws Exception {
        String key = prefix + "/a.bin";
        destination.put(small("original"), key);

        assertThatThrownBy(() -> destination.put(small("replacement, longer"), key))
                .isInstanceOfSatisfying(DestinationException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains(destination.name()).contains(key);
                });

        assertThat(TestFiles.sha256(destination.open(key))).isEqualTo(TestFiles.sha256(Files.newInputStream(small("original"))));
    }

    @Test
    void listIsRecursiveSortedAndExcludesTempNames() throws Exception {
        destination.put(small("b"), prefix + "/x/b.bin");
        destination.put(small("a"), prefix + "/a.bin");
        plantStaleTemp(prefix + "/c.bin");

        assertThat(destination.list(prefix)).containsExactly(prefix + "/a.bin", prefix + "/x/b.bin");
    }

    @Test
    void listOfMissingPrefixIsEmpty() {
        assertThat(destination.list(prefix + "/never-written")).isEmpty();
        assertThat(destination.stat(prefix + "/never-written/a.bin")).isEqualTo(OptionalLong.empty());
    }

    @Test
    void deleteRemovesTheKeyAndDeletingAnAbsentKeyIsFine() throws Exception {
        String key = prefix + "/a.bin";
        destination.put(small("x"), key);

        destination.delete(key);
        destination.delete(key);
        destination.delete(prefix + "/never-written/b.bin");

        assertThat(destination.stat(key)).isEmpty();
        assertThat(destination.list(prefix)).isEmpty();
    }

    @Test
    void sweepTempRemovesOnlyOurOldTempNamesAndLeavesOtherFiles() throws Exception {
        String kept = prefix + "/done.bin";
        String crashed = prefix + "/crashed.bin";
        destination.put(small("complete"), kept);
        plantStaleTemp(crashed);

        assertThat(destination.sweepTemp(prefix, Duration.ofDays(1))).as("younger than the grace period").isEmpty();
        assertThat(tempExists(crashed)).isTrue();

        // some servers keep whole-second timestamps: allow the zero-grace sweep to see the temp as old
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(destination.sweepTemp(prefix, Duration.ZERO)).containsExactly(crashed + tempName()));
        assertThat(tempExists(crashed)).isFalse();
        assertThat(destination.list(prefix)).containsExactly(kept);
        assertThat(destination.stat(kept)).hasValue("complete".length());
    }

    /** What sweepTemp reports for a crashed upload of key K: K.part for file-like kinds, K for S3. */
    protected String tempName() {
        return Destination.TEMP_SUFFIX;
    }

    @Test
    void failedPutLeavesNothingVisibleUnderTheKey() {
        String key = prefix + "/a.bin";

        assertThatThrownBy(() -> destination.put(work.resolve("no-such-staging-file"), key))
                .isInstanceOf(DestinationException.class)
                .hasMessageContaining(destination.name());

        assertThat(destination.stat(key)).isEmpty();
        assertThat(destination.list(prefix)).isEmpty();
    }

    @Test
    void locationNamesTheTargetWithoutSecrets() {
        assertThat(destination.location()).isNotBlank().doesNotContainIgnoringCase("secret").doesNotContain("Pw");
    }
}
