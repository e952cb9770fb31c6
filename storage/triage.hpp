// Failure triage over the tasks table (docs/triage.md).
//
// Outage circuit breaker: failures that fall in any window of
// outage_window_ms holding outage_threshold or more failures — whatever
// their text — belong to one outage incident: given no pattern, and never
// investigated one by one. Membership is by time: every failure inside the
// incident's [window_start, window_end] belongs to it (nothing is written per
// failure). The incident is extended while such failures keep coming and
// closed after quiet_ms without them.
//
// Failure patterns: every other failure is classified by template mining
// (core/failure_patterns.hpp) once it has settled — once it is older than the
// outage window, so that it is known not to belong to an outage. A pattern
// reaching investigate_after failures within investigate_period_ms gets
// exactly one investigation task (source "triage:pattern:<fingerprint>"),
// created again only if the pattern recurs after that task finished.
//
// Each scan reads the failures since its cursor through the tasks_failed
// index: never the whole history.
#pragma once
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/failure_patterns.hpp"
#include "messages/payloads.hpp"  // TriageReport
#include "storage/task_store.hpp"

namespace arc {

TriageReport run_triage(TaskStore& store, const TriageConfig& cfg);

// A miner holding the known patterns of the database.
TemplateMiner load_miner(Db& db, const TriageConfig& cfg);

struct PatternRow {
  std::string fingerprint, template_text;
  int64_t count = 0;
  millis first_seen = 0, last_seen = 0;
  int64_t investigation_task_id = 0;
  std::string investigation_status;  // of that task, "" if none
};
std::vector<PatternRow> list_patterns(Db& db, int limit);

struct IncidentRow {
  int64_t id = 0;
  std::string kind;
  millis opened_at = 0, closed_at = 0, window_start = 0, window_end = 0;
  int64_t failure_count = 0;
  std::string summary;
};
std::vector<IncidentRow> list_incidents(Db& db, bool open_only, millis since);

// Records a downtime gap found at start-up as an incident and tags the
// orphans it left with it. Returns the incident id.
int64_t record_downtime(Db& db, millis from, millis to, const std::vector<int64_t>& orphans);

}  // namespace arc
