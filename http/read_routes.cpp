// GET routes: the JSON API's reads, /metrics and the dashboard page.
#include "core/task.hpp"
#include "http/routes.hpp"
#include "storage/report.hpp"
#include "storage/runs.hpp"
#include "storage/status_report.hpp"
#include "storage/task_store.hpp"
#include "storage/views.hpp"

namespace arc::http {
namespace {

int64_t int_param(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return fallback;
  std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
    throw HttpError(400, std::string(name) + ": must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  int64_t n = std::stoll(v);
  if (n < lo || n > hi)
    throw HttpError(400, std::string(name) + ": must be from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

// A GET route answering JSON from a read-only connection of its own.
template <class Fn>
void get_json(httplib::Server& svr, const char* pattern, Shared& shared, Fn fn) {
  svr.Get(pattern, [&shared, fn](const httplib::Request& req, httplib::Response& res) {
    auto db = shared.read_db();
    reply(res, 200, fn(req, *db, system_clock().now_ms()));
  });
}

}  // namespace

void add_read_routes(httplib::Server& svr, Shared& shared) {
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kDashboardHtml, "text/html; charset=utf-8");
    res.set_header("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
  });
  svr.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });

  get_json(svr, "/api/status", shared, [&shared](auto&, Db& db, millis now) {
    return to_json(build_status(db, now, 10, &shared.options.budget, shared.storage_fault()));
  });

  get_json(svr, "/api/tasks", shared, [](const httplib::Request& req, Db& db, millis) {
    TaskFilter f;
    if (std::string status = req.get_param_value("status"); !status.empty()) {
      f.status = parse_task_status(status);
      if (!f.status) throw HttpError(400, "status: one of " + status_list() + ", got \"" + status + "\"");
    }
    f.limit = static_cast<int>(int_param(req, "limit", 50, 1, 1000));
    f.after_id = int_param(req, "after", 0, 1, INT64_MAX);
    TaskStore store(db, system_clock());
    auto tasks = store.list(f);
    auto arr = nlohmann::json::array();
    for (auto& t : tasks) arr.push_back(to_json(t));
    // The next page: ids below the last one here (null when this is the last page).
    nlohmann::json next = static_cast<int>(tasks.size()) == f.limit ? nlohmann::json(tasks.back().id) : nlohmann::json(nullptr);
    return nlohmann::json{{"tasks", arr}, {"next_after", next}};
  });

  get_json(svr, R"(/api/tasks/(\d{1,18}))", shared, [](const httplib::Request& req, Db& db, millis) {
    auto j = task_view(db, std::stoll(req.matches[1].str()));
    if (j.is_null()) throw HttpError(404, "no task with id " + req.matches[1].str());
    return j;
  });
  svr.Get(R"(/api/tasks/([^/]+))", [](const httplib::Request& req, httplib::Response& res) {
    reply(res, 400, {{"error", "task id: must be a positive integer, got \"" + req.matches[1].str() + "\""}});
  });

  get_json(svr, "/api/gate", shared,
           [&shared](auto&, Db& db, millis now) { return gate_view(db, now, &shared.options.budget, shared.storage_fault()); });
  get_json(svr, "/api/runs", shared, [](const httplib::Request& req, Db& db, millis) {
    RunFilter f;
    f.task_id = int_param(req, "task", 0, 1, INT64_MAX);
    f.limit = static_cast<int>(int_param(req, "limit", 50, 1, 1000));
    f.before_id = int_param(req, "before", 0, 1, INT64_MAX);
    auto arr = nlohmann::json::array();
    for (auto& r : list_runs(db, f)) arr.push_back(to_json(r));
    return arr;
  });
  get_json(svr, "/api/nodes", shared, [](auto&, Db& db, millis now) { return nodes_view(db, now); });
  get_json(svr, "/api/sensors", shared,
           [&shared](auto&, Db& db, millis now) { return sensors_view(db, shared.options.sensors, now); });
  get_json(svr, "/api/incidents", shared, [](const httplib::Request& req, Db& db, millis) {
    return incidents_view(db, req.get_param_value("open") == "1" || req.get_param_value("open") == "true");
  });
  get_json(svr, "/api/patterns", shared, [](const httplib::Request& req, Db& db, millis) {
    return patterns_view(db, static_cast<int>(int_param(req, "limit", 20, 1, 1000)));
  });
  get_json(svr, "/api/report", shared, [](const httplib::Request& req, Db& db, millis now) {
    std::string since = req.has_param("since") ? req.get_param_value("since") : "7d";
    auto from = parse_since(since, now);
    if (!from) throw HttpError(400, "since: give a duration such as 7d or 24h, or an ISO-8601 time");
    return to_json(build_report(db, *from, now));
  });

  svr.Get("/metrics", [&shared](const httplib::Request&, httplib::Response& res) {
    auto db = shared.read_db();
    res.set_content(shared.metrics.render(*db, system_clock().now_ms()), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace arc::http
