/**
 * Patient keys: ECDSA P-256 key pairs (browsers can use them through WebCrypto), the pseudonym derived
 * from the public key, the passphrase-encrypted key file handed to the patient, and signatures.
 */
package org.phrcloud.identity.keys;
