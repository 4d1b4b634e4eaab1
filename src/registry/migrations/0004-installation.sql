-- One row: a random id made once per database. The registry's default MQTT client id is derived from it, so the
-- broker session (and what it queued) follows the database, not the host name or the listen port.
CREATE TABLE installation (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  id  uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO installation DEFAULT VALUES;
