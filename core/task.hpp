// The task record and the values it is made of. Plain data: storage reads and
// writes it, messages carry it, the CLI prints it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.hpp"
#include "core/task_status.hpp"

namespace arc {

// What a producer (CLI, sensor, API) asks for. Validated by validate().
struct TaskSpec {
  std::string subject;
  std::string description;
  int priority = 5;  // 1 (most urgent) .. 10
  std::vector<std::string> skills;
  std::string source;  // dedup key; empty = none
  int64_t parent_id = 0;
  std::string model;
  std::vector<std::string> locks;
  millis scheduled_for = 0;  // 0 = now
  millis expires_at = 0;     // 0 = never
  int max_attempts = 3;
};

// Empty string when valid, else a message naming the bad field.
std::string validate(const TaskSpec& spec);

struct Task {
  int64_t id = 0;
  std::string subject;
  std::string description;
  int priority = 5;
  TaskStatus status = TaskStatus::pending;
  std::string source;
  std::vector<std::string> skills;
  int64_t parent_id = 0;
  std::string model;
  std::vector<std::string> locks;
  millis scheduled_for = 0;
  millis expires_at = 0;
  int attempts = 0;
  int max_attempts = 3;
  std::string lease_owner;
  millis lease_expires_at = 0;
  int64_t lease_epoch = 0;  // counts claims; a result must carry the current one (fencing)
  millis created_at = 0;
  millis started_at = 0;
  millis finished_at = 0;
  std::string summary;
  FailureClass failure_class = FailureClass::none;
  double cost_usd = 0;
  double api_cost_usd = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
  int64_t duration_ms = 0;
  int64_t incident_id = 0;
};

// The lease owner under which a cluster worker's claims are recorded.
// Start-up recovery on the hub leaves these leases alone: they run out on
// time (docs/cluster.md).
inline constexpr const char* kWorkerOwnerPrefix = "worker:";
inline std::string worker_owner(const std::string& node) { return kWorkerOwnerPrefix + node; }

// One line of a task's history (task_events), as text: from_status is ""
// for the task's creation and to_status "refused" for a late result.
struct TaskEvent {
  int64_t id = 0;
  int64_t task_id = 0;
  millis at = 0;
  std::string actor;
  std::string from_status;
  std::string to_status;
  std::string reason;
};

// The JSON shape used by `arc ... --json`, the executor's stdin and the API.
nlohmann::json to_json(const Task& t);
nlohmann::json to_json(const TaskEvent& e);

// JSON helpers for the CLI's --json output: an ISO-8601 UTC time or null for
// 0, a string or null for "".
nlohmann::json json_time(millis t);
nlohmann::json json_text(const std::string& s);

// Makes text safe to store and print as JSON: invalid UTF-8 bytes become
// U+FFFD and the result is cut to at most max_bytes (on a character boundary).
std::string sanitize_text(const std::string& in, size_t max_bytes);

}  // namespace arc
