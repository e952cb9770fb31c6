// What a script sensor prints: JSON lines, each a task spec
// (docs/sensors.md). A malformed line is reported with its line number and
// skipped; the other lines are still used. Pure; any bytes in.
#pragma once
#include <string>
#include <vector>

#include "core/task.hpp"

namespace arc {

struct SensorLineError {
  int line = 0;
  std::string why;
};

struct SensorOutput {
  std::vector<TaskSpec> specs;
  std::vector<SensorLineError> errors;
};

// `default_source_prefix` ("sensor:<name>:") is prepended to a relative
// source ("msg-123" -> "sensor:inbox:msg-123"); a source containing ':' is
// taken as it is.
SensorOutput parse_sensor_output(const std::string& out, millis now, const std::string& default_source_prefix);

}  // namespace arc
