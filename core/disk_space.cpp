#include "core/disk_space.hpp"

#include <sys/statvfs.h>

#include <filesystem>

namespace arc {

std::optional<DiskSpace> disk_space_of(const std::string& file) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(file, ec).parent_path();
  if (ec) return std::nullopt;
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return std::nullopt;
  auto unit = static_cast<int64_t>(fs.f_frsize);
  return DiskSpace{dir.string(), static_cast<int64_t>(fs.f_bavail) * unit, static_cast<int64_t>(fs.f_blocks) * unit};
}

}  // namespace arc
