#include "storage/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace arc {
namespace {
int read_pid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::atoi(buf) : 0;
}
}  // namespace

InstanceLock::InstanceLock(const std::string& database_path) : path_(database_path + ".lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("instance lock " + path_ + ": cannot open: " + std::strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int pid = read_pid(fd_);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("another arcd" + (pid ? " (pid " + std::to_string(pid) + ")" : "") +
                             " is already running on " + database_path +
                             "; stop it first, or give this one another database (lock file " +
                             path_ + ")");
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock is held; the pid is only informative.
  }
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) ::close(fd_);
}

int InstanceLock::holder_pid(const std::string& database_path) {
  std::string p = database_path + ".lock";
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int pid = 0;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) pid = read_pid(fd);
  ::close(fd);
  return pid;
}

}  // namespace arc
