#include "core/task_flags.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time_text.hpp"

namespace arc {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  if (s.find_first_not_of(' ') != std::string::npos && s[s.find_first_not_of(' ')] == '[') {
    auto j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_array()) {
      for (auto& e : j)
        if (e.is_string() && !e.get<std::string>().empty()) out.push_back(e.get<std::string>());
      return out;
    }
  }
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    auto b = item.find_first_not_of(' ');
    auto e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

millis time_flag(const std::string& flag, const std::string& text, millis now) {
  auto t = parse_when(text, now);
  if (!t)
    throw TaskFlagError(flag + ": cannot read \"" + text +
                        "\"; give an ISO-8601 time (2026-05-14T17:00:00Z) or +DURATION (+15m, +2h)");
  return *t;
}

TaskSpec task_spec_from_flags(const TaskFlags& f, millis now) {
  TaskSpec spec = f.spec;
  if (!f.skills.empty()) spec.skills = split_list(f.skills);
  if (!f.locks.empty()) spec.locks = split_list(f.locks);
  if (!f.scheduled_for.empty()) spec.scheduled_for = time_flag("--scheduled-for", f.scheduled_for, now);
  // --defer after --scheduled-for: given both, --defer wins (as it always has).
  if (!f.defer.empty()) {
    auto d = parse_duration(f.defer);
    if (!d || *d <= 0) throw TaskFlagError("--defer: give a duration such as 30m, 2h or 1d");
    spec.scheduled_for = now + *d;
  }
  if (!f.expires_at.empty()) spec.expires_at = time_flag("--expires-at", f.expires_at, now);
  if (!f.max_age.empty()) {
    auto d = parse_duration(f.max_age);
    if (!d || *d <= 0) throw TaskFlagError("--max-age: give a duration such as 90s, 15m, 2h or 7d");
    spec.expires_at = std::max(now, spec.scheduled_for) + *d;
  }
  if (auto why = validate(spec); !why.empty()) throw TaskFlagError(why);
  return spec;
}

}  // namespace arc
