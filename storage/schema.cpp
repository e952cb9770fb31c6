#include "storage/schema.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>

namespace arc {
namespace {

// Migration N takes user_version N-1 to N. Append; never edit a shipped one.
const char* const kMigrations[] = {
    // 1: the whole schema of ARCHITECTURE.md. Times are unix milliseconds (UTC).
    R"SQL(
CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  subject          TEXT    NOT NULL,
  description      TEXT    NOT NULL DEFAULT '',
  priority         INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
  status           TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending','active','completed','failed','expired','cancelled')),
  source           TEXT,
  skills           TEXT    NOT NULL DEFAULT '[]',
  parent_id        INTEGER,
  model            TEXT,
  locks            TEXT    NOT NULL DEFAULT '[]',
  scheduled_for    INTEGER,
  expires_at       INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  summary          TEXT,
  failure_class    TEXT,
  cost_usd         REAL    NOT NULL DEFAULT 0,
  api_cost_usd     REAL    NOT NULL DEFAULT 0,
  tokens_in        INTEGER NOT NULL DEFAULT 0,
  tokens_out       INTEGER NOT NULL DEFAULT 0,
  duration_ms      INTEGER,
  incident_id      INTEGER,
  pattern_fingerprint TEXT
);
-- Dedup: at most one open (pending or active) task per source.
CREATE UNIQUE INDEX tasks_open_source ON tasks(source)
  WHERE source IS NOT NULL AND status IN ('pending','active');
-- Next ready task: lowest priority number, then oldest.
CREATE INDEX tasks_ready ON tasks(priority, created_at, id) WHERE status = 'pending';
-- Active tasks by lease owner (lease renewal, orphan recovery, held locks).
CREATE INDEX tasks_active ON tasks(lease_owner, lease_expires_at) WHERE status = 'active';
-- Failed since T (triage), finished since T (status, reports).
CREATE INDEX tasks_failed ON tasks(finished_at) WHERE status = 'failed';
CREATE INDEX tasks_finished ON tasks(finished_at) WHERE finished_at IS NOT NULL;
-- Pending tasks with an expiry (ageing out stale work).
CREATE INDEX tasks_expiring ON tasks(expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
-- status counts
CREATE INDEX tasks_status ON tasks(status);

CREATE TABLE task_events (
  id          INTEGER PRIMARY KEY,
  task_id     INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  from_status TEXT,
  to_status   TEXT    NOT NULL,
  reason      TEXT
);
CREATE INDEX task_events_task ON task_events(task_id, id);

CREATE TABLE gate (
  id                   INTEGER PRIMARY KEY CHECK (id = 1),
  state                TEXT    NOT NULL DEFAULT 'running'
                       CHECK (state IN ('running','paused','stopped_rate_limited','stopped_failures')),
  reason               TEXT,
  error_class          TEXT,
  since                INTEGER,
  resume_at            INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  updated_at           INTEGER
);
INSERT INTO gate (id, state) VALUES (1, 'running');

CREATE TABLE sensor_state (
  name          TEXT PRIMARY KEY,
  last_run_at   INTEGER,
  next_run_at   INTEGER,
  last_result   TEXT,
  streak        INTEGER NOT NULL DEFAULT 0,
  runs          INTEGER NOT NULL DEFAULT 0,
  failures      INTEGER NOT NULL DEFAULT 0,
  deduplicated  INTEGER NOT NULL DEFAULT 0,
  paused_until  INTEGER,
  paused_reason TEXT
);

CREATE TABLE incidents (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL CHECK (kind IN ('outage','downtime','rate_limit')),
  opened_at       INTEGER NOT NULL,
  closed_at       INTEGER,
  window_start    INTEGER NOT NULL,
  window_end      INTEGER NOT NULL,
  failure_count   INTEGER NOT NULL DEFAULT 0,
  summary         TEXT,
  summary_task_id INTEGER
);
CREATE INDEX incidents_open ON incidents(closed_at);

CREATE TABLE failure_patterns (
  fingerprint           TEXT PRIMARY KEY,
  template              TEXT    NOT NULL,
  count                 INTEGER NOT NULL DEFAULT 0,
  first_seen            INTEGER NOT NULL,
  last_seen             INTEGER NOT NULL,
  investigation_task_id INTEGER
);

CREATE TABLE nodes (
  incarnation    TEXT PRIMARY KEY,
  node_name      TEXT    NOT NULL,
  pid            INTEGER NOT NULL,
  role           TEXT    NOT NULL DEFAULT 'single',
  started_at     INTEGER NOT NULL,
  last_heartbeat INTEGER NOT NULL,
  stopped_at     INTEGER,
  gap_ms         INTEGER
);
CREATE INDEX nodes_started ON nodes(started_at);
)SQL",
    // 2: the gate's history (every stop and resume, with its reason).
    R"SQL(
CREATE TABLE gate_events (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  from_state TEXT    NOT NULL,
  to_state   TEXT    NOT NULL,
  reason     TEXT
);
)SQL",
    // 3: triage's cursor, and the indexes of its per-pattern and per-incident queries.
    R"SQL(
CREATE TABLE triage_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  scanned_until INTEGER NOT NULL DEFAULT 0
);
INSERT INTO triage_state (id) VALUES (1);
CREATE INDEX tasks_pattern ON tasks(pattern_fingerprint, finished_at) WHERE pattern_fingerprint IS NOT NULL;
CREATE INDEX tasks_incident ON tasks(incident_id) WHERE incident_id IS NOT NULL;
)SQL",
    // 4: run-time switches set by `arc` and read by arcd (e.g. `arc trace on`).
    R"SQL(
