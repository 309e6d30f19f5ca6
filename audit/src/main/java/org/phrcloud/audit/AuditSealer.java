package org.phrcloud.audit;

import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.core.ledger.BlockAuthor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import org.phrcloud.database.Lease;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hash-chains the audit log: every interval, the AuditEvents not yet sealed, oldest first (at most {@value #BATCH} a
 * round), become the entries of ONE block appended to the institution's audit chain ({@link AuditLog#chainPseudonym}):
 * type AuditEvent, the event id, version 1, create, the content hash of its JSON; signed by the institution like
 * every block. The ledger anchors that chain's head with the patients' heads, so a deleted, altered or reordered
 * AuditEvent no longer matches an anchored chain. Rows and block commit together.
 *
 * <p>Every replica of the server schedules sealing; with a {@link Lease} only the holder of the lease
 * {@code audit-sealing} seals (renewed inside the sealing transaction, which also fences a holder that paused past
 * its lease), so the audit chain never forks. Without a lease every call seals (tests, one server).
 */
public class AuditSealer implements AutoCloseable {
    static final int BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(AuditSealer.class);

    private final AuditLog log;
    private final JdbcChainStore chains;
    private final BlockAuthor author;
    private final TransactionTemplate transactions;
    private final String pseudonym;
    private final ScheduledExecutorService timer;
    private final Lease lease;

    /** @param intervalMillis how often to seal; 0 or less: never by itself (tests call {@link #sealOnce}) */
    public AuditSealer(AuditLog log, JdbcChainStore chains, BlockAuthor author, PlatformTransactionManager transactionManager,
                       long intervalMillis) {
        this(log, chains, author, transactionManager, intervalMillis, null);
    }

    /** @param lease the lease {@code audit-sealing} every replica shares, or null when this is the only server */
    public AuditSealer(AuditLog log, JdbcChainStore chains, BlockAuthor author, PlatformTransactionManager transactionManager,
                       long intervalMillis, Lease lease) {
        this.lease = lease;
        this.log = log;
        this.chains = chains;
        this.author = author;
        this.transactions = new TransactionTemplate(transactionManager);
        this.pseudonym = AuditLog.chainPseudonym(author.institution());
        if (intervalMillis > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "phr-audit-sealer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::sealQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    /** @return the number of AuditEvents sealed in this round (0 when none waited, or another replica holds the lease) */
    public synchronized int sealOnce() {
        if (lease != null && !lease.acquire()) {
            return 0;
        }
        Integer sealed = transactions.execute(status -> log.inTransaction(c -> {
            if (lease != null && !lease.renew(c)) {
                return 0;
            }
            List<AuditLog.Stored> rows = log.unsealed(c, BATCH);
            if (rows.isEmpty()) {
                return 0;
            }
            List<Entry> entries = rows.stream().map(r -> new Entry("AuditEvent", r.eventId(), "1", Operation.CREATE, r.contentHash())).toList();
            Block block = chains.append(pseudonym, author.keyId(), "audit-sealer", entries, author.signer());
            log.markSealed(c, rows, block.height());
            return rows.size();
        }));
        return sealed == null ? 0 : sealed;
    }

    /** The audit chain's reserved pseudonym. */
    public String pseudonym() {
        return pseudonym;
    }

    private void sealQuietly() {
        try {
            while (sealOnce() == BATCH) {
                // more waited than one block takes
            }
        } catch (RuntimeException e) {
            LOG.warn("PHR-AUDIT-0501: sealing the audit log failed; the next round retries: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
