// Whether arcd's writes reach its database. The persistence actor reports
// each failed commit (or reopening) here, and each commit while a failure
// is remembered; this decides what an operator is told: that a fault
// began, and that it ended, each once, never once per failed commit (a
// full disk fails every batch, claims retry every few seconds). While a
// fault lasts it is the reason dispatch is held: arcd's /api/gate and
// /metrics (RuntimeStats carries it out of the actor system) and the notify
// command show it; `arc status`, another process, sees a full disk itself
// (disk_warning). No clock: callers pass wall milliseconds.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/disk_space.hpp"

namespace arc {

struct StorageFault {
  std::string kind;      // "disk full", "I/O error", "database locked", "database corrupt", "write failed"
  std::string error;     // the latest failure's message
  millis since = 0;      // the first failed commit
  millis last = 0;       // the latest
  int64_t failures = 0;  // failed commits so far
};

// What to tell the operator (log, notify command).
struct StorageNews {
  std::string event;   // "storage.failing" | "storage.recovered"
  StorageFault fault;  // recovered: the fault that ended
  millis at = 0;
};

class StorageHealth {
 public:
  // settle_ms: how long after its last failed commit a told fault counts
  // as over (a nearly full disk lets some commits through between failures:
  // one pair of notifications, not one per flap).
  explicit StorageHealth(millis settle_ms = 10'000) : settle_ms_(settle_ms) {}

  // A commit failed with an error of `kind`. News when it makes the second
  // failure in a row, of whatever kinds (one failure that the next commit
  // cures is a blip: logged, not told).
  std::optional<StorageNews> failed(const std::string& kind, const std::string& error, millis now);
  // A commit went through. News that a told fault is over once its last
  // failure is settle_ms old; an untold blip is forgotten at once.
  std::optional<StorageNews> committed(millis now);

  bool troubled() const { return fault_.has_value(); }  // a failure not yet forgotten
  // The fault while it is told, else nothing.
  std::optional<StorageFault> told_fault() const;

 private:
  millis settle_ms_;
  std::optional<StorageFault> fault_;
  bool told_ = false;
};

// "disk full since 2026-12-06T23:10:02Z (14 failed commits): <error>"
// (the kind is the latest failure's).
std::string describe(const StorageFault& f);

// The reason dispatch is held while `f` lasts, for status lines:
// "storage: disk full for 3m12s (14 failed commits, the last 2s ago: …); free space on the database's disk:
// dispatch resumes by itself once commits go through".
std::string held_reason(const StorageFault& f, millis now);

// Why storage holds dispatch, or "" if it does not: arcd's told fault
// (known inside arcd only).
std::string storage_hold(const std::optional<StorageFault>& told, millis now);
// A warning any process can give, or "": the database's disk has less than
// kDiskNearlyFullBytes left, so commits that need more room will fail
// (SQLite reuses free pages: some still go through).
inline constexpr int64_t kDiskNearlyFullBytes = 1 << 20;
std::string disk_warning(const std::optional<DiskSpace>& disk);

// The notify command's environment for `news`: ARC_EVENT, ARC_STORAGE_KIND,
// ARC_STORAGE_ERROR, ARC_STORAGE_SINCE, ARC_STORAGE_FAILURES, and
// ARC_GATE_REASON with the whole story (for a script written for gate
// changes, which prints that).
std::vector<std::string> notify_env(const StorageNews& news);

}  // namespace arc
