#include "core/config.hpp"

#include "core/config_read.hpp"
#include "core/enum_text.hpp"
#include "core/time_text.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace arc {

const char* to_string(NodeRole r) {
  switch (r) {
    case NodeRole::single: return "single";
    case NodeRole::hub: return "hub";
    case NodeRole::worker: return "worker";
  }
  return "unknown";
}

std::optional<NodeRole> parse_node_role(std::string_view text) {
  return from_text(text, {NodeRole::single, NodeRole::hub, NodeRole::worker});
}
namespace {

using namespace config_read;

SkillConfig parse_skill(const std::string& name, const toml::table& t, const std::string& path) {
  std::string p = "skills." + name + ".";
  check_keys(t, {"command", "timeout_seconds", "kill_grace_seconds", "output_cap_bytes", "format",
                 "cwd", "enabled"},
             path, p);
  SkillConfig s;
  s.name = name;
  s.timeout_ms = get_int(t, "timeout_seconds", 1800, 1, 7 * 86400, path, p) * 1000;
  s.kill_grace_ms = get_int(t, "kill_grace_seconds", 5, 0, 3600, path, p) * 1000;
  s.output_cap_bytes =
      static_cast<size_t>(get_int(t, "output_cap_bytes", 1 << 20, 1024, 256 << 20, path, p));
  s.format = get_str(t, "format", "arc", path, p);
  if (s.format != "arc" && s.format != "claude")
    fail(path, p + "format", "must be \"arc\" or \"claude\", got \"" + s.format + "\"");
  s.cwd = get_str(t, "cwd", "", path, p);
  if (name == "shell") {
    // The built-in shell skill runs a task's description as argv: powerful, so off by default.
    s.builtin_shell = get_bool(t, "enabled", false, path, p);
    if (t.get("command")) fail(path, p + "command", "the shell skill takes its argv from the task");
    return s;
  }
  s.command = get_strings(t, "command", true, path, p);
  return s;
}

GuardWindow parse_guard(const toml::table& t, const std::string& path, const std::string& key) {
  GuardWindow g;
  g.zone = get_str(t, "zone", "UTC", path, key + ".");
  if (t.get("command")) {
    check_keys(t, {"command", "from", "to"}, path, key + ".");
    g.kind = GuardWindow::counter;
    g.command = get_strings(t, "command", true, path, key + ".");
    g.counter_from = get_int(t, "from", 0, INT64_MIN, INT64_MAX, path, key + ".");
    g.counter_to = get_int(t, "to", 0, INT64_MIN, INT64_MAX, path, key + ".");
    if (g.counter_to < g.counter_from) fail(path, key, "\"to\" is below \"from\"");
    return g;
  }
  if (t.get("dates")) {
    check_keys(t, {"dates", "zone"}, path, key + ".");
    g.kind = GuardWindow::dates;
    std::string d = get_str(t, "dates", "", path, key + ".");
    auto dots = d.find("..");
    g.from_date = d.substr(0, dots);
    g.to_date = dots == std::string::npos ? d : d.substr(dots + 2);
    if (!parse_iso_instant(g.from_date + "T00:00:00Z") || !parse_iso_instant(g.to_date + "T00:00:00Z") ||
        g.to_date < g.from_date)
      fail(path, key + ".dates", "must be \"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\"");
    return g;
  }
  check_keys(t, {"from", "to", "zone"}, path, key + ".");
  g.kind = GuardWindow::clock;
  g.from_minute = parse_clock_minutes(get_str(t, "from", "", path, key + "."));
  g.to_minute = parse_clock_minutes(get_str(t, "to", "", path, key + "."));
  if (g.from_minute < 0 || g.to_minute < 0)
    fail(path, key, "a clock window needs \"from\" and \"to\" as HH:MM (or \"dates\", or a counter \"command\")");
  return g;
}

SensorConfig parse_sensor(const std::string& name, const toml::table& t, const std::string& path) {
  std::string p = "sensors." + name + ".";
  check_keys(t, {"kind", "command", "interval_seconds", "jitter_seconds", "startup_spread_seconds", "timeout_seconds",
                 "output_cap_bytes", "failure_threshold", "guard", "gate_stopped_minutes",
                 "queue_depth", "disk_free_percent"},
             path, p);
  SensorConfig s;
  s.name = name;
  s.kind = get_str(t, "kind", "script", path, p);
  if (s.kind != "script" && s.kind != "health" && s.kind != "stale-tasks")
    fail(path, p + "kind", "must be \"script\", \"health\" or \"stale-tasks\"");
  s.cadence.interval_ms = get_int(t, "interval_seconds", 300, 1, 30 * 86400, path, p) * 1000;
  s.cadence.jitter_ms = get_int(t, "jitter_seconds", 0, 0, 86400, path, p) * 1000;
  s.cadence.startup_spread_ms = get_int(t, "startup_spread_seconds", 30, 0, 3600, path, p) * 1000;
  s.timeout_ms = get_int(t, "timeout_seconds", 60, 1, 86400, path, p) * 1000;
  s.output_cap_bytes = static_cast<size_t>(get_int(t, "output_cap_bytes", 1 << 20, 1024, 64 << 20, path, p));
  s.failure_threshold = static_cast<int>(get_int(t, "failure_threshold", 3, 1, 1000, path, p));
  s.gate_stopped_alert_ms = get_int(t, "gate_stopped_minutes", 60, 1, 7 * 1440, path, p) * 60'000;
  s.queue_depth_alert = static_cast<int>(get_int(t, "queue_depth", 500, 1, 100'000'000, path, p));
  s.disk_free_percent_alert = static_cast<int>(get_int(t, "disk_free_percent", 5, 0, 100, path, p));
  if (s.kind == "script") {
    s.command = get_strings(t, "command", true, path, p);
  } else if (t.get("command")) {
    fail(path, p + "command", "only script sensors take a command");
  }
  if (auto* g = t.get("guard")) {
    auto* arr = g->as_array();
    if (!arr) fail(path, p + "guard", "must be an array of tables, e.g. [{ from = \"22:00\", to = \"06:00\" }]");
    int i = 0;
    for (auto& el : *arr) {
      auto* gt = el.as_table();
      std::string key = p + "guard[" + std::to_string(i++) + "]";
      if (!gt) fail(path, key, "must be a table");
      s.guards.push_back(parse_guard(*gt, path, key));
    }
  }
  return s;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config " << path << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": " << e.description();
    throw std::runtime_error(msg.str());
  }
  check_keys(root, {"arcd", "retry", "supervisor", "gate", "max_age", "triage", "trace", "http", "cluster", "sensors", "skills",
                     "agent", "claude", "budget"},
             path, "");
  Config c;
  c.source_path = path;
  if (auto* a = root.get_as<toml::table>("arcd")) {
    check_keys(*a,
               {"database", "synchronous", "slots", "lease_seconds", "poll_ms", "prefetch_ms",
                "shutdown_grace_seconds", "busy_timeout_ms", "log_level", "node_name",
                "default_skill"},
               path, "arcd.");
    c.database = get_str(*a, "database", c.database, path, "arcd.");
    c.synchronous = get_str(*a, "synchronous", c.synchronous, path, "arcd.");
    if (c.synchronous != "full" && c.synchronous != "normal")
      fail(path, "arcd.synchronous", "must be \"full\" or \"normal\"");
    c.slots = static_cast<int>(get_int(*a, "slots", 1, 1, 256, path, "arcd."));
    c.lease_ms = get_int(*a, "lease_seconds", 60, 3, 86400, path, "arcd.") * 1000;
    c.poll_ms = get_int(*a, "poll_ms", 250, 10, 60'000, path, "arcd.");
    c.prefetch_ms = get_int(*a, "prefetch_ms", 5, 0, 1'000, path, "arcd.");
    c.shutdown_grace_ms = get_int(*a, "shutdown_grace_seconds", 30, 0, 3600, path, "arcd.") * 1000;
    c.busy_timeout_ms = get_int(*a, "busy_timeout_ms", 5000, 0, 600'000, path, "arcd.");
    c.log_level = get_str(*a, "log_level", c.log_level, path, "arcd.");
    c.node_name = get_str(*a, "node_name", "", path, "arcd.");
    c.default_skill = get_str(*a, "default_skill", "", path, "arcd.");
  } else if (root.get("arcd")) {
    fail(path, "arcd", "must be a table");
  }
  if (auto* r = root.get_as<toml::table>("retry")) {
    check_keys(*r, {"base_seconds", "max_seconds"}, path, "retry.");
    c.retry.base_ms = get_int(*r, "base_seconds", 10, 0, 86400, path, "retry.") * 1000;
    c.retry.max_ms = get_int(*r, "max_seconds", 600, 0, 7 * 86400, path, "retry.") * 1000;
  }
  if (auto* s = root.get_as<toml::table>("supervisor")) {
    check_keys(*s, {"max_restarts", "period_seconds", "backoff_min_ms", "backoff_max_ms", "jitter_percent",
                    "tree_restarts", "children"},
               path, "supervisor.");
    auto read_policy = [&](const toml::table& t, SupervisorPolicy d, const std::string& p) {
      d.max_restarts = static_cast<int>(get_int(t, "max_restarts", d.max_restarts, 0, 1000, path, p));
      d.period_ms = get_int(t, "period_seconds", d.period_ms / 1000, 1, 86400, path, p) * 1000;
      d.backoff_min_ms = get_int(t, "backoff_min_ms", d.backoff_min_ms, 0, 600'000, path, p);
      d.backoff_max_ms = get_int(t, "backoff_max_ms", d.backoff_max_ms, 0, 600'000, path, p);
      d.jitter_percent = static_cast<int>(get_int(t, "jitter_percent", d.jitter_percent, 0, 100, path, p));
      if (d.backoff_max_ms < d.backoff_min_ms) fail(path, p + "backoff_max_ms", "must not be below backoff_min_ms");
      return d;
    };
    c.supervisor = read_policy(*s, c.supervisor, "supervisor.");
    c.supervisor.tree_restarts = static_cast<int>(get_int(*s, "tree_restarts", 1, 0, 100, path, "supervisor."));
    if (auto* ch = s->get_as<toml::table>("children")) {
      for (auto& [k, v] : *ch) {
        std::string name(k.str()), p = "supervisor.children." + name + ".";
        static const char* known[] = {"persistence", "queue", "gate", "triage", "dispatcher", "tracer", "sensors"};
        bool ok = name.rfind("sensor:", 0) == 0;
        for (auto* n : known) ok = ok || name == n;
        if (!ok)
          fail(path, "supervisor.children." + name,
               "unknown child (persistence, queue, gate, triage, dispatcher, tracer, sensors or sensor:NAME)");
        auto* t = v.as_table();
        if (!t) fail(path, "supervisor.children." + name, "must be a table");
        check_keys(*t, {"max_restarts", "period_seconds", "backoff_min_ms", "backoff_max_ms", "jitter_percent"},
                   path, p);
        c.supervisor_children[name] = read_policy(*t, c.supervisor, p);
      }
    }
  }
  if (auto* g = root.get_as<toml::table>("gate")) {
    check_keys(*g, {"failure_threshold", "resume_margin_seconds", "fallback_backoff_minutes",
                    "default_zone", "long_gap_minutes", "notify"},
               path, "gate.");
    c.gate.failure_threshold = static_cast<int>(get_int(*g, "failure_threshold", 3, 0, 1000, path, "gate."));
    c.gate.resume_margin_ms = get_int(*g, "resume_margin_seconds", 10, 0, 3600, path, "gate.") * 1000;
    c.gate.fallback_backoff_ms = get_int(*g, "fallback_backoff_minutes", 60, 1, 7 * 1440, path, "gate.") * 60'000;
    c.gate.long_gap_ms = get_int(*g, "long_gap_minutes", 30, 0, 7 * 1440, path, "gate.") * 60'000;
    c.gate.default_zone = get_str(*g, "default_zone", "UTC", path, "gate.");
    c.gate.notify = get_strings(*g, "notify", false, path, "gate.");
  }
  if (auto* m = root.get_as<toml::table>("max_age")) {
    check_keys(*m, {"skills", "sources"}, path, "max_age.");
    auto read_ages = [&](const char* key, std::map<std::string, millis>& out) {
      auto* t = m->get_as<toml::table>(key);
      if (!t) return;
      for (auto& [k, v] : *t) {
        std::string name = "max_age." + std::string(key) + "." + std::string(k.str());
        auto text = v.value<std::string>();
        auto d = text ? parse_duration(*text) : std::nullopt;
        if (!d || *d <= 0) fail(path, name, "must be a duration such as \"90m\", \"12h\" or \"2d\"");
        out[std::string(k.str())] = *d;
      }
    };
    read_ages("skills", c.gate.max_age_by_skill);
    read_ages("sources", c.gate.max_age_by_source);
  }
  if (auto* t = root.get_as<toml::table>("triage")) {
    const std::string p = "triage.";
    check_keys(*t, {"cadence_seconds", "burst", "outage_threshold", "outage_window_minutes",
                    "quiet_minutes", "similarity_percent", "investigate_after",
                    "investigate_period_hours", "investigation_priority", "investigation_skills",
                    "incident_summary_task"},
               path, p);
    auto& c2 = c.triage;
    c2.cadence_ms = get_int(*t, "cadence_seconds", 60, 1, 86400, path, p) * 1000;
    c2.burst = static_cast<int>(get_int(*t, "burst", 50, 1, 1'000'000, path, p));
    c2.outage_threshold = static_cast<int>(get_int(*t, "outage_threshold", 200, 2, 10'000'000, path, p));
    c2.outage_window_ms = get_int(*t, "outage_window_minutes", 120, 1, 7 * 1440, path, p) * 60'000;
    c2.quiet_ms = get_int(*t, "quiet_minutes", 30, 1, 7 * 1440, path, p) * 60'000;
    // A failure is classified once it is older than the window; an outage may
    // be extended across a lull of quiet_ms. With the lull longer, a failure
    // could be classified and later fall inside the outage.
    if (c2.quiet_ms >= c2.outage_window_ms)
      fail(path, p + "quiet_minutes", "must be shorter than outage_window_minutes");
    c2.similarity = static_cast<double>(get_int(*t, "similarity_percent", 50, 1, 100, path, p)) / 100.0;
    c2.investigate_after = static_cast<int>(get_int(*t, "investigate_after", 3, 1, 100'000, path, p));
    c2.investigate_period_ms = get_int(*t, "investigate_period_hours", 24, 1, 24 * 365, path, p) * 3'600'000;
    c2.investigation_priority = static_cast<int>(get_int(*t, "investigation_priority", 4, 1, 10, path, p));
    c2.incident_summary_task = get_bool(*t, "incident_summary_task", false, path, p);
    c2.investigation_skills = get_strings(*t, "investigation_skills", false, path, p);
  }
  if (auto* t = root.get_as<toml::table>("trace")) {
    const std::string p = "trace.";
    check_keys(*t, {"enabled", "file", "max_mb", "keep"}, path, p);
    c.trace.enabled = get_bool(*t, "enabled", false, path, p);
    c.trace.file = get_str(*t, "file", c.trace.file, path, p);
    if (c.trace.file.empty()) fail(path, "trace.file", "must not be empty");
    c.trace.max_bytes = static_cast<uint64_t>(get_int(*t, "max_mb", 64, 1, 1'000'000, path, p)) << 20;
    c.trace.keep = static_cast<int>(get_int(*t, "keep", 3, 0, 100, path, p));
  }
  if (auto* t = root.get_as<toml::table>("http")) {
    const std::string p = "http.";
    check_keys(*t, {"listen", "token_file", "max_body_kb", "max_event_streams"}, path, p);
    c.http.listen = get_str(*t, "listen", "", path, p);
    if (!c.http.listen.empty() && !parse_listen(c.http.listen))
      fail(path, "http.listen", "give HOST:PORT, e.g. \"127.0.0.1:7474\"");
    c.http.token_file = get_str(*t, "token_file", c.http.token_file, path, p);
    if (c.http.token_file.empty()) fail(path, "http.token_file", "must not be empty");
    c.http.max_body_bytes = get_int(*t, "max_body_kb", 64, 1, 100 * 1024, path, p) << 10;
    c.http.max_event_streams = static_cast<int>(get_int(*t, "max_event_streams", 16, 1, 1000, path, p));
  }
  if (auto* t = root.get_as<toml::table>("cluster")) {
    const std::string p = "cluster.";
    check_keys(*t, {"role", "listen", "hub", "certificate", "key", "cafile", "insecure", "hub_slots",
                    "reconnect_max_ms", "request_timeout_ms"},
               path, p);
    auto& k = c.cluster;
    std::string role = get_str(*t, "role", "single", path, p);
    auto known = parse_node_role(role);
    if (!known) fail(path, "cluster.role", "must be single, hub or worker, got \"" + role + "\"");
    k.role = *known;
    k.listen = get_str(*t, "listen", "", path, p);
    if (!k.listen.empty() && !parse_listen(k.listen))
      fail(path, "cluster.listen", "give HOST:PORT, e.g. \"0.0.0.0:7475\"");
    k.hub = get_str(*t, "hub", "", path, p);
    if (!k.hub.empty() && !parse_listen(k.hub)) fail(path, "cluster.hub", "give HOST:PORT, e.g. \"hub.lan:7475\"");
    k.certificate = get_str(*t, "certificate", "", path, p);
    k.key = get_str(*t, "key", "", path, p);
    k.cafile = get_str(*t, "cafile", "", path, p);
    k.insecure = get_bool(*t, "insecure", false, path, p);
    k.hub_slots = static_cast<int>(get_int(*t, "hub_slots", 0, 0, 256, path, p));
    k.reconnect_max_ms = get_int(*t, "reconnect_max_ms", 5'000, 100, 600'000, path, p);
    k.request_timeout_ms = get_int(*t, "request_timeout_ms", 5'000, 100, 600'000, path, p);
  }
  if (auto* ss = root.get_as<toml::table>("sensors")) {
    for (auto& [k, v] : *ss) {
      auto* t = v.as_table();
      if (!t) fail(path, "sensors." + std::string(k.str()), "must be a table");
      c.sensors[std::string(k.str())] = parse_sensor(std::string(k.str()), *t, path);
    }
  }
  if (auto* sk = root.get_as<toml::table>("skills")) {
    for (auto& [k, v] : *sk) {
      auto* t = v.as_table();
      if (!t) fail(path, "skills." + std::string(k.str()), "must be a table");
      c.skills[std::string(k.str())] = parse_skill(std::string(k.str()), *t, path);
    }
  }
  parse_agent_tables(root, c.agent, c.claude, c.budget, path);
  if (!c.default_skill.empty() && !c.skills.count(c.default_skill))
    fail(path, "arcd.default_skill", "names no [skills." + c.default_skill + "] table");
  return c;
}

millis doubling_delay(millis first, millis cap, int nth) {
  millis d = first;
  for (int i = 1; i < nth && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

millis jittered_delay(millis first, millis cap, int nth, int jitter_percent, double u) {
  millis d = doubling_delay(first, cap, nth);
  double spread = static_cast<double>(jitter_percent) / 100.0 * (2 * u - 1);  // [-j, +j)
  return std::max<millis>(0, static_cast<millis>(static_cast<double>(d) * (1 + spread)));
}

millis restart_delay(const SupervisorPolicy& p, int nth, double u) {
  return jittered_delay(p.backoff_min_ms, p.backoff_max_ms, nth, p.jitter_percent, u);
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("config " + path + ": cannot open it (does the file exist?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

const SkillConfig* pick_skill(const Config& cfg, const std::vector<std::string>& task_skills,
                              std::string& why) {
  for (auto& name : task_skills) {
    auto it = cfg.skills.find(name);
    if (it == cfg.skills.end()) continue;
    if (it->second.builtin_shell || !it->second.command.empty()) return &it->second;
  }
  // An explicit default_skill catches every task; the implicit default (the
  // first skill with a command) only tasks that name no skill, so that a typo
  // in a skill name is an error rather than a silent fallback.
  std::string def = cfg.default_skill;
  if (def.empty() && task_skills.empty()) {
    for (auto& [name, s] : cfg.skills)
      if (!s.command.empty()) { def = name; break; }
  }
  if (auto it = cfg.skills.find(def); !def.empty() && it != cfg.skills.end()) return &it->second;
  if (task_skills.empty()) {
    why = "the task names no skill and no executor is configured: add a [skills.NAME] table "
          "with a command to the config";
    return nullptr;
  }
  why = "no configured executor for skills [";
  for (size_t i = 0; i < task_skills.size(); ++i) why += (i ? ", " : "") + task_skills[i];
  why += "]: add a [skills.NAME] table with a command (or enable [skills.shell])";
  return nullptr;
}

}  // namespace arc

namespace arc {

std::optional<std::pair<std::string, int>> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int p = std::stoi(port);
  if (p > 65535) return std::nullopt;
  if (host.find_first_of(" /\t") != std::string::npos) return std::nullopt;
  return std::make_pair(host, p);
}

}  // namespace arc