CREATE TABLE settings (
  name       TEXT PRIMARY KEY,
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);
)SQL",
    // 5: one change feed for the HTTP API's event stream (GET /api/events):
    // triggers copy task status changes, gate changes, sensor runs and
    // incidents into it, so every writer (arcd, the CLI, the API) feeds it in
    // the same transaction and one id orders them all (Last-Event-ID). The
    // newest 100,000 rows are kept.
    R"SQL(
CREATE TABLE feed (
  id   INTEGER PRIMARY KEY,
  at   INTEGER NOT NULL,
  kind TEXT    NOT NULL CHECK (kind IN ('task','gate','sensor','incident')),
  data TEXT    NOT NULL
);
CREATE TRIGGER feed_task AFTER INSERT ON task_events BEGIN
  INSERT INTO feed (at, kind, data) VALUES (NEW.at, 'task', json_object('task_id', NEW.task_id,
    'from', NEW.from_status, 'to', NEW.to_status, 'actor', NEW.actor, 'reason', NEW.reason));
END;
CREATE TRIGGER feed_gate AFTER INSERT ON gate_events BEGIN
  INSERT INTO feed (at, kind, data) VALUES (NEW.at, 'gate', json_object('from', NEW.from_state,
    'to', NEW.to_state, 'reason', NEW.reason));
END;
CREATE TRIGGER feed_sensor_first AFTER INSERT ON sensor_state WHEN NEW.runs > 0 BEGIN
  INSERT INTO feed (at, kind, data) VALUES (coalesce(NEW.last_run_at, 0), 'sensor', json_object(
    'sensor', NEW.name, 'result', NEW.last_result, 'streak', NEW.streak, 'runs', NEW.runs));
END;
CREATE TRIGGER feed_sensor_run AFTER UPDATE OF runs ON sensor_state WHEN NEW.runs > OLD.runs BEGIN
  INSERT INTO feed (at, kind, data) VALUES (coalesce(NEW.last_run_at, 0), 'sensor', json_object(
    'sensor', NEW.name, 'result', NEW.last_result, 'streak', NEW.streak, 'runs', NEW.runs));
END;
CREATE TRIGGER feed_incident_open AFTER INSERT ON incidents BEGIN
  INSERT INTO feed (at, kind, data) VALUES (NEW.opened_at, 'incident', json_object('incident_id', NEW.id,
    'event', 'opened', 'kind', NEW.kind, 'failure_count', NEW.failure_count, 'summary', NEW.summary));
END;
CREATE TRIGGER feed_incident_close AFTER UPDATE OF closed_at ON incidents
  WHEN OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL BEGIN
  INSERT INTO feed (at, kind, data) VALUES (NEW.closed_at, 'incident', json_object('incident_id', NEW.id,
    'event', 'closed', 'kind', NEW.kind, 'failure_count', NEW.failure_count, 'summary', NEW.summary));
END;
CREATE TRIGGER feed_prune AFTER INSERT ON feed WHEN NEW.id % 1000 = 0 BEGIN
  DELETE FROM feed WHERE id <= NEW.id - 100000;
