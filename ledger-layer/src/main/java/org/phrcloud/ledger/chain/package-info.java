/**
 * One patient's chain: blocks with a canonical byte encoding, hash links, a Merkle root over the block's
 * entries, and the author institution's signature; and the verifier that checks a whole chain.
 */
package org.phrcloud.ledger.chain;
