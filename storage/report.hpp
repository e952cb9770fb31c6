// The retrospective of `arc report`: what happened since a time — completed,
// failed, the failure rate with and without failures that belong to an
// incident (an outage counts once, not per casualty), expired, cost per day,
// top failure patterns and incidents.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/triage.hpp"

namespace arc {

struct Report {
  millis since = 0, now = 0;
  int64_t completed = 0, failed = 0, failed_in_incidents = 0, expired = 0, cancelled = 0;
  double failure_rate = 0;                  // failed / (completed + failed)
  double failure_rate_without_incidents = 0;
  std::map<std::string, double> cost_per_day;  // "2026-05-14" -> USD
  std::vector<PatternRow> top_patterns;        // by failures since `since`
  std::vector<IncidentRow> incidents;
};

Report build_report(Db& db, millis since, millis now);
nlohmann::json to_json(const Report& r);

}  // namespace arc
