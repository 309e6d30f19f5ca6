/**
 * Layer 2 of PHR Cloud: one hash-linked, signed chain of blocks per patient, Merkle roots over chain
 * heads anchored on a permissioned Ethereum chain. Plain Java (ARCHITECTURE.md, "Decisions").
 * The chain tooling (anvil, solc) is installed from npm by {@code package.json} beside this module's pom.
 */
package org.phrcloud.ledger;
