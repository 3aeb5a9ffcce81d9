package io.backroute.restore;

import io.backroute.testsupport.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced blocks of docs/restore.md and the one way the runbook tests run a {@code bash} block: literally, with
 * {@code bash -o pipefail -e}, given only the shell variables the block's comments name.
 */
final class RunbookBlocks {

    static final Path DOC = Path.of("docs/restore.md");

    /** Blocks that no test runs, each with the reason; every other {@code bash} block is run by a runbook test. */
    static final Map<String, String> NOT_RUN = Map.of(
            "postgresql-globals", "it re-creates every role of a cluster: run against the shared test server it would"
                    + " resurrect roles other tests just dropped and touch every role's password; the same psql load of a"
                    + " real pg_dumpall --globals-only dump is proven by PostgresSourceIT.globalsUnitRestoresADroppedRoleWithPsql");

    private static final Pattern FENCE = Pattern.compile("^```([a-z]*)\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);
    private static final Pattern TEST_NAME = Pattern.compile("\\A# test: ([a-z0-9-]+)\\n");
    private static final Set<String> RAN = ConcurrentHashMap.newKeySet();

    private RunbookBlocks() { }

    /** One fenced block: its info string ({@code bash}, {@code text}, ...), its {@code # test:} name or null, its text. */
    record Block(String language, String name, String body) { }

    static List<Block> all() {
        try {
            List<Block> out = new ArrayList<>();
            Matcher m = FENCE.matcher(Files.readString(DOC));
            while (m.find()) {
                Matcher n = TEST_NAME.matcher(m.group(2));
                out.add(new Block(m.group(1), n.find() ? n.group(1) : null, m.group(2)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The named {@code bash} blocks, in document order. */
    static Map<String, String> shell() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Block b : all()) {
            if (b.language().equals("bash") && b.name() != null) {
                if (out.put(b.name(), b.body()) != null) {
                    throw new AssertionError("two blocks named " + b.name() + " in " + DOC);
                }
            }
        }
        return out;
    }

    /** Names of the blocks run so far in this JVM. */
    static Set<String> ran() {
        return Set.copyOf(RAN);
    }

    /**
     * After a runbook test class: when all of its tests ran (not a selection such as {@code -Dtest=Class#method}),
     * every block it claims in its {@code BLOCKS} was run.
     */
    static void assertClaimedBlocksRan(Class<?> testClass, int testsRun, List<String> claimed) {
        long tests = java.util.Arrays.stream(testClass.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(org.junit.jupiter.api.Test.class)).count();
        if (testsRun == tests) {
            org.assertj.core.api.Assertions.assertThat(ran()).as("blocks %s claims to run", testClass.getSimpleName())
                    .containsAll(claimed);
        }
    }

    /**
     * Runs a block literally in {@code workDir} with the documented variables set. The documented
     * {@code mktemp -d} GNUPGHOME starts a gpg-agent: its socket path must stay short (108 bytes), so TMPDIR is a
     * fresh directory under /tmp, and every agent started there is stopped afterwards.
     */
    static Tools.Result run(String name, Map<String, String> variables, Path workDir) throws Exception {
        String body = shell().get(name);
        if (body == null) {
            throw new AssertionError(DOC + " has no bash block '# test: " + name + "'");
        }
        Files.createDirectories(workDir);
        Path gpgTemp = Files.createTempDirectory(Path.of("/tmp"), "br-runbook-");
        Map<String, String> env = new HashMap<>(variables);
        env.put("TMPDIR", gpgTemp.toString());
        try {
            RAN.add(name);
            return Tools.exec(env, workDir, "bash", "-o", "pipefail", "-ec", body);
        } finally {
            try (var homes = Files.list(gpgTemp)) {
                for (Path home : (Iterable<Path>) homes::iterator) {
                    Tools.exec(Map.of(), null, "gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent");
                }
            }
            Tools.exec(Map.of(), null, "rm", "-rf", gpgTemp.toString());
        }
    }

    /** Runs a block that must succeed; fails the test with its output otherwise. Returns stdout. */
    static String succeed(String name, Map<String, String> variables, Path workDir) throws Exception {
        Tools.Result r = run(name, variables, workDir);
        if (r.exit() != 0) {
            throw new AssertionError("runbook block " + name + " exited " + r.exit() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err());
        }
        return r.out();
    }
}
