package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions shared by the fault tests: the error's class, permanence, the destination's name, no secret anywhere in the chain. */
final class Faults {

    private Faults() { }

    static void assertFails(ThrowingCallable call, String destination, boolean permanent, String... secrets) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DestinationException.class, e -> {
            assertThat(e.destination()).isEqualTo(destination);
            assertThat(e.getMessage()).startsWith(destination + ": ");
            assertThat(e.permanent()).as("permanent? " + e.getMessage()).isEqualTo(permanent);
            for (Throwable c = e; c != null; c = c.getCause()) {
                for (String secret : secrets) {
                    assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
                    assertThat(c.toString()).doesNotContain(secret);
                }
            }
        });
    }
}
