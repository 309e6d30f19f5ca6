/** Research data sets end to end: Synthea patients, research consent, anonymized release, audit. */
package org.phrcloud.it.research;
