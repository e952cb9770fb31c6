#include "storage/recovery.hpp"

#include <unistd.h>

#include <set>

#include "core/proc_scan.hpp"
#include "core/process.hpp"
#include "core/task.hpp"
#include "storage/gate_store.hpp"
#include "storage/node_store.hpp"
#include "storage/task_store.hpp"
#include "storage/triage.hpp"

namespace arc {

namespace {

// 1. This incarnation, and the gap since the last one was alive.
void record_incarnation(Db& db, millis now, const std::string& incarnation, const std::string& node_name,
                        StartupReport& r) {
  in_transaction(db, [&] {
    auto q = db.prepare(
        "SELECT incarnation, last_heartbeat, stopped_at FROM nodes ORDER BY started_at DESC "
        "LIMIT 1");
    if (q.step()) {
      r.previous_incarnation = q.col_text(0);
      r.previous_stopped_cleanly = !q.col_null(2);
      millis last_alive = r.previous_stopped_cleanly ? q.col_int(2) : q.col_int(1);
      r.gap_ms = std::max<millis>(0, now - last_alive);
    }
    q.reset();
    db.prepare("INSERT INTO nodes (incarnation, node_name, pid, started_at, last_heartbeat, gap_ms) "
               "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, incarnation)
        .bind(2, node_name)
        .bind(3, static_cast<int64_t>(getpid()))
        .bind(4, now)
        .bind(5, now)
        .bind_int_or_null(6, r.gap_ms)
        .run();
  });
}

// 2a. The executors of active tasks leased by a dead incarnation may still
// be running (a kill -9 leaves the children of a shell script alive): their
// process groups are killed before the tasks can run again. Leases held by
// cluster workers ("worker:NAME") are not this host's: a worker outlives a
// hub restart and reports its runs when it reconnects; the queue requeues
// them if their lease runs out first.
int kill_stray_executors(Db& db, const std::string& incarnation, millis kill_grace_ms) {
  std::set<std::string> dead_owners;
  {
    // Also the runs of tasks their agent had closed (the session may linger).
    auto q = db.prepare(
        "SELECT DISTINCT lease_owner FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND lease_owner != ?1 "
        "AND lease_owner NOT LIKE ?2 || '%' UNION SELECT DISTINCT lease_owner FROM tasks INDEXED BY tasks_self_closed "
        "WHERE status != 'active' AND lease_owner IS NOT NULL AND lease_owner != ?1 AND lease_owner NOT LIKE ?2 || '%'");
    q.bind(1, incarnation).bind(2, std::string(kWorkerOwnerPrefix));
    while (q.step()) dead_owners.insert(q.col_text(0));
  }
  int killed = 0;
  if (dead_owners.empty()) return killed;
  for (pid_t g : find_executor_groups(dead_owners)) {
    kill_process_group(g, kill_grace_ms);
    ++killed;
  }
  return killed;
}

// 2b. Those tasks: pending again or failed as orphaned (lost_run). Returns their ids.
std::vector<int64_t> recover_orphans(Db& db, TaskStore& store, const std::string& incarnation, StartupReport& r) {
  std::vector<std::pair<int64_t, bool>> orphans;
  {
    auto q = db.prepare(
        "SELECT id, attempts < max_attempts FROM tasks INDEXED BY tasks_active "
        "WHERE status = 'active' AND "
        "lease_owner != ? AND lease_owner NOT LIKE ? || '%'");
    q.bind(1, incarnation).bind(2, std::string(kWorkerOwnerPrefix));
    while (q.step()) orphans.emplace_back(q.col_int(0), q.col_int(1) != 0);
  }
  std::vector<int64_t> ids;
  for (auto& [id, retry] : orphans) {
    store.apply(id, lost_run(LostRun::arcd_died, retry), "startup");
    ++(retry ? r.orphans_requeued : r.orphans_failed);
    ids.push_back(id);
  }
  return ids;
}

// 2c. Tasks their agent closed while a dead arcd's run went on: the close
// stands; the run's cost died with it.
void release_self_closed(Db& db, TaskStore& store, const std::string& incarnation) {
  std::vector<int64_t> closed;
  auto q = db.prepare("SELECT id FROM tasks INDEXED BY tasks_self_closed WHERE status != 'active' AND "
                      "lease_owner IS NOT NULL AND lease_owner != ? AND lease_owner NOT LIKE ? || '%'");
  q.bind(1, incarnation).bind(2, std::string(kWorkerOwnerPrefix));
  while (q.step()) closed.push_back(q.col_int(0));
  q.reset();
  for (int64_t id : closed) {
    auto t = store.get(id);
    db.prepare("UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ?").bind(1, id).run();
    store.add_event(id, "startup", TaskStatus::active, t->status,
                    "its agent had closed it; the run ended with a dead arcd (its cost is not known)");
  }
}

}  // namespace

StartupReport run_startup(Db& db, const Clock& clock, const std::string& incarnation,
                          const std::string& node_name, millis kill_grace_ms,
                          const GateConfig* gate) {
  StartupReport r;
  millis now = clock.now_ms();
  record_incarnation(db, now, incarnation, node_name, r);
  r.stray_groups_killed = kill_stray_executors(db, incarnation, kill_grace_ms);
  TaskStore store(db, clock);
  in_transaction(db, [&] {
    std::vector<int64_t> orphans = recover_orphans(db, store, incarnation, r);
    release_self_closed(db, store, incarnation);
    // A run that died leaves a downtime incident; its orphans are tagged
    // with it, so triage counts the crash once.
    if (!r.previous_incarnation.empty() && !r.previous_stopped_cleanly && (!orphans.empty() || r.gap_ms >= 60'000))
      r.downtime_incident = record_downtime(db, now - r.gap_ms, now, orphans);
    // 3. Age out stale pending work; after a long downtime also what is
    // older than its max_age.
    GateConfig defaults;
    const GateConfig& gc = gate ? *gate : defaults;
    r.expired = r.gap_ms >= gc.long_gap_ms && gate ? prepare_resume(store, gc, r.gap_ms)
                                                   : store.expire_stale("startup");
    // 4. Restore the gate: a rate-limit stop whose reset passed while we were down resumes.
    GateResult g = apply_gate(db, store, gc, GateCommand{});
    r.gate_state = to_string(g.state.state);
    r.gate_resumed = g.change.changed;
    r.expired += g.expired;
  });
  return r;
}

void heartbeat(Db& db, const std::string& incarnation, millis now) {
  db.prepare("UPDATE nodes SET last_heartbeat = ? WHERE incarnation = ?")
      .bind(1, now)
      .bind(2, incarnation)
      .run();
}

void mark_stopped(Db& db, const std::string& incarnation, millis now) {
  db.prepare("UPDATE nodes SET last_heartbeat = ?1, stopped_at = ?1 WHERE incarnation = ?2")
      .bind(1, now)
      .bind(2, incarnation)
      .run();
}

}  // namespace arc
