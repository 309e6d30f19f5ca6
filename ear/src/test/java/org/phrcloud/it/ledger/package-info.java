/** Integration tests of the ledger layer on the running platform: anchoring across chain outages and server crashes. */
package org.phrcloud.it.ledger;
