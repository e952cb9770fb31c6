// What `arc tasks add` makes of its flags: the lists and times as the
// operator typed them become a TaskSpec. CLI11 has already read the numbers
// (priority, parent, max attempts) and checked their ranges; everything else
// is read here, so that the CLI and tests/fuzz/task_spec_fuzz.cpp run the
// same code.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/task.hpp"

namespace arc {

// The message names the flag and says what it takes; the CLI prints it and
// exits with status 2.
struct TaskFlagError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct TaskFlags {
  TaskSpec spec;  // subject, description, priority, source, model, parent_id, max_attempts
  std::string skills, locks;              // "a,b" or a JSON array '["a","b"]'; empty = none
  std::string scheduled_for, expires_at;  // ISO-8601 or +DURATION; empty = not given
  std::string max_age;                    // DURATION: expire if not started that long after it is due
  std::string defer;                      // DURATION: not before now + it (Arc's form)
};

// Throws TaskFlagError; the result has passed validate().
TaskSpec task_spec_from_flags(const TaskFlags& flags, millis now);

// "a,b" (items trimmed of spaces, empty ones dropped) or, as Arc also takes
// it, a JSON array of strings (empty strings and non-strings dropped).
std::vector<std::string> split_list(const std::string& text);

// An ISO-8601 instant or "+DURATION" given to `flag`; TaskFlagError naming
// the flag otherwise.
millis time_flag(const std::string& flag, const std::string& text, millis now);

}  // namespace arc
