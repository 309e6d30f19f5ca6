-- "What did I access": a person's own AuditEvents, newest first (GET /api/audit/my-actions).
CREATE INDEX phr_audit_event_actor ON phr_audit_event (actor, seq);
