// GET /metrics: the Prometheus text format (version 0.0.4), names and units
// after Prometheus' conventions (docs/http-api.md lists them).
//
// Gauges (tasks by status, gate, incidents, patterns, database size) are read
// from the database at each scrape through indexed queries. Totals and
// histograms over finished tasks (completed/failed by failure class, duration,
// queue wait, cost, tokens) cover the database's whole history: one full scan
// at the first scrape, then only the task events since the previous scrape.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/agent_config.hpp"
#include "core/runtime_stats.hpp"
#include "storage/db.hpp"

namespace arc::http {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  // name_bucket{le=…} lines, then name_sum and name_count.
  void render(std::string& out, const std::string& name) const;

 private:
  std::vector<double> bounds_;
  std::vector<int64_t> counts_;  // per bucket, not cumulative; the last is +Inf
  double sum_ = 0;
  int64_t count_ = 0;
};

class Metrics {
 public:
  // `stats` may be null (no runtime in this process: restarts and the
  // heartbeat are left out).
  // With a budget (daily_usd > 0) its gauges are rendered too.
  explicit Metrics(std::shared_ptr<const RuntimeStats> stats, BudgetConfig budget = {});
  std::string render(Db& db, millis now);

 private:
  struct Finished;
  void catch_up(Db& db);
  void add(const Finished& f);

  std::shared_ptr<const RuntimeStats> stats_;
  BudgetConfig budget_;
  std::mutex mu_;  // scrapes may overlap
  int64_t cursor_ = -1;  // task_events.id read up to; -1 = not scanned yet
  int64_t completed_ = 0;
  std::map<std::string, int64_t> failed_by_class_;
  double cost_ = 0, api_cost_ = 0;
  int64_t tokens_in_ = 0, tokens_out_ = 0;
  Histogram duration_, queue_wait_;
};

}  // namespace arc::http
