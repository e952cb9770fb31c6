#include "core/file_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace arc {

FileWatch::FileWatch(const std::string& database, std::function<void()> on_change, millis min_gap_ms)
    : on_change_(std::move(on_change)), min_gap_ms_(min_gap_ms) {
  std::filesystem::path p(database);
  db_name_ = p.filename().string();
  wal_name_ = db_name_ + "-wal";
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0 || stop_fd_ < 0 || inotify_add_watch(fd_, dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return;
  }
  thread_ = std::thread([this] { run(); });
}

FileWatch::~FileWatch() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (fd_ >= 0) close(fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void FileWatch::run() {
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents) return;
    bool ours = false;
    ssize_t n;
    while ((n = read(fd_, buf, sizeof buf)) > 0) {
      for (char* at = buf; at < buf + n;) {
        auto* e = reinterpret_cast<inotify_event*>(at);
        if (e->len > 0 && (db_name_ == e->name || wal_name_ == e->name)) ours = true;
        at += sizeof(inotify_event) + e->len;
      }
    }
    if (!ours) continue;
    on_change_();
    // Coalesce: commits in the next min_gap_ms lead to one more call at most.
    pollfd stop = {stop_fd_, POLLIN, 0};
    if (poll(&stop, 1, static_cast<int>(min_gap_ms_)) > 0) return;
  }
}

}  // namespace arc
