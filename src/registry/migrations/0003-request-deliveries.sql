-- The last deliveries (MQTT session and packet id) counted in a request's times_seen: a message the broker delivers
-- again after a crash (stored, not yet acknowledged) carries the same one and is not counted twice.
ALTER TABLE requests ADD COLUMN deliveries text[] NOT NULL DEFAULT '{}';
