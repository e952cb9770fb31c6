// What `arc status` shows, what stops work first: the gate (why, and when it
// resumes), the budget, open incidents; then counts per status, active tasks
// with their age, the last completions, and cost today / this week (UTC
// days, ISO weeks).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agent_config.hpp"
#include "core/storage_health.hpp"
#include "core/task.hpp"
#include "storage/db.hpp"

namespace arc {

struct StatusReport {
  millis now = 0;
  nlohmann::json gate;       // storage/views.hpp gate_view, with the budget when there is one
  nlohmann::json incidents;  // the open ones
  std::map<std::string, int64_t> counts;  // every status, zeros included
  std::vector<Task> active;
  std::vector<Task> recent;               // last finished tasks, newest first
  double cost_today_usd = 0;
  double cost_week_usd = 0;
  int arcd_pid = 0;                       // holder of the instance lock, 0 = not running
};

// `told`: the storage fault arcd told (its HTTP API passes it; gate_view).
StatusReport build_status(Db& db, millis now, int recent_limit = 10, const BudgetConfig* budget = nullptr,
                          const std::optional<StorageFault>& told = std::nullopt);
nlohmann::json to_json(const StatusReport& r);

}  // namespace arc
