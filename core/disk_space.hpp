// Room left on the filesystem that holds a file (statvfs of its directory):
// what the health sensor, `arc doctor` and the gate's view report, and what
// tells every process, not only arcd, that commits cannot go through.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace arc {

struct DiskSpace {
  std::string dir;          // the file's directory, absolute
  int64_t free_bytes = 0;   // available to an unprivileged writer (f_bavail)
  int64_t total_bytes = 0;
  int free_percent() const { return total_bytes > 0 ? static_cast<int>(100.0 * free_bytes / total_bytes) : 100; }
};

// Nothing if the directory cannot be looked at (gone, no permission).
std::optional<DiskSpace> disk_space_of(const std::string& file);

}  // namespace arc
