package io.backroute.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden-file comparison: byte for byte, rewritten only when the build runs with -Dgolden.update=true. */
public final class Golden {

    public static final Path ROOT = Path.of("src/test/resources/golden");

    private Golden() {
    }

    public static boolean updating() {
        return Boolean.getBoolean("golden.update");
    }

    /** Compares {@code actual} with the golden file {@code relative} under {@link #ROOT}. */
    public static void assertMatches(String relative, byte[] actual) throws IOException {
        Path file = ROOT.resolve(relative);
        if (updating()) {
            Files.createDirectories(file.getParent());
            Files.write(file, actual);
        }
        assertThat(file).as("golden file %s (regenerate with -Dgolden.update=true)", file).exists();
        byte[] expected = Files.readAllBytes(file);
        if (!java.util.Arrays.equals(expected, actual)) {
            // Comparing as text gives a readable diff; the byte check above is the real assertion.
            assertThat(new String(actual, StandardCharsets.UTF_8))
                    .as("golden file %s (regenerate with -Dgolden.update=true)", file)
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            assertThat(actual).as("golden file %s bytes", file).isEqualTo(expected);
        }
    }
}
