// Short renderings of message payloads for trace events (at most a line).
// Only called when tracing is on.
#pragma once
#include <string>

#include "messages/messages.hpp"

namespace arc::trace {

inline std::string describe(const TaskList& tasks) {
  std::string s = std::to_string(tasks.size()) + " task(s)";
  for (size_t i = 0; i < tasks.size() && i < 16; ++i) s += (i ? "," : ": ") + std::to_string(tasks[i].id);
  return s;
}
inline std::string describe(const FinishResult& r) { return arc::describe(r); }
inline std::string describe(const FinishAndClaim& r) {
  std::string s;
  for (size_t i = 0; i < r.results.size() && i < 16; ++i) s += (i ? "," : "") + arc::describe(r.results[i]);
  return s + "; claimed " + describe(r.claimed) + (r.gate_open ? "" : "; gate closed");
}
inline std::string describe(bool b) { return b ? "true" : "false"; }
inline std::string describe(const CreateResult& r) {
  return (r.created ? "created task " : "deduplicated: open task ") + std::to_string(r.id);
}
inline std::string describe(const TriageReport& r) {
  return std::to_string(r.scanned) + " failures: " + std::to_string(r.tagged) + " in outages, " +
         std::to_string(r.classified) + " classified, " + std::to_string(r.investigations) + " investigations";
}
inline std::string describe(const SensorRunSummary& r) {
  return std::to_string(r.created) + " created, " + std::to_string(r.deduplicated) + " deduplicated";
}

}  // namespace arc::trace
