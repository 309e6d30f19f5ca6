/** What is checked and reported about an anonymized release before it leaves the platform. */
package org.phrcloud.research.anonymization.release;
