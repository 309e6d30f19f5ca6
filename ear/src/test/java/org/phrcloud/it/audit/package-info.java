/** The audit trail end to end: one AuditEvent per request, what the patient sees of it, sealing. */
package org.phrcloud.it.audit;
