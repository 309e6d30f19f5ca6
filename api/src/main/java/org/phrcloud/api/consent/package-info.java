/** {@code /api/consent}: access requests and the patient's signed decisions. */
package org.phrcloud.api.consent;
