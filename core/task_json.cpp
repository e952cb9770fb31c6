#include "core/task_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "core/time_text.hpp"

namespace arc {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& field, const std::string& what) { throw TaskJsonError(field + ": " + what); }

std::string text(const json& v, const std::string& field) {
  if (!v.is_string()) bad(field, "must be a string");
  return v.get<std::string>();
}

int64_t integer(const json& v, const std::string& field, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) bad(field, "must be an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    bad(field, "out of range");
  int64_t n = v.get<int64_t>();
  if (n < lo || n > hi) bad(field, "must be " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + std::to_string(n));
  return n;
}

std::vector<std::string> names(const json& v, const std::string& field) {
  if (!v.is_array()) bad(field, "must be an array of strings");
  std::vector<std::string> out;
  for (auto& e : v) out.push_back(text(e, field + "[]"));
  return out;
}

millis when(const json& v, const std::string& field, millis now) {
  auto t = parse_when(text(v, field), now);
  if (!t) bad(field, "give an ISO-8601 time (2026-05-14T17:00:00Z) or +DURATION (+15m)");
  return *t;
}

}  // namespace

TaskSpec task_spec_from_json(const std::string& body, millis now) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number that overflows
    throw TaskJsonError(std::string("body: not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw TaskJsonError("body: must be a JSON object");
  TaskSpec spec;
  millis max_age = 0;
  static const char* const known[] = {"subject", "description", "priority", "skills", "locks", "source", "model",
                                      "parent_id", "max_attempts", "scheduled_for", "expires_at", "max_age"};
  for (auto& [k, v] : j.items()) {
    const std::string& key = k;  // a structured binding cannot be captured in C++17
    if (std::none_of(std::begin(known), std::end(known), [&](const char* n) { return key == n; }))
      bad(k, "unknown field (see docs/http-api.md)");
    if (v.is_null()) continue;  // same as absent
    if (k == "subject") spec.subject = text(v, k);
    else if (k == "description") spec.description = text(v, k);
    else if (k == "priority") spec.priority = static_cast<int>(integer(v, k, 1, 10));
    else if (k == "skills") spec.skills = names(v, k);
    else if (k == "locks") spec.locks = names(v, k);
    else if (k == "source") spec.source = text(v, k);
    else if (k == "model") spec.model = text(v, k);
    else if (k == "parent_id") spec.parent_id = integer(v, k, 1, std::numeric_limits<int64_t>::max());
    else if (k == "max_attempts") spec.max_attempts = static_cast<int>(integer(v, k, 1, 100));
    else if (k == "scheduled_for") spec.scheduled_for = when(v, k, now);
    else if (k == "expires_at") spec.expires_at = when(v, k, now);
    else if (k == "max_age") {
      auto d = parse_duration(text(v, k));
      if (!d || *d <= 0) bad(k, "give a duration such as 90s, 15m, 2h or 7d");
      max_age = *d;
    }
  }
  if (!j.contains("subject")) bad("subject", "required");
  if (max_age) {
    if (j.contains("expires_at") && !j["expires_at"].is_null()) bad("max_age", "give max_age or expires_at, not both");
    spec.expires_at = std::max(now, spec.scheduled_for) + max_age;
  }
  if (auto why = validate(spec); !why.empty()) throw TaskJsonError(why);
  return spec;
}

}  // namespace arc
