// Wakes arcd when another process writes the database: a thread that
// watches the database's directory with inotify and calls `on_change` when
// the database or its WAL file is written. Without it the dispatcher would
// have to ask SQLite every few milliseconds whether anything changed (26 %
// of a core while idle, measured at stop 15). Calls are coalesced: at most
// one per `min_gap_ms`, however many commits come in between.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "core/clock.hpp"

namespace arc {

class FileWatch {
 public:
  // Starts watching the directory of `database`. ok() is false if inotify is
  // not available (then nothing is called; the caller polls instead).
  FileWatch(const std::string& database, std::function<void()> on_change, millis min_gap_ms = 5);
  ~FileWatch();  // stops and joins the thread
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  bool ok() const { return fd_ >= 0; }

 private:
  void run();
  std::string db_name_, wal_name_;
  std::function<void()> on_change_;
  millis min_gap_ms_;
  int fd_ = -1;       // inotify
  int stop_fd_ = -1;  // eventfd: wakes the thread to stop
  std::thread thread_;
};

}  // namespace arc
