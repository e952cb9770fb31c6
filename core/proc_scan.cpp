#include "core/proc_scan.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace arc {

std::vector<pid_t> find_executor_groups(const std::set<std::string>& incarnations) {
  std::set<pid_t> groups;
  if (incarnations.empty()) return {};
  DIR* dir = opendir("/proc");
  if (!dir) return {};
  pid_t self_group = getpgid(0);
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
      if (env.compare(pos, prefix.size(), prefix) == 0 &&
          incarnations.count(env.substr(pos + prefix.size(), end - pos - prefix.size()))) {
        pid_t pid = static_cast<pid_t>(std::stol(e->d_name));
        pid_t g = getpgid(pid);
        if (g > 1 && g != self_group) groups.insert(g);
        break;
      }
      pos = end + 1;
    }
  }
  closedir(dir);
  return {groups.begin(), groups.end()};
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
