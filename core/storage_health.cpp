#include "core/storage_health.hpp"

#include "core/time_text.hpp"

namespace arc {

std::optional<StorageNews> StorageHealth::failed(const std::string& kind, const std::string& error, millis now) {
  bool new_kind = fault_ && fault_->kind != kind;
  if (!fault_ || new_kind) {
    // A new kind starts its own count, but keeps the time trouble began.
    millis since = fault_ ? fault_->since : now;
    fault_ = StorageFault{kind, error, since, now, 0};
  }
  fault_->error = error;
  fault_->last = now;
  fault_->failures += 1;
  if (told_ && !new_kind) return std::nullopt;
  if (!told_ && fault_->failures < 2) return std::nullopt;
  told_ = true;
  return StorageNews{"storage.failing", *fault_, now};
}

std::optional<StorageNews> StorageHealth::committed(millis now) {
  if (!fault_) return std::nullopt;
  std::optional<StorageNews> news;
  if (told_) news = StorageNews{"storage.recovered", *fault_, now};
  fault_.reset();
  told_ = false;
  return news;
}

std::optional<StorageFault> StorageHealth::told_fault() const {
  if (!told_) return std::nullopt;
  return fault_;
}

void StorageHealth::resume(const std::optional<StorageFault>& told) {
  fault_ = told;
  told_ = told.has_value();
}

std::string describe(const StorageFault& f) {
  return f.kind + " since " + format_iso_utc(f.since) + " (" + std::to_string(f.failures) + " failed commit" +
         (f.failures == 1 ? "" : "s") + "): " + f.error;
}

std::string held_reason(const StorageFault& f, millis now) {
  std::string fix = f.kind == "disk full"          ? "free space on the database's disk"
                    : f.kind == "database locked"  ? "find the process holding the database's write lock"
                    : f.kind == "database corrupt" ? "stop arcd and run `arc doctor` (docs/operator-guide.md)"
                                                   : "check the disk and the kernel log";
  return "storage: " + f.kind + " for " + format_age(now - f.since) + " (" + std::to_string(f.failures) +
         " failed commit" + (f.failures == 1 ? "" : "s") + ", last: " + f.error + "); " + fix +
         ": dispatch resumes by itself at the next commit that goes through";
}

std::string storage_hold(const std::optional<StorageFault>& told, const std::optional<DiskSpace>& disk, millis now) {
  if (told) return held_reason(*told, now);
  if (disk && disk->free_bytes < kDiskNearlyFullBytes)
    return "storage: the disk holding " + disk->dir + " is full (" + std::to_string(disk->free_bytes) +
           " bytes free): commits fail, no task is claimed or recorded; free space on it: dispatch resumes by "
           "itself at the next commit that goes through";
  return "";
}

std::vector<std::string> notify_env(const StorageNews& news) {
  const StorageFault& f = news.fault;
  std::string story = news.event == "storage.failing" ? "dispatch held: " + held_reason(f, news.at)
                                                      : "storage recovered after " + format_age(news.at - f.since) +
                                                            ": dispatch resumes; it was " + describe(f);
  return {"ARC_EVENT=" + news.event, "ARC_STORAGE_KIND=" + f.kind, "ARC_STORAGE_ERROR=" + f.error,
          "ARC_STORAGE_SINCE=" + format_iso_utc(f.since), "ARC_STORAGE_FAILURES=" + std::to_string(f.failures),
          "ARC_GATE_REASON=" + story};
}

}  // namespace arc
