-- HL7 v2 messages processed, once each: sending facility (MSH-4) + message control id (MSH-10).
-- The row is written in the same transaction as the message's FHIR resources; a resend gets the stored ACK.
CREATE TABLE phr_hl7v2_message (
    sending_facility VARCHAR(227)             NOT NULL,
    control_id       VARCHAR(199)             NOT NULL,
    message_type     VARCHAR(15)              NOT NULL,
    received_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    ack              TEXT                     NOT NULL,
    PRIMARY KEY (sending_facility, control_id)
);
