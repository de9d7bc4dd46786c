-- Requests from the privacy protocols (DRP, OpenGDPR, Transcend) beside the Worker's own JSON API (`api`):
-- which protocol a request came in, its id there (one request per id and protocol: a repeat finds the first),
-- and where to report its outcome. `callback` is the CallbackTarget as JSON (the URLs, the protocol's id,
-- extras such as Transcend's nonce or OpenGDPR's controller id): never a user id.
ALTER TABLE requests ADD COLUMN protocol TEXT NOT NULL DEFAULT 'api';
ALTER TABLE requests ADD COLUMN external_id TEXT;
ALTER TABLE requests ADD COLUMN callback TEXT;
CREATE UNIQUE INDEX requests_by_external_id ON requests (protocol, external_id) WHERE external_id IS NOT NULL;
-- requests.status gains `cancelled`: withdrawn (DRP revoke, OpenGDPR cancel) before it reached a window.

-- The SHA-256 of the receipt as stored in RECEIPTS: every report names the receipt by its key and this digest.
ALTER TABLE windows ADD COLUMN receipt_sha256 TEXT;

-- One outcome report per request that came through a protocol with somewhere to report to, made when its
-- window settles and sent from the callback queue until the callee accepts it (at-least-once).
-- (request_id is a requests.id, unenforced like the status page's view of it: only request-ledger.ts writes here.)
CREATE TABLE callbacks (
  request_id TEXT PRIMARY KEY,
  protocol TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  delivered_at INTEGER,
  -- The last failed attempt's HTTP status or error, for the operator (never a body: it may quote an id).
  last_error TEXT,
  created_at INTEGER
);
CREATE INDEX callbacks_pending ON callbacks (delivered_at, next_attempt_at);

-- What the protocols keep (DRP's paired agents and token hashes, request records, replay guards; OpenGDPR's
-- request records): the ProtocolStore, with an expiry the reads honour and the cron prunes.
CREATE TABLE protocol_store (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER
);
