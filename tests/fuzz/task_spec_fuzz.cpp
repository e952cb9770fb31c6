// libFuzzer target: `arc tasks add` from any flag values. The fields
// (NUL-separated: subject, description, source, skills, locks, priority,
// scheduled-for, expires-at, max-age, defer, model) go through the CLI's own
// task_spec_from_flags (core/task_flags.hpp), then a valid task into the
// executor's input: a TaskFlagError, or a spec that passes validate(), never
// a crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/executor_launch.hpp"
#include "core/task.hpp"
#include "core/task_flags.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> f(11);
  size_t k = 0;
  for (size_t i = 0; i < size && k < f.size(); ++i) {
    if (data[i] == 0) ++k;
    else f[k] += static_cast<char>(data[i]);
  }
  const arc::millis now = 1'800'000'000'000;
  arc::TaskFlags flags;
  flags.spec.subject = f[0];
  flags.spec.description = f[1];
  flags.spec.source = f[2];
  flags.skills = f[3];
  flags.locks = f[4];
  // CLI11 reads --priority as an int; any int reaches task_spec_from_flags
  // here, so validate() is also tried on the ones CLI11 would refuse.
  char* end = nullptr;
  long p = std::strtol(f[5].c_str(), &end, 10);
  if (end && *end == '\0' && !f[5].empty() && p >= INT32_MIN && p <= INT32_MAX) flags.spec.priority = static_cast<int>(p);
  flags.scheduled_for = f[6];
  flags.expires_at = f[7];
  flags.max_age = f[8];
  flags.defer = f[9];
  flags.spec.model = f[10];
  arc::TaskSpec s;
  try {
    s = arc::task_spec_from_flags(flags, now);
  } catch (const arc::TaskFlagError&) {
    return 0;  // refused with a reason
  }
  if (!arc::validate(s).empty()) std::abort();  // accepted must mean valid
  arc::Task t;
  t.id = 1;
  t.subject = s.subject;
  t.description = s.description;
  t.source = s.source;
  t.skills = s.skills;
  t.locks = s.locks;
  t.priority = s.priority;
  t.model = s.model;
  t.scheduled_for = s.scheduled_for;
  t.expires_at = s.expires_at;
  arc::SkillConfig skill;
  skill.name = "fuzz";
  skill.command = {"/bin/true"};
  arc::ProcessSpec spec;
  (void)arc::build_process_spec(t, skill, arc::ExecutorEnv{"fuzz-incarnation", "", "", ""}, spec);
  return 0;
}
