/** {@code /api/ledger}: a patient's chain and its verification, for whoever may read the patient's record. */
package org.phrcloud.api.ledger;
