// libFuzzer target: what `arc tasks add` does with its flags, from any bytes:
// the fields (NUL-separated: subject, description, source, skills, locks,
// priority, scheduled-for, expires-at, max-age) go through the same parsers
// and validation, then into the executor's input; a clear error or a valid
// task, never a crash.
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/executor_launch.hpp"
#include "core/task.hpp"
#include "core/time_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> f(9);
  size_t k = 0;
  for (size_t i = 0; i < size && k < f.size(); ++i) {
    if (data[i] == 0) ++k;
    else f[k] += static_cast<char>(data[i]);
  }
  const arc::millis now = 1'800'000'000'000;
  arc::TaskSpec s;
  s.subject = f[0];
  s.description = f[1];
  s.source = f[2];
  for (size_t a = 0, b; a <= f[3].size(); a = b + 1) {
    b = f[3].find(',', a);
    if (b == std::string::npos) b = f[3].size();
    if (b > a) s.skills.push_back(f[3].substr(a, b - a));
  }
  if (!f[4].empty()) s.locks.push_back(f[4]);
  char* end = nullptr;
  long p = std::strtol(f[5].c_str(), &end, 10);
  if (end && *end == '\0' && !f[5].empty()) s.priority = static_cast<int>(p);
  if (auto t = arc::parse_when(f[6], now)) s.scheduled_for = *t;
  if (auto t = arc::parse_when(f[7], now)) s.expires_at = *t;
  if (auto d = arc::parse_duration(f[8]); d && *d > 0) s.expires_at = std::max(now, s.scheduled_for) + *d;
  if (!arc::validate(s).empty()) return 0;  // refused with a reason
  arc::Task t;
  t.id = 1;
  t.subject = s.subject;
  t.description = s.description;
  t.source = s.source;
  t.skills = s.skills;
  t.locks = s.locks;
  t.priority = s.priority;
  arc::SkillConfig skill;
  skill.name = "fuzz";
  skill.command = {"/bin/true"};
  arc::ProcessSpec spec;
  (void)arc::build_process_spec(t, skill, arc::ExecutorEnv{"fuzz-incarnation", "", "", ""}, spec);
  return 0;
}
