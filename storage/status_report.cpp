#include "storage/status_report.hpp"

#include <nlohmann/json.hpp>

#include "core/time_text.hpp"
#include "storage/instance_lock.hpp"
#include "storage/task_store.hpp"
#include "storage/views.hpp"

namespace arc {

StatusReport build_status(Db& db, millis now, int recent_limit, const BudgetConfig* budget,
                          const std::optional<StorageFault>& told) {
  StatusReport r;
  r.now = now;
  r.gate = gate_view(db, now, budget, told);
  r.incidents = incidents_view(db, true);
  for (TaskStatus s : kAllStatuses) r.counts[to_string(s)] = 0;
  {
    auto q = db.prepare("SELECT status, count(*) FROM tasks GROUP BY status");
    while (q.step()) r.counts[q.col_text(0)] = q.col_int(1);
  }
  TaskStore store(db, system_clock());
  r.active = store.active();
  {
    // Finished tasks, newest first: served by tasks_finished.
    auto q = db.prepare(
        "SELECT id FROM tasks INDEXED BY tasks_finished WHERE finished_at IS NOT NULL "
        "ORDER BY finished_at DESC LIMIT ?");
    q.bind(1, recent_limit);
    std::vector<int64_t> ids;
    while (q.step()) ids.push_back(q.col_int(0));
    for (int64_t id : ids)
      if (auto t = store.get(id)) r.recent.push_back(*t);
  }
  constexpr millis kDay = 86'400'000;
  millis day_start = now - (now % kDay);
  // 1970-01-01 was a Thursday: ISO weeks start 3 days after the epoch's week start.
  millis days = now / kDay;
  millis week_start = (days - ((days + 3) % 7)) * kDay;
  auto cost_since = [&](millis since) {
    auto q = db.prepare(
        "SELECT COALESCE(sum(cost_usd), 0) FROM tasks INDEXED BY tasks_finished "
        "WHERE finished_at IS NOT NULL AND "
        "finished_at >= ?");
    q.bind(1, since);
    double v = q.step() ? q.col_double(0) : 0;
    q.reset();
    return v;
  };
  r.cost_today_usd = cost_since(day_start);
  r.cost_week_usd = cost_since(week_start);
  r.arcd_pid = InstanceLock::holder_pid(db.path());
  return r;
}

nlohmann::json to_json(const StatusReport& r) {
  nlohmann::json active = nlohmann::json::array(), recent = nlohmann::json::array();
  for (auto& t : r.active) {
    auto j = to_json(t);
    j["age_ms"] = r.now - t.started_at;
    active.push_back(j);
  }
  for (auto& t : r.recent) recent.push_back(to_json(t));
  return {{"now", format_iso_utc(r.now)},
          {"gate", r.gate},
          {"incidents_open", r.incidents},
          {"arcd_running", r.arcd_pid != 0},
          {"arcd_pid", r.arcd_pid == 0 ? nlohmann::json(nullptr) : nlohmann::json(r.arcd_pid)},
          {"counts", r.counts},
          {"active", active},
          {"recent", recent},
          {"cost_today_usd", r.cost_today_usd},
          {"cost_week_usd", r.cost_week_usd}};
}

}  // namespace arc
