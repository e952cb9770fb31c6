// arcd's start-up sequence on the database (ARCHITECTURE.md, "Start-up"):
// record this incarnation and the downtime gap, recover orphans (killing any
// executor process a dead arcd left behind first, so that nothing runs
// twice), and age out expired pending tasks. Runs before any actor starts.
#pragma once
#include <string>

#include "core/clock.hpp"
#include "core/proc_scan.hpp"  // make_incarnation_id
#include "core/gate.hpp"
#include "storage/db.hpp"

namespace arc {

struct StartupReport {
  std::string previous_incarnation;  // empty on a fresh database
  bool previous_stopped_cleanly = false;
  millis gap_ms = 0;                 // since the previous incarnation's last sign of life
  int orphans_requeued = 0;
  int orphans_failed = 0;
  int stray_groups_killed = 0;       // executor process groups left by a dead arcd
  int64_t downtime_incident = 0;     // the incident recording the gap, if the run died
  int expired = 0;
  std::string gate_state;            // after restoring it
  bool gate_resumed = false;         // a rate-limit stop whose time passed while down
};

// `gate` configures resume preparation after a long gap (and the gate's
// restore); with nullptr only expires_at is applied.
StartupReport run_startup(Db& db, const Clock& clock, const std::string& incarnation,
                          const std::string& node_name, millis kill_grace_ms,
                          const GateConfig* gate = nullptr);

// Marks the incarnation alive now (called on a timer) / stopped cleanly.
void heartbeat(Db& db, const std::string& incarnation, millis now);
void mark_stopped(Db& db, const std::string& incarnation, millis now);


}  // namespace arc
