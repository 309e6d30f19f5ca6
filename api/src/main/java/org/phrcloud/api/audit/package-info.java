/** {@code /api/audit}: who accessed a record, for the patient; AuditEvents by request or patient, for admins and systems. */
package org.phrcloud.api.audit;