END;
)SQL",
    // 6: multi-node (docs/cluster.md). lease_epoch counts a task's claims and
    // never goes back: a result is accepted only with the epoch of the
    // current lease (fencing). cluster_nodes is the hub's view of its
    // workers for `arc nodes`.
    R"SQL(
ALTER TABLE tasks ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
CREATE TABLE cluster_nodes (
  name           TEXT PRIMARY KEY,
  role           TEXT    NOT NULL CHECK (role IN ('hub','worker')),
  address        TEXT    NOT NULL DEFAULT '',
  slots          INTEGER NOT NULL DEFAULT 0,
  state          TEXT    NOT NULL CHECK (state IN ('connected','lost','stopped')),
  connected_at   INTEGER NOT NULL,
  last_heartbeat INTEGER NOT NULL,
  detail         TEXT    NOT NULL DEFAULT ''
);
)SQL",
    // 7: the agent (docs/agent.md). 'blocked' is a status (a task that needs
    // a person: never retried, requeued by hand): SQLite cannot change a
    // CHECK constraint, so the tasks table is rebuilt the documented way
    // (copy, drop, rename, indexes again), keeping AUTOINCREMENT's high
    // mark. `runs` records every run of an executor: what it cost, which
    // model and which SKILL.md versions it ran with, how it ended.
    R"SQL(
CREATE TABLE tasks_new (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  subject          TEXT    NOT NULL,
  description      TEXT    NOT NULL DEFAULT '',
  priority         INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
  status           TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending','active','completed','failed','expired','cancelled','blocked')),
  source           TEXT,
  skills           TEXT    NOT NULL DEFAULT '[]',
  parent_id        INTEGER,
  model            TEXT,
  locks            TEXT    NOT NULL DEFAULT '[]',
  scheduled_for    INTEGER,
  expires_at       INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  summary          TEXT,
  failure_class    TEXT,
  cost_usd         REAL    NOT NULL DEFAULT 0,
  api_cost_usd     REAL    NOT NULL DEFAULT 0,
  tokens_in        INTEGER NOT NULL DEFAULT 0,
  tokens_out       INTEGER NOT NULL DEFAULT 0,
  duration_ms      INTEGER,
  incident_id      INTEGER,
  pattern_fingerprint TEXT,
  lease_epoch      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tasks_new SELECT id, subject, description, priority, status, source, skills, parent_id, model,
  locks, scheduled_for, expires_at, attempts, max_attempts, lease_owner, lease_expires_at, created_at,
  started_at, finished_at, summary, failure_class, cost_usd, api_cost_usd, tokens_in, tokens_out, duration_ms,
  incident_id, pattern_fingerprint, lease_epoch FROM tasks;
DELETE FROM sqlite_sequence WHERE name = 'tasks_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks_new', seq FROM sqlite_sequence WHERE name = 'tasks';
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE UNIQUE INDEX tasks_open_source ON tasks(source)
  WHERE source IS NOT NULL AND status IN ('pending','active');
CREATE INDEX tasks_ready ON tasks(priority, created_at, id) WHERE status = 'pending';
CREATE INDEX tasks_active ON tasks(lease_owner, lease_expires_at) WHERE status = 'active';
CREATE INDEX tasks_failed ON tasks(finished_at) WHERE status = 'failed';
CREATE INDEX tasks_finished ON tasks(finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX tasks_expiring ON tasks(expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
CREATE INDEX tasks_status ON tasks(status);
CREATE INDEX tasks_pattern ON tasks(pattern_fingerprint, finished_at) WHERE pattern_fingerprint IS NOT NULL;
CREATE INDEX tasks_incident ON tasks(incident_id) WHERE incident_id IS NOT NULL;
-- A closed task whose run has not reported yet (closed by its own agent):
-- its lease_owner is kept until the run ends (storage/task_store.hpp).
CREATE INDEX tasks_self_closed ON tasks(lease_owner) WHERE status != 'active' AND lease_owner IS NOT NULL;

CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  task_id        INTEGER NOT NULL,
  attempt        INTEGER NOT NULL DEFAULT 0,
  lease_epoch    INTEGER NOT NULL DEFAULT 0,
  owner          TEXT,
  executor       TEXT,
  model          TEXT,
  skills         TEXT    NOT NULL DEFAULT '[]',
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER NOT NULL,
  duration_ms    INTEGER NOT NULL DEFAULT 0,
  outcome        TEXT    NOT NULL,
  failure_class  TEXT,
  summary        TEXT,
  cost_usd       REAL    NOT NULL DEFAULT 0,
  api_cost_usd   REAL    NOT NULL DEFAULT 0,
  tokens_in      INTEGER NOT NULL DEFAULT 0,
  tokens_out     INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  turns          INTEGER NOT NULL DEFAULT 0,
  rate_limit     TEXT
);
CREATE INDEX runs_task ON runs(task_id, id);
CREATE INDEX runs_finished ON runs(finished_at);
)SQL",
};

constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kSchemaVersion, "one migration per schema version");

}  // namespace

void migrate(Db& db) {
  int version = static_cast<int>(db.scalar_int("PRAGMA user_version"));
  if (version >= kSchemaVersion) return;
  Transaction tx(db);
  // Re-read under the write lock: another process may have migrated meanwhile.
  version = static_cast<int>(db.scalar_int("PRAGMA user_version"));
  for (int v = version; v < kSchemaVersion; ++v) db.exec(kMigrations[v]);
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  tx.commit();
}

std::unique_ptr<Db> open_database(const std::string& path, const OpenOptions& opts) {
  Db::Options o;
  o.read_only = opts.read_only;
  o.busy_timeout_ms = opts.busy_timeout_ms;
  struct stat st{};
  bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed && S_ISDIR(st.st_mode))
    throw DbError(SQLITE_CANTOPEN, "database " + path + ": is a directory, not a database file");
  auto db = std::make_unique<Db>(path, o);
  // Read before writing anything: these checks must leave a foreign file untouched.
  int64_t version = 0, tables = 0;
  try {
    version = db->scalar_int("PRAGMA user_version");
    tables = db->scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  } catch (const DbError& e) {
    if ((e.code() & 0xff) == SQLITE_NOTADB)
      throw DbError(e.code(), "database " + path +
                                  ": is not an SQLite database; refusing to use it (point "
                                  "--config/arcd.database at an arc database or a new path)");
    throw;
  }
  if (version > kSchemaVersion)
    throw DbError(SQLITE_MISMATCH,
                  "database " + path + ": schema version " + std::to_string(version) +
                      " is newer than this build understands (" + std::to_string(kSchemaVersion) +
                      "); upgrade arc, or use the arc build that wrote it");
  if (version == 0 && tables > 0 &&
      db->scalar_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('tasks', 'cycle_log')") == 2)
    throw DbError(SQLITE_MISMATCH,
                  "database " + path +
                      ": is an Arc (arc-starter) database; arc-runtime does not change it. Bring its tasks and "
                      "cycles over with `arc --db NEW.db import arc-starter " + path +
                      "` and point arcd at NEW.db (docs/moving-from-arc.md)");
  if (version == 0 && tables > 0)
    throw DbError(SQLITE_MISMATCH,
                  "database " + path +
                      ": is an SQLite database of some other program (it has tables but no arc "
                      "schema version); refusing to change it");
  if (opts.read_only) return db;
  // WAL lets the CLI write while arcd runs; FULL synchronous makes an
  // acknowledged write durable across a power cut.
  db->exec("PRAGMA journal_mode = WAL");
  db->exec(std::string("PRAGMA synchronous = ") + (opts.synchronous == "normal" ? "NORMAL" : "FULL"));
  db->exec("PRAGMA foreign_keys = OFF");
  // 16 MiB of page cache (SQLite's default is 2): a triage scan or a bulk
  // close that dirties more than the cache spills pages into the WAL
  // mid-transaction, which doubled the cost per row (arc-bench triage).
  db->exec("PRAGMA cache_size = -16384");
  // Savepoints (one per request of a batch, one per result) keep the pages
  // they change in a sub-journal, which SQLite writes to a temporary file
  // past 64 KiB: a batch of results and claims wrote every page twice.
  // In memory, it costs what the batch touches, and is gone at COMMIT.
  db->exec("PRAGMA temp_store = MEMORY");
  migrate(*db);
  return db;
}

std::string durability(Db& db) {
  static const char* kSynchronous[] = {"off", "normal", "full", "extra"};
  std::string journal;
  {
    auto q = db.prepare("PRAGMA journal_mode");
    if (q.step()) journal = q.col_text(0);
  }
  int64_t sync = db.scalar_int("PRAGMA synchronous");
  return "journal_mode=" + journal + " synchronous=" + (sync >= 0 && sync <= 3 ? kSynchronous[sync] : std::to_string(sync));
}

}  // namespace arc
