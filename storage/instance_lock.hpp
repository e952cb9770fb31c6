// One arcd per database: an exclusive flock on "<database>.lock", held for the
// life of the process and released by the kernel when it dies (even kill -9).
#pragma once
#include <string>

namespace arc {

class InstanceLock {
 public:
  // Throws std::runtime_error naming the holder's pid if another process has it.
  explicit InstanceLock(const std::string& database_path);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  const std::string& path() const { return path_; }

  // The pid written by the current holder, or 0 if the lock is free.
  static int holder_pid(const std::string& database_path);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace arc
