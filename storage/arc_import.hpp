// Moving from Arc (arc0btc/arc-starter): reads an Arc database (its
// src/db.ts schema: tasks, cycle_log) and writes its tasks and runs into an
// arc-runtime database, in one transaction. Ids are kept (parent chains and
// "task #N" in the agent's memory stay right) unless the target already has
// tasks, when they are shifted past its highest id. docs/moving-from-arc.md.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc {

struct ImportReport {
  std::map<std::string, int64_t> tasks_by_status;  // as imported
  int64_t tasks = 0;
  int64_t runs = 0;
  int64_t id_offset = 0;        // added to every Arc id (0 into an empty database)
  int64_t requeued_active = 0;  // active in Arc (a cycle in flight): pending here
  std::vector<std::string> unmapped;  // what was not carried over, one line each
};

// Throws DbError / std::runtime_error naming what is wrong; `into_non_empty`
// allows a target that has tasks already.
ImportReport import_arc_starter(const std::string& arc_db, Db& target, const Clock& clock, bool into_non_empty);

// "2026-08-19 21:43:10" (Arc's UTC text) or an ISO-8601 instant; 0 for
// NULL or empty; -1 when it cannot be read.
millis arc_time(const std::string& text);

}  // namespace arc
