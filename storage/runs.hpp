// The runs table: one row per executor run, written with the run's result
// (TaskStore::finish) in the same transaction. Read by `arc runs`,
// /api/runs, the prompt's "Recent Runs", the budget and the import.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/agent_config.hpp"
#include "core/prompt.hpp"
#include "storage/db.hpp"

namespace arc {

struct RunRow {
  int64_t id = 0;
  int64_t task_id = 0;
  int attempt = 0;
  int64_t lease_epoch = 0;
  std::string owner;
  std::string executor;
  std::string model;
  std::string skills = "[]";  // JSON [{"name": ..., "sha256": ...}]
  millis started_at = 0;
  millis finished_at = 0;
  int64_t duration_ms = 0;
  std::string outcome;        // completed | failed | rate_limited | requeued | refused | self_closed:STATUS ...
  std::string failure_class;
  std::string summary;
  double cost_usd = 0;
  double api_cost_usd = 0;
  int64_t tokens_in = 0, tokens_out = 0, cache_read_tokens = 0, cache_write_tokens = 0, turns = 0;
  std::string rate_limit;
  std::string subject;        // of its task (read only)
};

void insert_run(Db& db, const RunRow& r);

struct RunFilter {
  int64_t task_id = 0;   // 0 = every task
  int limit = 50;
  int64_t before_id = 0;  // paging, newest first; 0 = from the newest
};
std::vector<RunRow> list_runs(Db& db, const RunFilter& f);

nlohmann::json to_json(const RunRow& r);

// What runs finished since `since` cost (USD).
double spend_since(Db& db, millis since);

// Today's spend against [budget] daily_usd, the day taken in its zone.
struct BudgetStatus {
  double daily_usd = 0;  // 0: no budget
  double spent_usd = 0;
  bool reached = false;  // only tasks of priority <= max_priority are claimed
  int max_priority = 2;
  millis day_start = 0, next_day = 0;
  std::string zone;
};
BudgetStatus budget_status(Db& db, const BudgetConfig& budget, millis now);
nlohmann::json to_json(const BudgetStatus& b);

// The parent chain (nearest first, at most kMaxParents, stopping at a
// cycle) and the last `recent` runs before `task` was claimed, newest first.
PromptContext load_prompt_context(Db& db, int64_t task_id, int recent);

}  // namespace arc
