/**
 * Merkle trees over chain heads, with inclusion and consistency proofs, exactly as RFC 9162 (Certificate
 * Transparency 2.0) section 2.1 defines them: leaf hash SHA-256(0x00 || d), node hash SHA-256(0x01 || l || r).
 */
package org.phrcloud.ledger.merkle;
