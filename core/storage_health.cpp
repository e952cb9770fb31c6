#include "core/storage_health.hpp"

#include "core/time_text.hpp"

namespace arc {

std::optional<StorageNews> StorageHealth::failed(const std::string& kind, const std::string& error, millis now) {
  if (!fault_) fault_ = StorageFault{kind, error, now, now, 0};
  fault_->kind = kind;
  fault_->error = error;
  fault_->last = now;
  fault_->failures += 1;
  if (told_ || fault_->failures < 2) return std::nullopt;
  told_ = true;
  return StorageNews{"storage.failing", *fault_, now};
}

std::optional<StorageNews> StorageHealth::committed(millis now) {
  if (!fault_) return std::nullopt;
  if (told_ && now - fault_->last < settle_ms_) return std::nullopt;
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
         " failed commit" + (f.failures == 1 ? "" : "s") + ", the last " + format_age(now - f.last) + " ago: " +
         f.error + "); " + fix + ": dispatch resumes by itself once commits go through";
}

std::string storage_hold(const std::optional<StorageFault>& told, millis now) {
  return told ? held_reason(*told, now) : "";
}

std::string disk_warning(const std::optional<DiskSpace>& disk) {
  if (!disk || disk->free_bytes >= kDiskNearlyFullBytes) return "";
  return "the disk holding " + disk->dir + " is full (" + std::to_string(disk->free_bytes) +
         " bytes free): commits that need more room fail, and arcd cannot claim or record; free space on it";
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
