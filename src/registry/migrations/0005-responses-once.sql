-- A response is stored once per (request, content): the broker delivering it again after a crash, or the gateway
-- publishing it twice, adds no row (docs/registry.md). `digest` names the content (status, data, error) and is
-- computed by the same expression here and in store-requests.ts; `received_at` is when it first arrived,
-- `last_seen` when it last arrived as a new delivery, `deliveries` the last ones counted (as for requests).
CREATE TABLE responses_once (
  site         text NOT NULL,
  gateway      text NOT NULL,
  op           text NOT NULL,
  transaction  text NOT NULL,
  status       text NOT NULL,
  data         jsonb,
  error        jsonb,
  digest       text NOT NULL,
  received_at  timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  deliveries   text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (site, gateway, op, transaction, digest)
);
-- the copies stored before collapse into one, first and last arrival kept
INSERT INTO responses_once (site, gateway, op, transaction, status, data, error, digest, received_at, last_seen)
SELECT site, gateway, op, transaction, status, data, error,
       encode(sha256(convert_to(jsonb_build_array(status, data, error)::text, 'UTF8')), 'hex'),
       min(received_at), max(received_at)
FROM responses
GROUP BY site, gateway, op, transaction, status, data, error;
DROP TABLE responses;
ALTER TABLE responses_once RENAME TO responses;
