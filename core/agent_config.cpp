#include "core/agent_config.hpp"

namespace arc {

std::map<std::string, ModelConfig> default_models() {
  constexpr millis kMinute = 60'000;
  std::map<std::string, ModelConfig> m;
  m["opus"] = {"opus", "opus", 30 * kMinute, 90 * kMinute, 10, "sonnet", {5, 25, 6.25, 0.5}};
  m["sonnet"] = {"sonnet", "sonnet", 15 * kMinute, 0, 3, "", {3, 15, 3.75, 0.30}};
  m["haiku"] = {"haiku", "haiku", 5 * kMinute, 0, 1, "", {1, 5, 1.25, 0.10}};
  return m;
}

}  // namespace arc

// ---- parsing ([agent], [claude], [budget]) ----

#include "core/config_read.hpp"
#include "core/sensor_schedule.hpp"  // parse_clock_minutes
#include "core/time_zone.hpp"

namespace arc {
namespace {

using namespace config_read;

Pricing parse_pricing(const toml::table& t, Pricing d, const std::string& path, const std::string& p) {
  check_keys(t, {"input", "output", "cache_write", "cache_read"}, path, p);
  d.input = get_double(t, "input", d.input, 0, 1e6, path, p);
  d.output = get_double(t, "output", d.output, 0, 1e6, path, p);
  d.cache_write = get_double(t, "cache_write", d.cache_write, 0, 1e6, path, p);
  d.cache_read = get_double(t, "cache_read", d.cache_read, 0, 1e6, path, p);
  return d;
}

ModelConfig parse_model(const std::string& name, const toml::table& t, ModelConfig d, const std::string& path) {
  std::string p = "claude.models." + name + ".";
  check_keys(t, {"id", "timeout_minutes", "night_timeout_minutes", "max_budget_usd", "fallback", "pricing"}, path, p);
  d.name = name;
  d.id = get_str(t, "id", d.id.empty() ? name : d.id, path, p);
  if (d.id.empty()) fail(path, p + "id", "must not be empty");
  d.timeout_ms = get_int(t, "timeout_minutes", d.timeout_ms ? d.timeout_ms / 60'000 : 30, 1, 7 * 1440, path, p) * 60'000;
  d.night_timeout_ms = get_int(t, "night_timeout_minutes", d.night_timeout_ms / 60'000, 0, 7 * 1440, path, p) * 60'000;
  d.max_budget_usd = get_double(t, "max_budget_usd", d.max_budget_usd, 0, 1e6, path, p);
  d.fallback = get_str(t, "fallback", d.fallback, path, p);
  if (auto* pr = t.get("pricing")) {
    auto* pt = pr->as_table();
    if (!pt) fail(path, p + "pricing", "must be a table: { input = 3, output = 15, cache_write = 3.75, cache_read = 0.3 }");
    d.pricing = parse_pricing(*pt, d.pricing, path, p + "pricing.");
  }
  return d;
}

void check_zone(const std::string& zone, const std::string& path, const std::string& key) {
  if (!locate_time_zone(zone))
    fail(path, key, "unknown time zone \"" + zone + "\" (give an IANA name such as \"America/Chicago\" or \"UTC\")");
}

}  // namespace

void parse_agent_tables(const toml::table& root, AgentConfig& agent, ClaudeConfig& claude, BudgetConfig& budget,
                        const std::string& path) {
  claude.models = default_models();
  if (auto* node = root.get("agent")) {
    auto* t = node->as_table();
    if (!t) fail(path, "agent", "must be a table");
    check_keys(*t, {"root", "timezone", "recent_runs"}, path, "agent.");
    agent.root = get_str(*t, "root", "", path, "agent.");
    agent.timezone = get_str(*t, "timezone", agent.timezone, path, "agent.");
    check_zone(agent.timezone, path, "agent.timezone");
    agent.recent_runs = static_cast<int>(get_int(*t, "recent_runs", 10, 0, 100, path, "agent."));
    claude.enabled = true;
  }
  budget.zone = agent.timezone;
  if (auto* node = root.get("claude")) {
    auto* t = node->as_table();
    if (!t) fail(path, "claude", "must be a table");
    const std::string p = "claude.";
    check_keys(*t, {"binary", "args", "env", "default_model", "model_by_skill", "model_by_priority", "models",
                    "night", "self_close_grace_seconds", "kill_grace_seconds", "output_cap_mb"},
               path, p);
    claude.enabled = true;
    claude.binary = get_str(*t, "binary", claude.binary, path, p);
    if (claude.binary.empty()) fail(path, p + "binary", "must not be empty");
    claude.args = get_strings(*t, "args", false, path, p);
    claude.env = get_string_map(*t, "env", path, p);
    for (auto& [k, v] : claude.env)
      if (k.empty() || k.find('=') != std::string::npos) fail(path, p + "env." + k, "is not a variable name");
    if (auto* m = t->get("models")) {
      auto* mt = m->as_table();
      if (!mt) fail(path, p + "models", "must be a table of [claude.models.NAME] tables");
      for (auto& [k, v] : *mt) {
        std::string name(k.str());
        auto* one = v.as_table();
        if (!one) fail(path, p + "models." + name, "must be a table");
        auto it = claude.models.find(name);
        claude.models[name] = parse_model(name, *one, it == claude.models.end() ? ModelConfig{} : it->second, path);
      }
    }
    auto known = [&](const std::string& model, const std::string& key) {
      if (!claude.models.count(model))
        fail(path, key, "names no model \"" + model + "\" (opus, sonnet, haiku or a [claude.models.NAME] table)");
    };
    claude.default_model = get_str(*t, "default_model", claude.default_model, path, p);
    known(claude.default_model, p + "default_model");
    claude.model_by_skill = get_string_map(*t, "model_by_skill", path, p);
    for (auto& [skill, model] : claude.model_by_skill) known(model, p + "model_by_skill." + skill);
    for (auto& [key, model] : get_string_map(*t, "model_by_priority", path, p)) {
      char* end = nullptr;
      long prio = std::strtol(key.c_str(), &end, 10);
      if (key.empty() || *end || prio < 1 || prio > 10)
        fail(path, p + "model_by_priority." + key, "keys are priorities 1..10, e.g. { 1 = \"opus\" }");
      known(model, p + "model_by_priority." + key);
      claude.model_by_priority[static_cast<int>(prio)] = model;
    }
    for (auto& [name, m] : claude.models)
      if (!m.fallback.empty() && m.fallback == m.id)
        fail(path, p + "models." + name + ".fallback", "must differ from the model itself");
    std::string night = get_str(*t, "night", "00:00-08:00", path, p);
    auto dash = night.find('-');
    claude.night_from_minute = dash == std::string::npos ? -1 : parse_clock_minutes(night.substr(0, dash));
    claude.night_to_minute = dash == std::string::npos ? -1 : parse_clock_minutes(night.substr(dash + 1));
    if (claude.night_from_minute < 0 || claude.night_to_minute < 0)
      fail(path, p + "night", "give a local window \"HH:MM-HH:MM\" (e.g. \"00:00-08:00\"), or \"00:00-00:00\" for none");
    claude.self_close_grace_ms = get_int(*t, "self_close_grace_seconds", 45, 0, 3600, path, p) * 1000;
    claude.kill_grace_ms = get_int(*t, "kill_grace_seconds", 10, 0, 600, path, p) * 1000;
    claude.output_cap_bytes = static_cast<size_t>(get_int(*t, "output_cap_mb", 32, 1, 1024, path, p)) << 20;
  } else {
    claude.night_from_minute = 0;
    claude.night_to_minute = 8 * 60;
  }
  if (auto* node = root.get("budget")) {
    auto* t = node->as_table();
    if (!t) fail(path, "budget", "must be a table");
    check_keys(*t, {"daily_usd", "max_priority"}, path, "budget.");
    budget.daily_usd = get_double(*t, "daily_usd", 0, 0, 1e9, path, "budget.");
    budget.max_priority = static_cast<int>(get_int(*t, "max_priority", 2, 1, 10, path, "budget."));
  }
}

}  // namespace arc
