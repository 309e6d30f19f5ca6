/** Privacy models tested on one equivalence class at a time. */
package org.phrcloud.research.anonymization.privacy;
