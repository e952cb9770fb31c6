#include "storage/report.hpp"

#include <nlohmann/json.hpp>

#include "core/time_text.hpp"

namespace arc {

Report build_report(Db& db, millis since, millis now) {
  Report r;
  r.since = since;
  r.now = now;
  {
    auto q = db.prepare(
        "SELECT status, count(*), sum(incident_id IS NOT NULL) FROM tasks INDEXED BY tasks_finished "
        "WHERE finished_at >= ? GROUP BY status");
    q.bind(1, since);
    while (q.step()) {
      std::optional<TaskStatus> s = parse_task_status(q.col_text(0));
      if (s == TaskStatus::completed) r.completed = q.col_int(1);
      if (s == TaskStatus::failed) r.failed = q.col_int(1), r.failed_in_incidents = q.col_int(2);  // downtime
      if (s == TaskStatus::expired) r.expired = q.col_int(1);
      if (s == TaskStatus::cancelled) r.cancelled = q.col_int(1);
    }
  }
  {
    // Outage membership is by window (storage/triage.hpp), not by tag.
    auto q = db.prepare(
        "SELECT count(*) FROM incidents i JOIN tasks t INDEXED BY tasks_failed ON t.status = 'failed' AND "
        "t.finished_at BETWEEN max(i.window_start, ?1) AND i.window_end WHERE i.kind = 'outage' AND "
        "i.window_end >= ?1 AND t.incident_id IS NULL");
    q.bind(1, since);
    if (q.step()) r.failed_in_incidents += q.col_int(0);
  }
  int64_t runs = r.completed + r.failed;
  r.failure_rate = runs ? static_cast<double>(r.failed) / static_cast<double>(runs) : 0;
  int64_t runs_wo = runs - r.failed_in_incidents;
  r.failure_rate_without_incidents =
      runs_wo ? static_cast<double>(r.failed - r.failed_in_incidents) / static_cast<double>(runs_wo) : 0;
  {
    auto q = db.prepare(
        "SELECT finished_at / 86400000, sum(cost_usd) FROM tasks INDEXED BY tasks_finished "
        "WHERE finished_at >= ? GROUP BY 1 ORDER BY 1");
    q.bind(1, since);
    while (q.step()) r.cost_per_day[format_iso_utc(q.col_int(0) * 86'400'000).substr(0, 10)] = q.col_double(1);
  }
  {
    auto q = db.prepare(
        "SELECT pattern_fingerprint, count(*) FROM tasks INDEXED BY tasks_failed WHERE status = 'failed' "
        "AND finished_at >= ? AND pattern_fingerprint IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 10");
    q.bind(1, since);
    std::vector<std::pair<std::string, int64_t>> top;
    while (q.step()) top.emplace_back(q.col_text(0), q.col_int(1));
    auto all = list_patterns(db, 1'000'000);
    for (auto& [fp, n] : top)
      for (auto& p : all)
        if (p.fingerprint == fp) {
          r.top_patterns.push_back(p);
          r.top_patterns.back().count = n;
        }
  }
  r.incidents = list_incidents(db, false, since);
  return r;
}

nlohmann::json to_json(const Report& r) {
  auto patterns = nlohmann::json::array();
  for (auto& p : r.top_patterns)
    patterns.push_back({{"fingerprint", p.fingerprint}, {"template", p.template_text}, {"failures", p.count}});
  auto incidents = nlohmann::json::array();
  for (auto& i : r.incidents)
    incidents.push_back({{"id", i.id}, {"kind", i.kind}, {"from", format_iso_utc(i.window_start)},
                         {"to", format_iso_utc(i.window_end)}, {"failures", i.failure_count},
                         {"open", i.closed_at == 0}, {"summary", i.summary}});
  return {{"since", format_iso_utc(r.since)},
          {"now", format_iso_utc(r.now)},
          {"completed", r.completed},
          {"failed", r.failed},
          {"failed_in_incidents", r.failed_in_incidents},
          {"expired", r.expired},
          {"cancelled", r.cancelled},
          {"failure_rate", r.failure_rate},
          {"failure_rate_without_incidents", r.failure_rate_without_incidents},
          {"cost_per_day", r.cost_per_day},
          {"top_patterns", patterns},
          {"incidents", incidents}};
}

}  // namespace arc
