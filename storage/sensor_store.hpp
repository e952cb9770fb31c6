// Sensors' persisted state (the sensor_state table) and the recording of a
// run: the tasks it produced (deduplicated by source), its result, its
// failure streak, and the health alerts of the built-in health sensor.
#pragma once
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/task.hpp"
#include "messages/payloads.hpp"  // SensorRow, SensorRun, SensorRunSummary
#include "storage/task_store.hpp"

namespace arc {

SensorRow load_sensor(Db& db, const std::string& name);
std::vector<SensorRow> list_sensors(Db& db);

// Records a run in one transaction (the caller's): creates its tasks, updates
// the row, and raises a health task when the failure streak reaches the
// threshold. Health and stale-tasks runs do their checks here.
SensorRunSummary record_sensor_run(TaskStore& store, const SensorRun& run);

// Operator actions from the CLI. Return "" or why not.
std::string sensor_run_now(Db& db, const std::string& name, millis now);
std::string sensor_pause(Db& db, const std::string& name, millis until, const std::string& reason);
std::string sensor_resume(Db& db, const std::string& name);

}  // namespace arc
