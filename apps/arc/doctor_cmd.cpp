// arc doctor: what an operator pastes into a bug report — versions, config,
// whether arcd runs (the lock holder, its last heartbeat), the gate, the
// database's integrity and size, disk space, and recent errors. It reads
// only; it works whether arcd runs or not.
#include <caf/config.hpp>  // CAF_VERSION only: arc does not link CAF
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/disk_space.hpp"
#include "core/task.hpp"
#include "core/time_text.hpp"
#include "core/version.hpp"
#include "storage/gate_store.hpp"
#include "storage/instance_lock.hpp"
#include "storage/views.hpp"

namespace arc::cli {
namespace {

using nlohmann::json;

int64_t size_of(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

json versions() {
  return {{"arc", std::string(version()) + " (" + git_revision() + ")"},
          {"sqlite", sqlite3_libversion()},
          {"caf", std::to_string(CAF_VERSION / 10000) + "." + std::to_string(CAF_VERSION / 100 % 100) + "." +
                      std::to_string(CAF_VERSION % 100)}};
}

json config_summary(const std::string& path) {
  if (path.empty()) return {{"file", nullptr}, {"note", "no --config given: defaults"}};
  try {
    Config c = load_config(path);
    json skills = json::array(), sensors = json::array();
    for (auto& [n, s] : c.skills) skills.push_back(n);
    for (auto& [n, s] : c.sensors) sensors.push_back(n);
    return {{"file", path}, {"valid", true}, {"database", c.database}, {"slots", c.slots},
            {"skills", skills}, {"sensors", sensors}, {"http", json_text(c.http.listen)},
            {"trace", c.trace.enabled}, {"cluster_role", to_string(c.cluster.role)}};
  } catch (const std::exception& e) {
    return {{"file", path}, {"valid", false}, {"error", e.what()}};
  }
}

json arcd_state(Db& db, millis now) {
  int pid = InstanceLock::holder_pid(db.path());
  json j = {{"running", pid != 0}, {"pid", pid ? json(pid) : json(nullptr)}};
  auto q = db.prepare("SELECT incarnation, node_name, started_at, last_heartbeat, stopped_at FROM nodes "
                      "ORDER BY started_at DESC LIMIT 1");
  if (q.step()) {
    j["last_incarnation"] = q.col_text(0);
    j["node"] = q.col_text(1);
    j["started"] = json_time(q.col_int(2));
    j["last_heartbeat"] = json_time(q.col_int(3));
    j["heartbeat_age_s"] = (now - q.col_int(3)) / 1000;
    j["stopped_cleanly"] = !q.col_null(4);
  }
  return j;
}

json database_state(Db& db) {
  std::string check;
  auto q = db.prepare("PRAGMA integrity_check");
  while (q.step()) check += (check.empty() ? "" : "; ") + q.col_text(0);
  json disk = disk_json(disk_space_of(db.path()));
  return {{"file", db.path()},
          {"schema_version", db.scalar_int("PRAGMA user_version")},
          {"size_bytes", size_of(db.path())},
          {"wal_bytes", size_of(db.path() + "-wal")},
          {"integrity_check", check},
          {"tasks", db.scalar_int("SELECT count(*) FROM tasks")},
          {"disk", disk}};
}

json recent_errors(Db& db) {
  json failed = json::array();
  auto q = db.prepare("SELECT id, finished_at, coalesce(failure_class, ''), coalesce(summary, '') FROM tasks "
                      "INDEXED BY tasks_failed WHERE status = 'failed' ORDER BY finished_at DESC LIMIT 10");
  while (q.step())
    failed.push_back({{"id", q.col_int(0)}, {"at", json_time(q.col_int(1))}, {"class", q.col_text(2)},
                      {"summary", q.col_text(3).substr(0, 200)}});
  json stops = json::array();
  for (auto& e : gate_events(db, 10))
    if (e.to != "running") stops.push_back({{"at", format_iso_utc(e.at)}, {"to", e.to}, {"reason", e.reason}});
  return {{"failed_tasks", failed}, {"gate_stops", stops}, {"open_incidents", incidents_view(db, true)}};
}

void print_text(const nlohmann::ordered_json& r) {
  auto line = [](const std::string& k, const nlohmann::ordered_json& v) {
    std::cout << "  " << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  };
  for (auto& [section, body] : r.items()) {
    std::cout << section << ":\n";
    if (!body.is_object()) {
      std::cout << "  " << body.dump() << "\n";
      continue;
    }
    for (auto& [k, v] : body.items()) {
      if (v.is_array() && !v.empty() && v[0].is_object()) {
        std::cout << "  " << k << ":\n";
        for (auto& row : v) std::cout << "    " << row.dump() << "\n";
      } else {
        line(k, v);
      }
    }
  }
}

}  // namespace

void add_doctor_command(CLI::App& app, Context& ctx) {
  auto* doctor = app.add_subcommand("doctor", "versions, config, arcd, gate, database integrity, disk, recent errors");
  doctor->add_flag("--json", ctx.json, "print JSON");
  doctor->callback([&ctx] {
    nlohmann::ordered_json r;  // printed in this order
    r["versions"] = versions();
    r["config"] = config_summary(ctx.config);
    auto db = ctx.open();
    millis now = system_clock().now_ms();
    r["arcd"] = arcd_state(*db, now);
    json gate = gate_view(*db, now);
    gate.erase("events");
    r["gate"] = gate;
    r["database"] = database_state(*db);
    r["recent_errors"] = recent_errors(*db);
    if (ctx.json) std::cout << r.dump() << "\n";
    else print_text(r);
    if (r["database"]["integrity_check"] != "ok")
      throw UsageError("the database failed its integrity check: stop arcd and restore from a backup "
                       "(docs/operator-guide.md)");
  });
}

}  // namespace arc::cli
