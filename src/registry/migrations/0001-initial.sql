-- camwarden registry: the first schema. Applied once, in a transaction, by src/registry/migrate.ts.
-- Names of sites, gateways and cameras come from MQTT topics and payloads; they reach these tables only as
-- query parameters.

CREATE TABLE sites (
  site        text PRIMARY KEY,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL
);

-- One row per gateway: its latest status (or last will), inventory and audit-chain head.
CREATE TABLE gateways (
  site             text NOT NULL,
  gateway          text NOT NULL,
  state            text,            -- online | offline | stopped; NULL until a status arrives
  boot_id          text,
  status_ts        timestamptz,     -- the status payload's own ts (NULL for a last will)
  version          text,
  policy_revision  text,
  camera_counts    jsonb,           -- {"total","allow","flag","block"} as the gateway reported them
  outbox           jsonb,           -- {"depth","oldestAgeS"}
  inventory        jsonb,           -- the latest inventory document without its cameras (Art 14 filing fields)
  inventory_ts     timestamptz,
  audit_head       text,            -- hash of the newest audit.appended event
  audit_ts         timestamptz,
  first_seen       timestamptz NOT NULL,
  last_seen        timestamptz NOT NULL,
  PRIMARY KEY (site, gateway)
);

-- The latest record of each camera (and recorder), as published on <base>/cameras/<id> and in the inventory.
CREATE TABLE cameras (
  site        text NOT NULL,
  gateway     text NOT NULL,
  id          text NOT NULL,
  record      jsonb NOT NULL,
  kind        text NOT NULL,
  action      text NOT NULL,
  zone        text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  removed_at  timestamptz,          -- the gateway reported it gone (empty retained record, or absent from inventory)
  PRIMARY KEY (site, gateway, id)
);
CREATE INDEX cameras_current ON cameras (action, site, gateway) WHERE removed_at IS NULL;

-- Events, de-duplicated on (site, gateway, id).
CREATE TABLE events (
  site         text NOT NULL,
  gateway      text NOT NULL,
  id           text NOT NULL,
  boot_id      text NOT NULL,
  seq          bigint NOT NULL,
  ts           timestamptz NOT NULL,
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (site, gateway, id)
);
CREATE INDEX events_newest ON events (ts DESC, seq DESC);
CREATE INDEX events_gateway_newest ON events (site, gateway, ts DESC);
CREATE INDEX events_type_newest ON events (type, ts DESC);

-- Per (gateway, bootId): the highest seq seen. Rows are locked while a batch updates the stream's gaps.
CREATE TABLE event_streams (
  site        text NOT NULL,
  gateway     text NOT NULL,
  boot_id     text NOT NULL,
  max_seq     bigint NOT NULL,
  first_seen  timestamptz NOT NULL,
  PRIMARY KEY (site, gateway, boot_id)
);

-- Ranges of seq not (yet) received. A late event shrinks or splits its range; a range that never fills is a loss.
CREATE TABLE event_gaps (
  site         text NOT NULL,
  gateway      text NOT NULL,
  boot_id      text NOT NULL,
  from_seq     bigint NOT NULL,
  to_seq       bigint NOT NULL,
  detected_at  timestamptz NOT NULL,
  PRIMARY KEY (site, gateway, boot_id, from_seq)
);

-- Decision history of each camera, from camera.added, decision.changed and camera.removed events.
CREATE TABLE camera_decisions (
  site             text NOT NULL,
  gateway          text NOT NULL,
  event_id         text NOT NULL,
  camera_id        text NOT NULL,
  at               timestamptz NOT NULL,
  change           text NOT NULL,   -- added | changed | removed
  action           text,
  previous_action  text,
  reasons          jsonb,
  PRIMARY KEY (site, gateway, event_id)
);
CREATE INDEX camera_decisions_camera ON camera_decisions (site, gateway, camera_id, at);

-- Enforcement state per action key, from enforcement.* events (the newest event of a key wins).
CREATE TABLE enforcement (
  site      text NOT NULL,
  gateway   text NOT NULL,
  key       text NOT NULL,
  action    text NOT NULL,
  cameras   jsonb NOT NULL,
  state     text NOT NULL,          -- applied | reverted | failed | planned
  error     text,
  event_id  text NOT NULL,
  ts        timestamptz NOT NULL,
  PRIMARY KEY (site, gateway, key)
);

-- Signed requests seen on <base>/request/<op> (without their signature) and the gateways' responses.
CREATE TABLE requests (
  site         text NOT NULL,
  gateway      text NOT NULL,
  op           text NOT NULL,
  transaction  text NOT NULL,
  key_id       text,
  issued_at    timestamptz,
  expires_at   timestamptz,
  args         jsonb,
  retained     boolean NOT NULL,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  times_seen   integer NOT NULL,
  PRIMARY KEY (site, gateway, op, transaction)
);

CREATE TABLE responses (
  site         text NOT NULL,
  gateway      text NOT NULL,
  op           text NOT NULL,
  transaction  text NOT NULL,
  status       text NOT NULL,
  data         jsonb,
  error        jsonb,
  received_at  timestamptz NOT NULL
);
CREATE INDEX responses_request ON responses (site, gateway, op, transaction);
