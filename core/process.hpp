// Runs one executor as a child process: argv only (no shell), its own process
// group, stdin fed from memory, stdout/stderr captured up to a cap, a timeout
// that sends SIGTERM to the whole group and SIGKILL after a grace period.
// Blocking: call it from a thread of its own.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace arc {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "KEY=value" added to (or replacing in) arcd's environment
  std::string stdin_data;
  std::string cwd;               // empty = inherit
  millis timeout_ms = 60'000;
  millis kill_grace_ms = 5'000;
  size_t output_cap_bytes = 1 << 20;  // per stream; the rest is read and dropped
};

struct ProcessResult {
  bool spawn_failed = false;   // could not start; spawn_error says why
  std::string spawn_error;
  pid_t pid = 0;               // also the process group id
  int exit_code = -1;          // valid when !signaled
  int term_signal = 0;         // signal that ended it, 0 if it exited
  bool timed_out = false;      // we killed it at its timeout
  bool cancelled = false;      // we killed it because *cancel became true
  std::string out, err;
  bool out_truncated = false, err_truncated = false;
  millis duration_ms = 0;
};

// Runs the process to its end. If `cancel` becomes true, the group is sent
// SIGTERM, then SIGKILL after the grace period. Never throws.
ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel = nullptr);

// Sends SIGTERM to a process group, waits up to grace_ms for it to disappear,
// then SIGKILLs it. For groups that are not our children (left by a dead
// arcd). Returns true if the group is gone.
bool kill_process_group(pid_t pgid, millis grace_ms);

}  // namespace arc
