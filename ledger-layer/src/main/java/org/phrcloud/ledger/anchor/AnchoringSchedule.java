package org.phrcloud.ledger.anchor;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link Anchorer#runOnce} at a fixed rate in one daemon thread, until closed: a round starts every interval,
 * or right after the previous one when that took longer (a round waits for its anchor's receipt, so rounds never
 * overlap and at most one anchor is mined per chain block). A failing round is logged
 * (without data) and the next one tries again; the outbox keeps everything meanwhile.
 */
public final class AnchoringSchedule implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AnchoringSchedule.class.getName());

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "phr-anchoring");
        t.setDaemon(true);
        return t;
    });

    public AnchoringSchedule(Anchorer anchorer, Duration interval) {
        this(anchorer, interval, null);
    }

    /**
     * @param keys the institution's current JWK Set (read each round); after each round the schedule publishes it on
     *             chain when it differs from what it last saw published ({@link Anchorer#publishKeys}); null: never
     */
    public AnchoringSchedule(Anchorer anchorer, Duration interval, java.util.function.Supplier<String> keys) {
        String[] published = {null};
        executor.scheduleAtFixedRate(() -> {
            try {
                Anchorer.Result result = anchorer.runOnce();
                if (result.outcome() != Anchorer.Outcome.NOTHING_PENDING && result.outcome() != Anchorer.Outcome.STANDBY) {
                    LOG.log(System.Logger.Level.INFO, "anchoring: {0} (anchor {1}, {2} chain heads)", result.outcome(),
                            result.anchorId(), result.leaves());
                }
                String current = keys == null ? null : keys.get();
                if (current != null && !current.equals(published[0]) && anchorer.publishKeys(current)) {
                    published[0] = current;
                    LOG.log(System.Logger.Level.INFO, "published the institution's keys on chain");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "PHR-LEDGER-0506: an anchoring round failed: " + e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
