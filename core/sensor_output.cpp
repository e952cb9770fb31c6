#include "core/sensor_output.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

#include "core/time_text.hpp"

namespace arc {
namespace {

// Fills `spec` from one JSON object; returns "" or what is wrong.
std::string read_spec(const nlohmann::json& j, millis now, const std::string& prefix, TaskSpec& spec) {
  static const char* known[] = {"subject", "description", "priority", "skills", "source", "expires_at",
                                "max_age", "locks", "scheduled_for", "max_attempts", "model", "parent_id"};
  for (auto& [k, v] : j.items()) {
    bool ok = false;
    for (auto* name : known) ok = ok || k == name;
    if (!ok) return "unknown field \"" + k + "\"";
  }
  auto text = [&](const char* key, std::string& out) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    if (!it->is_string()) return std::string("\"") + key + "\" must be a string";
    out = it->get<std::string>();
    return "";
  };
  auto names = [&](const char* key, std::vector<std::string>& out) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    if (!it->is_array()) return std::string("\"") + key + "\" must be an array of strings";
    for (auto& e : *it) {
      if (!e.is_string()) return std::string("\"") + key + "\" must be an array of strings";
      out.push_back(e.get<std::string>());
    }
    return "";
  };
  auto integer = [&](const char* key, int64_t& out) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    if (!it->is_number_integer()) return std::string("\"") + key + "\" must be an integer";
    out = it->get<int64_t>();
    return "";
  };
  std::string why, source, expires, max_age, scheduled;
  int64_t priority = spec.priority, attempts = spec.max_attempts, parent = 0;
  if (!(why = text("subject", spec.subject)).empty() || !(why = text("description", spec.description)).empty() ||
      !(why = text("source", source)).empty() || !(why = text("expires_at", expires)).empty() ||
      !(why = text("max_age", max_age)).empty() || !(why = text("scheduled_for", scheduled)).empty() ||
      !(why = text("model", spec.model)).empty() || !(why = names("skills", spec.skills)).empty() ||
      !(why = names("locks", spec.locks)).empty() || !(why = integer("priority", priority)).empty() ||
      !(why = integer("max_attempts", attempts)).empty() || !(why = integer("parent_id", parent)).empty())
    return why;
  if (priority < -1'000'000 || priority > 1'000'000 || attempts < -1'000'000 || attempts > 1'000'000)
    return "a number is out of range";
  spec.priority = static_cast<int>(priority);
  spec.max_attempts = static_cast<int>(attempts);
  spec.parent_id = parent;
  if (!source.empty()) spec.source = source.find(':') == std::string::npos ? prefix + source : source;
  if (!scheduled.empty()) {
    auto t = parse_when(scheduled, now);
    if (!t) return "\"scheduled_for\" must be an ISO-8601 time or +DURATION";
    spec.scheduled_for = *t;
  }
  if (!expires.empty()) {
    auto t = parse_when(expires, now);
    if (!t) return "\"expires_at\" must be an ISO-8601 time or +DURATION";
    spec.expires_at = *t;
  }
  if (!max_age.empty()) {
    auto d = parse_duration(max_age);
    if (!d || *d <= 0) return "\"max_age\" must be a duration such as \"2h\"";
    spec.expires_at = std::max(now, spec.scheduled_for) + *d;
  }
  return validate(spec);
}

}  // namespace

SensorOutput parse_sensor_output(const std::string& out, millis now, const std::string& default_source_prefix) {
  SensorOutput r;
  std::istringstream in(out);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;  // blank lines are fine
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      r.errors.push_back({n, "not a JSON object: " + sanitize_text(line.substr(0, 120), 200)});
      continue;
    }
    TaskSpec spec;
    std::string why = read_spec(j, now, default_source_prefix, spec);
    if (!why.empty()) {
      r.errors.push_back({n, sanitize_text(why, 300)});
      continue;
    }
    r.specs.push_back(std::move(spec));
  }
  return r;
}

}  // namespace arc
