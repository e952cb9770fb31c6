#include "storage/runs.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "core/task.hpp"
#include "core/budget.hpp"

namespace arc {
namespace {

const char* const kRunColumns =
    "r.id, r.task_id, r.attempt, r.lease_epoch, r.owner, r.executor, r.model, r.skills, r.started_at, r.finished_at, "
    "r.duration_ms, r.outcome, r.failure_class, r.summary, r.cost_usd, r.api_cost_usd, r.tokens_in, r.tokens_out, "
    "r.cache_read_tokens, r.cache_write_tokens, r.turns, r.rate_limit, t.subject";

RunRow read_run(const Stmt& s) {
  RunRow r;
  r.id = s.col_int(0);
  r.task_id = s.col_int(1);
  r.attempt = static_cast<int>(s.col_int(2));
  r.lease_epoch = s.col_int(3);
  r.owner = s.col_text(4);
  r.executor = s.col_text(5);
  r.model = s.col_text(6);
  r.skills = s.col_text(7);
  r.started_at = s.col_int(8);
  r.finished_at = s.col_int(9);
  r.duration_ms = s.col_int(10);
  r.outcome = s.col_text(11);
  r.failure_class = s.col_text(12);
  r.summary = s.col_text(13);
  r.cost_usd = s.col_double(14);
  r.api_cost_usd = s.col_double(15);
  r.tokens_in = s.col_int(16);
  r.tokens_out = s.col_int(17);
  r.cache_read_tokens = s.col_int(18);
  r.cache_write_tokens = s.col_int(19);
  r.turns = s.col_int(20);
  r.rate_limit = s.col_text(21);
  r.subject = s.col_text(22);
  return r;
}

}  // namespace

void insert_run(Db& db, const RunRow& r) {
  db.prepare("INSERT INTO runs (task_id, attempt, lease_epoch, owner, executor, model, skills, started_at, "
             "finished_at, duration_ms, outcome, failure_class, summary, cost_usd, api_cost_usd, tokens_in, "
             "tokens_out, cache_read_tokens, cache_write_tokens, turns, rate_limit) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, r.task_id)
      .bind(2, r.attempt)
      .bind(3, r.lease_epoch)
      .bind_text_or_null(4, r.owner)
      .bind_text_or_null(5, r.executor)
      .bind_text_or_null(6, r.model)
      .bind(7, r.skills.empty() ? std::string("[]") : r.skills)
      .bind(8, r.started_at)
      .bind(9, r.finished_at)
      .bind(10, r.duration_ms)
      .bind(11, r.outcome)
      .bind_text_or_null(12, r.failure_class)
      .bind_text_or_null(13, sanitize_text(r.summary, 1000))
      .bind(14, r.cost_usd)
      .bind(15, r.api_cost_usd)
      .bind(16, r.tokens_in)
      .bind(17, r.tokens_out)
      .bind(18, r.cache_read_tokens)
      .bind(19, r.cache_write_tokens)
      .bind(20, r.turns)
      .bind_text_or_null(21, r.rate_limit)
      .run();
}

std::vector<RunRow> list_runs(Db& db, const RunFilter& f) {
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.id < ?1" +
                    (f.task_id ? " AND r.task_id = ?3" : "") + " ORDER BY r.id DESC LIMIT ?2";
  auto q = db.prepare(sql);
  q.bind(1, f.before_id > 0 ? f.before_id : INT64_MAX).bind(2, f.limit);
  if (f.task_id) q.bind(3, f.task_id);
  std::vector<RunRow> out;
  while (q.step()) out.push_back(read_run(q));
  return out;
}

nlohmann::json to_json(const RunRow& r) {
  auto skills = nlohmann::json::parse(r.skills, nullptr, false);
  return {{"id", r.id},
          {"task_id", r.task_id},
          {"subject", json_text(r.subject)},
          {"attempt", r.attempt},
          {"lease_epoch", r.lease_epoch},
          {"owner", json_text(r.owner)},
          {"executor", json_text(r.executor)},
          {"model", json_text(r.model)},
          {"skills", skills.is_array() ? skills : nlohmann::json::array()},
          {"started_at", json_time(r.started_at)},
          {"finished_at", json_time(r.finished_at)},
          {"duration_ms", r.duration_ms},
          {"outcome", r.outcome},
          {"failure_class", json_text(r.failure_class)},
          {"summary", json_text(r.summary)},
          {"cost_usd", r.cost_usd},
          {"api_cost_usd", r.api_cost_usd},
          {"tokens_in", r.tokens_in},
          {"tokens_out", r.tokens_out},
          {"cache_read_tokens", r.cache_read_tokens},
          {"cache_write_tokens", r.cache_write_tokens},
          {"turns", r.turns},
          {"rate_limit", json_text(r.rate_limit)}};
}

double spend_since(Db& db, millis since) {
  auto q = db.prepare("SELECT coalesce(sum(cost_usd), 0) FROM runs INDEXED BY runs_finished WHERE finished_at >= ?");
  q.bind(1, since);
  return q.step() ? q.col_double(0) : 0.0;
}

BudgetStatus budget_status(Db& db, const BudgetConfig& budget, millis now) {
  BudgetStatus b;
  b.daily_usd = budget.daily_usd;
  b.max_priority = budget.max_priority;
  b.zone = budget.zone;
  BudgetDay day = budget_day(now, budget.zone);
  b.day_start = day.start;
  b.next_day = day.next;
  b.spent_usd = spend_since(db, b.day_start);
  b.reached = budget_reached(budget, b.spent_usd);
  return b;
}

nlohmann::json to_json(const BudgetStatus& b) {
  return {{"daily_usd", b.daily_usd > 0 ? nlohmann::json(b.daily_usd) : nlohmann::json(nullptr)},
          {"spent_today_usd", b.spent_usd},
          {"reached", b.reached},
          {"max_priority_when_reached", b.max_priority},
          {"day_started", json_time(b.day_start)},
          {"next_day", json_time(b.next_day)},
          {"zone", b.zone}};
}

PromptContext load_prompt_context(Db& db, int64_t task_id, int recent) {
  PromptContext c;
  std::set<int64_t> seen{task_id};
  int64_t parent = 0;
  millis claimed = 0;
  {
    auto q = db.prepare("SELECT parent_id, coalesce(started_at, 0) FROM tasks WHERE id = ?");
    q.bind(1, task_id);
    if (q.step()) {
      parent = q.col_int(0);
      claimed = q.col_int(1);
    }
  }
  while (parent && seen.insert(parent).second && static_cast<int>(c.parents.size()) < kMaxParents) {
    auto q = db.prepare("SELECT id, subject, status, coalesce(parent_id, 0) FROM tasks WHERE id = ?");
    q.bind(1, parent);
    if (!q.step()) break;
    c.parents.push_back({q.col_int(0), q.col_text(1), q.col_text(2)});
    parent = q.col_int(3);
  }
  if (recent > 0) {
    // Runs that had ended when this task was claimed: the same prompt
    // whether shown by `arc tasks prompt` now or rebuilt later.
    auto q = db.prepare("SELECT r.task_id, r.started_at, r.duration_ms, r.cost_usd, r.outcome, coalesce(t.subject, '') "
                        "FROM runs r INDEXED BY runs_finished LEFT JOIN tasks t ON t.id = r.task_id "
                        "WHERE r.finished_at < ?1 ORDER BY r.finished_at DESC LIMIT ?2");
    q.bind(1, claimed > 0 ? claimed : INT64_MAX).bind(2, recent);
    while (q.step())
      c.recent_runs.push_back({q.col_int(0), q.col_int(1), q.col_int(2), q.col_double(3), q.col_text(4), q.col_text(5)});
  }
  return c;
}

}  // namespace arc
