#include "storage/sensor_store.hpp"

#include "core/disk_space.hpp"
#include "core/time_text.hpp"
#include "storage/gate_store.hpp"

namespace arc {
namespace {

const char* const kColumns =
    "name, last_run_at, next_run_at, last_result, streak, runs, failures, deduplicated, paused_until, paused_reason";

SensorRow read_row(const Stmt& q) {
  return {q.col_text(0), q.col_int(1), q.col_int(2), q.col_text(3), q.col_int(4), q.col_int(5),
          q.col_int(6),  q.col_int(7), q.col_int(8), q.col_text(9)};
}

void save(Db& db, const SensorRow& r) {
  db.prepare("INSERT INTO sensor_state (name, last_run_at, next_run_at, last_result, streak, runs, failures, "
             "deduplicated, paused_until, paused_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
             "ON CONFLICT (name) DO UPDATE SET last_run_at = ?2, next_run_at = ?3, last_result = ?4, "
             "streak = ?5, runs = ?6, failures = ?7, deduplicated = ?8, paused_until = ?9, paused_reason = ?10")
      .bind(1, r.name)
      .bind_int_or_null(2, r.last_run_at)
      .bind_int_or_null(3, r.next_run_at)
      .bind_text_or_null(4, r.last_result)
      .bind(5, r.streak)
      .bind(6, r.runs)
      .bind(7, r.failures)
      .bind(8, r.deduplicated)
      .bind_int_or_null(9, r.paused_until)
      .bind_text_or_null(10, r.paused_reason)
      .run();
}

bool exists(Db& db, const std::string& name) {
  auto q = db.prepare("SELECT 1 FROM sensor_state WHERE name = ?");
  q.bind(1, name);
  return q.step();
}

// One alert task per condition: its source keeps it from being repeated while open.
void alert(TaskStore& store, const std::string& key, const std::string& subject, const std::string& text,
           SensorRunSummary& s) {
  TaskSpec spec;
  spec.subject = subject;
  spec.description = text;
  spec.source = "health:" + key;
  spec.priority = 2;
  spec.skills = {"health"};
  auto r = store.create(spec, "sensor:health");
  (r.created ? s.created : s.deduplicated)++;
  if (r.created) s.created_ids.push_back(r.id);
}

void health_checks(TaskStore& store, const SensorRun& run, SensorRunSummary& s) {
  Db& db = store.db();
  millis now = store.now();
  GateState g = load_gate(db);
  if (g.state != GateMode::running && now - g.since >= run.gate_stopped_alert_ms)
    alert(store, "gate-stopped", "Dispatch has been stopped for " + format_age(now - g.since),
          "The gate is " + std::string(to_string(g.state)) + " since " + format_iso_utc(g.since) + ": " + g.reason, s);
  int64_t stale = 0;
  {
    auto q = db.prepare("SELECT count(*) FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND lease_expires_at < ?");
    q.bind(1, now);
    if (q.step()) stale = q.col_int(0);
  }
  if (stale > 0)
    alert(store, "stale-leases", std::to_string(stale) + " tasks are active past their lease",
          "Their runners stopped renewing; the queue should requeue them within seconds. If this persists, "
          "the queue actor is not running.", s);
  int64_t depth = db.scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending'");
  if (depth > run.queue_depth_alert)
    alert(store, "queue-depth", "Queue depth " + std::to_string(depth) + " is above " + std::to_string(run.queue_depth_alert),
          "Pending tasks pile up faster than they run: check the gate, the slots and the executors.", s);
  if (auto disk = disk_space_of(db.path()); disk && disk->total_bytes > 0) {
    int free_pct = disk->free_percent();
    if (free_pct < run.disk_free_percent_alert)
      alert(store, "disk", "The database's disk is " + std::to_string(100 - free_pct) + "% full",
            "Free space on " + disk->dir + " is " + std::to_string(free_pct) + "%; SQLite fails writes when it is gone.", s);
  }
}

}  // namespace

SensorRow load_sensor(Db& db, const std::string& name) {
  auto q = db.prepare(std::string("SELECT ") + kColumns + " FROM sensor_state WHERE name = ?");
  q.bind(1, name);
  if (q.step()) return read_row(q);
  SensorRow r;
  r.name = name;
  return r;
}

std::vector<SensorRow> list_sensors(Db& db) {
  std::vector<SensorRow> out;
  auto q = db.prepare(std::string("SELECT ") + kColumns + " FROM sensor_state ORDER BY name");
  while (q.step()) out.push_back(read_row(q));
  return out;
}

SensorRunSummary record_sensor_run(TaskStore& store, const SensorRun& run) {
  SensorRunSummary s;
  Db& db = store.db();
  millis now = store.now();
  SensorRow row = load_sensor(db, run.name);
  row.next_run_at = run.next_run_at;
  if (run.kind == "schedule") {  // the sensor (re)started and planned its first run
    save(db, row);
    return s;
  }
  if (run.kind == "guard") {  // skipped: inside a guard window
    row.paused_until = run.paused_until;
    row.paused_reason = run.result;
    save(db, row);
    return s;
  }
  if (row.paused_reason.rfind("guard", 0) == 0 || row.paused_reason.rfind("counter", 0) == 0) {
    row.paused_until = 0;  // the guard window is over
    row.paused_reason.clear();
  }
  if (run.kind == "health") health_checks(store, run, s);
  if (run.kind == "stale-tasks" && load_gate(db).state == GateMode::running) s.expired = store.expire_stale("sensor:" + run.name);
  for (auto& spec : run.specs) {
    auto r = store.create(spec, "sensor:" + run.name);
    (r.created ? s.created : s.deduplicated)++;
    if (r.created) s.created_ids.push_back(r.id);
  }
  row.last_run_at = now;
  row.runs += 1;
  row.deduplicated += s.deduplicated;
  if (run.ok) {
    row.streak = 0;
  } else {
    row.streak += 1;
    row.failures += 1;
  }
  row.last_result = run.result;
  if (run.kind == "script" || run.kind == "health")
    row.last_result += " (" + std::to_string(s.created) + " created, " + std::to_string(s.deduplicated) +
                       " deduplicated" + (run.malformed ? ", " + std::to_string(run.malformed) + " malformed lines" : "") + ")";
  if (run.kind == "stale-tasks") row.last_result += " (" + std::to_string(s.expired) + " expired)";
  save(db, row);
  if (!run.ok && row.streak >= run.failure_threshold) {
    SensorRunSummary ignored;
    alert(store, "sensor:" + run.name, "Sensor " + run.name + " failed " + std::to_string(row.streak) + " times in a row",
          "Last result: " + run.result, ignored);
  }
  s.streak = row.streak;
  return s;
}

std::string sensor_run_now(Db& db, const std::string& name, millis now) {
  if (!exists(db, name)) return "no sensor named \"" + name + "\" has run yet (see `arc sensors list`)";
  db.prepare("UPDATE sensor_state SET next_run_at = ? WHERE name = ?").bind(1, now).bind(2, name).run();
  return {};
}

std::string sensor_pause(Db& db, const std::string& name, millis until, const std::string& reason) {
  if (!exists(db, name)) return "no sensor named \"" + name + "\" has run yet (see `arc sensors list`)";
  db.prepare("UPDATE sensor_state SET paused_until = ?, paused_reason = ? WHERE name = ?")
      .bind(1, until)
      .bind(2, reason.empty() ? std::string("paused by operator") : reason)
      .bind(3, name)
      .run();
  return {};
}

std::string sensor_resume(Db& db, const std::string& name) {
  if (!exists(db, name)) return "no sensor named \"" + name + "\" has run yet (see `arc sensors list`)";
  db.prepare("UPDATE sensor_state SET paused_until = NULL, paused_reason = NULL WHERE name = ?").bind(1, name).run();
  return {};
}

}  // namespace arc
