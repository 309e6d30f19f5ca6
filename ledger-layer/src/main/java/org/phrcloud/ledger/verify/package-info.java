/**
 * The standalone verifier (ARCHITECTURE.md write path step 6): checks an exported chain
 * ({@link org.phrcloud.ledger.anchor.ChainExport}) with nothing but the institutions' public keys (a JWK Set) and a
 * JSON-RPC node of the chain. {@link org.phrcloud.ledger.verify.ChainExportVerifier} is the library,
 * {@code org.phrcloud.tools.VerifyCommand} (tools module) the command line.
 */
package org.phrcloud.ledger.verify;
