/**
 * Demographics at rest: envelope encryption (a data key per record, wrapped by a master key that can be
 * rotated) and a blind index that makes identifiers searchable without decrypting them.
 */
package org.phrcloud.identity.demographics;
