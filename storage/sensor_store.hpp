// Sensors' persisted state (the sensor_state table) and the recording of a
// run: the tasks it produced (deduplicated by source), its result, its
// failure streak, and the health alerts of the built-in health sensor.
#pragma once
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/task.hpp"
#include "storage/task_store.hpp"

namespace arc {

struct SensorRow {
  std::string name;
  millis last_run_at = 0;
  millis next_run_at = 0;
  std::string last_result;
  int64_t streak = 0;        // failures in a row
  int64_t runs = 0;
  int64_t failures = 0;
  int64_t deduplicated = 0;  // tasks not created because one was open under their source
  millis paused_until = 0;
  std::string paused_reason;
};

SensorRow load_sensor(Db& db, const std::string& name);
std::vector<SensorRow> list_sensors(Db& db);

// A finished run, as the sensor actor reports it.
struct SensorRun {
  std::string name;
  std::string kind;            // script | health | stale-tasks | guard (skipped) | schedule (planned)
  bool ok = true;              // exit 0, no timeout
  std::string result;          // one line for `arc sensors list`
  std::vector<TaskSpec> specs; // script: the tasks it printed
  int malformed = 0;           // lines skipped
  millis next_run_at = 0;
  millis paused_until = 0;     // guard: the window's end (0 = not paused by a guard)
  int failure_threshold = 3;
  // health thresholds
  millis gate_stopped_alert_ms = 0;
  int queue_depth_alert = 0;
  int disk_free_percent_alert = 0;
};

struct SensorRunSummary {
  int created = 0;
  int deduplicated = 0;
  int expired = 0;  // stale-tasks
  int64_t streak = 0;
  std::vector<int64_t> created_ids;  // for the trace
};

// Records a run in one transaction (the caller's): creates its tasks, updates
// the row, and raises a health task when the failure streak reaches the
// threshold. Health and stale-tasks runs do their checks here.
SensorRunSummary record_sensor_run(TaskStore& store, const SensorRun& run);

// Operator actions from the CLI. Return "" or why not.
std::string sensor_run_now(Db& db, const std::string& name, millis now);
std::string sensor_pause(Db& db, const std::string& name, millis until, const std::string& reason);
std::string sensor_resume(Db& db, const std::string& name);

}  // namespace arc
