// Reads the gate's history and the tasks' history from the database, for
// tests of "nothing ran while the gate was stopped".
//
// tasks.started_at cannot prove that: every claim overwrites it, so a task
// run while the gate was stopped and again after it reopened looks as if it
// ran only after. The event tables keep every transition instead. The gate's
// closures come from gate_events; the claims from task_events (pending ->
// active, one row per claim, never rewritten); the runs from runs (one row
// per run, with the time its executor started).
//
// Claims are placed against the gate by the feed's ids, not by times: the
// triggers on task_events and gate_events write a feed row in the event's own
// transaction, and SQLite commits one writer at a time, so the feed's ids
// are the order in which claims and gate changes were committed. Millisecond
// times can tie (a claim in the same millisecond as the stop, before or after
// it); the order cannot.
#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc::test {

// One stretch during which the gate was not 'running'.
struct GateClosure {
  int64_t closed_feed_id = 0;    // the feed row of the gate's move away from 'running'
  int64_t reopened_feed_id = 0;  // the feed row of its next move back to it; 0 if still closed
  millis closed_at = 0, reopened_at = 0;
  std::string state;  // what it closed to: paused, stopped_rate_limited, ...
};

inline std::vector<GateClosure> gate_closures(Db& db) {
  std::vector<GateClosure> out;
  auto q = db.prepare(
      "SELECT s.id, s.at, json_extract(s.data, '$.to'), "
      "  coalesce((SELECT r.id FROM feed r WHERE r.kind = 'gate' AND r.id > s.id AND "
      "            json_extract(r.data, '$.to') = 'running' ORDER BY r.id LIMIT 1), 0), "
      "  coalesce((SELECT r.at FROM feed r WHERE r.kind = 'gate' AND r.id > s.id AND "
      "            json_extract(r.data, '$.to') = 'running' ORDER BY r.id LIMIT 1), 0) "
      "FROM feed s WHERE s.kind = 'gate' AND json_extract(s.data, '$.from') = 'running' AND "
      "json_extract(s.data, '$.to') != 'running' ORDER BY s.id");
  while (q.step()) {
    GateClosure c;
    c.closed_feed_id = q.col_int(0);
    c.closed_at = q.col_int(1);
    c.state = q.col_text(2);
    c.reopened_feed_id = q.col_int(3);
    c.reopened_at = q.col_int(4);
    out.push_back(c);
  }
  return out;
}

// The claims committed after the gate closed and before it reopened, each as
// a sentence for a failure message; empty when there were none.
inline std::vector<std::string> claims_while_closed(Db& db, const GateClosure& c) {
  std::vector<std::string> out;
  auto q = db.prepare(
      "SELECT json_extract(data, '$.task_id'), at, json_extract(data, '$.actor'), json_extract(data, '$.reason') "
      "FROM feed WHERE kind = 'task' AND json_extract(data, '$.from') = 'pending' AND "
      "json_extract(data, '$.to') = 'active' AND id > ?1 AND (?2 = 0 OR id < ?2) ORDER BY id");
  q.bind(1, c.closed_feed_id).bind(2, c.reopened_feed_id);
  while (q.step())
    out.push_back("task " + std::to_string(q.col_int(0)) + " claimed by " + q.col_text(2) + " (" + q.col_text(3) +
                  ") at " + std::to_string(q.col_int(1)) + ", " + std::to_string(q.col_int(1) - c.closed_at) +
                  " ms after the gate went " + c.state + " at " + std::to_string(c.closed_at) +
                  (c.reopened_feed_id ? ", before it reopened at " + std::to_string(c.reopened_at)
                                      : ", and it never reopened"));
  return out;
}

// The runs (recorded ones: runs has a row per finished run) whose executor
// started strictly inside the closure, by the runner's clock; each as a
// sentence. Strict bounds: a run started in the millisecond of the stop or of
// the reopening is not told apart by its time (the claims above are).
inline std::vector<std::string> runs_started_while_closed(Db& db, const GateClosure& c) {
  std::vector<std::string> out;
  auto q = db.prepare(
      "SELECT task_id, attempt, coalesce(owner, ''), started_at FROM runs "
      "WHERE started_at > ?1 AND (?2 = 0 OR started_at < ?2) ORDER BY id");
  q.bind(1, c.closed_at).bind(2, c.reopened_at);
  while (q.step())
    out.push_back("task " + std::to_string(q.col_int(0)) + " attempt " + std::to_string(q.col_int(1)) + " run by " +
                  q.col_text(2) + " started at " + std::to_string(q.col_int(3)) + ", " +
                  std::to_string(q.col_int(3) - c.closed_at) + " ms after the gate went " + c.state);
  return out;
}

// Both of the above: what was claimed or started while the gate was closed.
inline std::vector<std::string> claimed_or_started_while_closed(Db& db, const GateClosure& c) {
  auto v = claims_while_closed(db, c);
  for (auto& r : runs_started_while_closed(db, c)) v.push_back(r);
  return v;
}

inline std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (auto& l : v) s += "\n  " + l;
  return s;
}

}  // namespace arc::test
