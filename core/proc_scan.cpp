#include "core/proc_scan.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

namespace arc {

namespace {

// Calls fn(pid, incarnation) for every live process with ARC_INCARNATION set.
template <class Fn>
void for_each_executor_process(Fn fn) {
  DIR* dir = opendir("/proc");
  if (!dir) return;
  const std::string prefix = std::string(kIncarnationEnv) + "=";
  while (dirent* e = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/environ", std::ios::binary);
    if (!in) continue;
    std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    while (pos < env.size()) {
      size_t end = env.find('\0', pos);
      if (end == std::string::npos) end = env.size();
      if (env.compare(pos, prefix.size(), prefix) == 0) {
        fn(static_cast<pid_t>(std::stol(e->d_name)), env.substr(pos + prefix.size(), end - pos - prefix.size()));
        break;
      }
      pos = end + 1;
    }
  }
  closedir(dir);
}

}  // namespace

std::vector<pid_t> find_executor_groups(const std::set<std::string>& incarnations) {
  std::set<pid_t> groups;
  if (incarnations.empty()) return {};
  pid_t self_group = getpgid(0);
  for_each_executor_process([&](pid_t pid, const std::string& incarnation) {
    if (!incarnations.count(incarnation)) return;
    pid_t g = getpgid(pid);
    if (g > 1 && g != self_group) groups.insert(g);
  });
  return {groups.begin(), groups.end()};
}

std::string make_incarnation_id(const std::string& node_name) {
  std::random_device rd;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
  return node_name + "-" + std::to_string(getpid()) + "-" + hex;
}

std::set<std::string> dead_incarnations_of(const std::string& node) {
  std::set<std::string> dead;
  for_each_executor_process([&](pid_t, const std::string& incarnation) {
    // "<node>-<pid>-<hex>": the node name may hold '-' itself.
    auto hex = incarnation.rfind('-');
    if (hex == std::string::npos || hex == 0) return;
    auto pid_at = incarnation.rfind('-', hex - 1);
    if (pid_at == std::string::npos || incarnation.compare(0, pid_at, node) != 0 || pid_at != node.size()) return;
    long arcd = std::strtol(incarnation.c_str() + pid_at + 1, nullptr, 10);
    if (arcd <= 0) return;
    // Its arcd is gone: the pid is free, ours (reused), or another program's.
    std::ifstream comm("/proc/" + std::to_string(arcd) + "/comm");
    std::string name;
    if (arcd == getpid() || !comm || !std::getline(comm, name) || name.rfind("arcd", 0) != 0)
      dead.insert(incarnation);
  });
  return dead;
}

bool process_group_alive(pid_t pgid) {
  DIR* dir = opendir("/proc");
  if (!dir) return false;
  bool alive = false;
  while (dirent* e = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces; parse after the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') {
      alive = true;
      break;
    }
  }
  closedir(dir);
  return alive;
}

}  // namespace arc
