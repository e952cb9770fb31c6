#include "storage/views.hpp"

#include "storage/runs.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

#include "core/task.hpp"
#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/node_store.hpp"
#include "storage/sensor_store.hpp"
#include "storage/task_store.hpp"
#include "storage/triage.hpp"

namespace arc {
namespace {

std::string local_time(millis t) {
  std::time_t s = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return buf;
}

nlohmann::json time_pair(millis t) {
  if (!t) return nullptr;
  return {{"utc", format_iso_utc(t)}, {"local", local_time(t)}};
}

}  // namespace

nlohmann::json disk_json(const std::optional<DiskSpace>& disk) {
  if (!disk) return nullptr;
  return {{"path", disk->dir}, {"free_bytes", disk->free_bytes}, {"total_bytes", disk->total_bytes}};
}

nlohmann::json gate_view(Db& db, millis now, const BudgetConfig* budget, const std::optional<StorageFault>& told) {
  GateState g = load_gate(db);
  int64_t pending = db.scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending'");
  int64_t ready = 0;
  {
    auto q = db.prepare(
        "SELECT count(*) FROM tasks WHERE status = 'pending' AND (scheduled_for IS NULL OR "
        "scheduled_for <= ?1) AND (expires_at IS NULL OR expires_at > ?1)");
    q.bind(1, now);
    if (q.step()) ready = q.col_int(0);
  }
  auto ev = nlohmann::json::array();
  for (auto& e : gate_events(db, 5))
    ev.push_back({{"at", format_iso_utc(e.at)}, {"from", e.from}, {"to", e.to}, {"reason", e.reason}});
  nlohmann::json view = {{"state", to_string(g.state)},
                         {"reason", json_text(g.reason)},
                         {"error_class", json_text(to_string(g.error_class))},
                         {"since", time_pair(g.since)},
                         {"resume_at", time_pair(g.resume_at)},
                         {"resume_in_ms", g.resume_at > now ? nlohmann::json(g.resume_at - now) : nlohmann::json(nullptr)},
                         {"consecutive_failures", g.consecutive_failures},
                         {"waiting", {{"pending", pending}, {"ready", ready}}},
                         {"events", ev}};
  if (budget) view["budget"] = to_json(budget_status(db, *budget, now));
  auto disk = disk_space_of(db.path());
  view["storage"] = {
      {"held", json_text(storage_hold(told, now))},
      {"disk_warning", json_text(disk_warning(disk))},
      {"told", told ? nlohmann::json{{"kind", told->kind},
                                     {"error", told->error},
                                     {"since", time_pair(told->since)},
                                     {"failures", told->failures}}
                    : nlohmann::json(nullptr)},
      {"disk", disk_json(disk)}};
  return view;
}

nlohmann::json sensors_view(Db& db, const std::map<std::string, SensorConfig>& configured, millis now) {
  auto rows = list_sensors(db);
  for (auto& [name, c] : configured) {
    bool seen = false;
    for (auto& r : rows) seen = seen || r.name == name;
    if (seen) continue;
    SensorRow never_ran;
    never_ran.name = name;
    rows.push_back(never_ran);
  }
  auto arr = nlohmann::json::array();
  for (auto& r : rows) {
    auto it = configured.find(r.name);
    bool paused = r.paused_until > now;
    arr.push_back({{"name", r.name},
                   {"cadence", it == configured.end() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(format_age(it->second.cadence.interval_ms))},
                   {"last_run", json_time(r.last_run_at)},
                   {"next_run", json_time(r.next_run_at)},
                   {"last_result", r.last_result},
                   {"streak", r.streak},
                   {"runs", r.runs},
                   {"failures", r.failures},
                   {"deduplicated", r.deduplicated},
                   {"paused_until", paused ? json_time(r.paused_until) : nlohmann::json(nullptr)},
                   {"paused_reason", paused ? nlohmann::json(r.paused_reason) : nlohmann::json(nullptr)}});
  }
  return arr;
}

nlohmann::json patterns_view(Db& db, int limit) {
  auto arr = nlohmann::json::array();
  for (auto& p : list_patterns(db, limit))
    arr.push_back({{"fingerprint", p.fingerprint},
                   {"template", p.template_text},
                   {"count", p.count},
                   {"first_seen", format_iso_utc(p.first_seen)},
                   {"last_seen", format_iso_utc(p.last_seen)},
                   {"investigation_task_id",
                    p.investigation_task_id ? nlohmann::json(p.investigation_task_id) : nlohmann::json(nullptr)},
                   {"investigation_status", json_text(p.investigation_status)}});
  return arr;
}

nlohmann::json incidents_view(Db& db, bool open_only) {
  auto arr = nlohmann::json::array();
  for (auto& i : list_incidents(db, open_only, 0))
    arr.push_back({{"id", i.id},
                   {"kind", i.kind},
                   {"from", format_iso_utc(i.window_start)},
                   {"to", format_iso_utc(i.window_end)},
                   {"failures", i.failure_count},
                   {"open", i.closed_at == 0},
                   {"summary", i.summary}});
  return arr;
}

nlohmann::json nodes_view(Db& db, millis now) {
  constexpr millis kSilentAfterMs = 5'000;
  auto out = nlohmann::json::array();
  for (auto& n : list_nodes(db)) {
    std::string state = n.state;
    if (state == "connected" && now - n.last_heartbeat > kSilentAfterMs) state = "silent";
    out.push_back({{"name", n.name},
                   {"role", n.role},
                   {"address", n.address},
                   {"slots", n.slots},
                   {"running", n.running},
                   {"state", state},
                   {"connected_at", format_iso_utc(n.connected_at)},
                   {"last_heartbeat", format_iso_utc(n.last_heartbeat)},
                   {"heartbeat_age_ms", now - n.last_heartbeat},
                   {"detail", n.detail}});
  }
  return out;
}

nlohmann::json task_view(Db& db, int64_t id) {
  TaskStore store(db, system_clock());
  auto t = store.get(id);
  if (!t) return nullptr;
  auto j = to_json(*t);
  j["events"] = nlohmann::json::array();
  for (auto& e : store.events(id)) j["events"].push_back(to_json(e));
  return j;
}

std::optional<millis> parse_since(const std::string& text, millis now) {
  if (auto d = parse_duration(text)) return now - *d;
  return parse_iso_instant(text);
}

}  // namespace arc
