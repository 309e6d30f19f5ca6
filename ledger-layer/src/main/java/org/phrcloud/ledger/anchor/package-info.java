/**
 * Anchoring (ARCHITECTURE.md write path step 5): the outbox of new blocks is drained into one Merkle root per
 * interval, sent to the {@code AnchorRegistry} contract through web3j; generated wrappers live in
 * {@code contracts}.
 */
package org.phrcloud.ledger.anchor;
