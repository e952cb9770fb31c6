// Whether a process, or a whole process group, is gone: for tests that
// promise a run was stopped, not only that a log line said so.
#pragma once
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/types.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace arc::test {

// The state letter and process group of /proc/PID/stat ('\0' if it cannot be
// read: no such process). The command name may hold spaces and parentheses:
// the fields follow the last ')'.
struct ProcStat {
  char state = '\0';
  pid_t pgrp = 0;
};
inline ProcStat proc_stat(pid_t pid) {
  ProcStat s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return s;
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return s;
  s.state = text[close + 2];
  char* end = nullptr;
  std::strtol(text.c_str() + close + 3, &end, 10);  // ppid
  s.pgrp = static_cast<pid_t>(std::strtol(end, nullptr, 10));
  return s;
}

// The CPU a process has used so far, user + system, in clock ticks (fields
// 14 and 15 of /proc/PID/stat); -1 if it cannot be read.
inline long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return -1;
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  const char* p = text.c_str() + close + 2;  // field 3, the state
  for (int field = 3; field < 14 && *p; ++p)
    if (*p == ' ') ++field;
  char* end = nullptr;
  long user = std::strtol(p, &end, 10);
  long system = std::strtol(end, nullptr, 10);
  return user + system;
}

// Gone: kill(pid, 0) fails with ESRCH, or the process is a zombie. A zombie
// has exited and runs nothing; it waits only for its reaper, which for an
// orphan is whatever this machine runs as PID 1 and may be slow (or never
// come, in a container), so it cannot be told to wait for ESRCH.
inline bool process_gone(pid_t pid) {
  if (pid <= 1) return false;  // never a run's process: a test bug, not "gone"
  if (kill(pid, 0) != 0) return errno == ESRCH;
  return proc_stat(pid).state == 'Z';
}

// Gone: kill(-pgid, 0) fails with ESRCH, or every process left in the group
// is a zombie.
inline bool process_group_gone(pid_t pgid) {
  if (pgid <= 1) return false;
  if (kill(-pgid, 0) != 0) return errno == ESRCH;
  DIR* d = opendir("/proc");
  if (!d) return false;
  bool gone = true;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    auto s = proc_stat(pid);
    if (s.pgrp == pgid && s.state != '\0' && s.state != 'Z') {
      gone = false;
      break;
    }
  }
  closedir(d);
  return gone;
}

}  // namespace arc::test
