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

    /** How often the lease holder reads the institution's JWK Set to publish a rotation: at most this long after it. */
    public static final Duration KEY_CHECK = Duration.ofMinutes(1);

    /**
     * @param keys the institution's current JWK Set; read only by the anchoring lease holder (a standby replica never
     *             reads it), in its first round and then every {@link #KEY_CHECK}, and published on chain when it
     *             differs from what was last published ({@link Anchorer#publishKeys}); null: never
     */
    public AnchoringSchedule(Anchorer anchorer, Duration interval, java.util.function.Supplier<String> keys) {
        String[] published = {null};
        KeyCheck check = new KeyCheck(Math.max(1, KEY_CHECK.toMillis() / Math.max(1, interval.toMillis())));
        executor.scheduleAtFixedRate(() -> {
            try {
                Anchorer.Result result = anchorer.runOnce();
                if (result.outcome() != Anchorer.Outcome.NOTHING_PENDING && result.outcome() != Anchorer.Outcome.STANDBY) {
                    LOG.log(System.Logger.Level.INFO, "anchoring: {0} (anchor {1}, {2} chain heads)", result.outcome(),
                            result.anchorId(), result.leaves());
                }
                String current = keys == null || !check.due(result.outcome(), published[0] != null) ? null : keys.get();
                if (current != null && !current.equals(published[0]) && anchorer.publishKeys(current)) {
                    published[0] = current;
                    LOG.log(System.Logger.Level.INFO, "published the institution's keys on chain");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "PHR-LEDGER-0506: an anchoring round failed: " + e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * When the keys are read: never in a standby round; in a lease holder's round when nothing was published yet, and
     * else every {@code everyRounds}-th round of this schedule.
     */
    static final class KeyCheck {
        private final long everyRounds;
        private long round;

        KeyCheck(long everyRounds) {
            this.everyRounds = everyRounds;
        }

        boolean due(Anchorer.Outcome outcome, boolean published) {
            round++;
            if (outcome == Anchorer.Outcome.STANDBY) {
                return false;
            }
            return !published || round % everyRounds == 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
