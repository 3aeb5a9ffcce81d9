package io.backroute.testsupport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A bean a test job passes through: signals it arrived, then waits until the test opens the gate. */
public final class Gate {

    public final CountDownLatch arrived = new CountDownLatch(1);
    public final CountDownLatch open = new CountDownLatch(1);
    private volatile Runnable onArrival = () -> { };

    public Gate onArrival(Runnable r) {
        this.onArrival = r;
        return this;
    }

    public void pass() throws InterruptedException {
        onArrival.run();
        arrived.countDown();
        if (!open.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test gate was never opened");
        }
    }
}
