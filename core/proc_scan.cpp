#include "core/proc_scan.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cctype>
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

}  // namespace arc
