// A storage fault is told once when it begins and once when it ends, never
// once per failed commit (core/storage_health.hpp).
#include <gtest/gtest.h>

#include "core/storage_health.hpp"

namespace arc {
namespace {

TEST(StorageHealth, AFaultIsToldAtItsSecondFailureAndItsEndOnceWhateverTheFailuresBetween) {
  StorageHealth h(10'000);
  EXPECT_FALSE(h.failed("disk full", "database or disk is full", 1'000)) << "one failure may be a blip";
  EXPECT_FALSE(h.told_fault());
  EXPECT_TRUE(h.troubled());
  auto news = h.failed("disk full", "database or disk is full", 2'000);
  ASSERT_TRUE(news);
  EXPECT_EQ(news->event, "storage.failing");
  EXPECT_EQ(news->fault.since, 1'000) << "the fault began at its first failure";
  EXPECT_EQ(news->fault.failures, 2);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(h.failed("disk full", "database or disk is full", 3'000 + i));
  ASSERT_TRUE(h.told_fault());
  EXPECT_EQ(h.told_fault()->failures, 502);
  EXPECT_FALSE(h.committed(5'000)) << "the last failure is 1.5 s old: not over yet";
  EXPECT_TRUE(h.told_fault());
  auto end = h.committed(13'499);
  ASSERT_TRUE(end) << "10 s after the last failure";
  EXPECT_EQ(end->event, "storage.recovered");
  EXPECT_EQ(end->fault.failures, 502);
  EXPECT_EQ(end->at, 13'499);
  EXPECT_FALSE(h.told_fault());
  EXPECT_FALSE(h.troubled());
  EXPECT_FALSE(h.committed(20'000)) << "the end is told once";
}

TEST(StorageHealth, ABlipThatTheNextCommitCuresIsNeverTold) {
  StorageHealth h;
  EXPECT_FALSE(h.failed("database locked", "database is locked", 1'000));
  EXPECT_FALSE(h.committed(1'200));
  EXPECT_FALSE(h.troubled());
  EXPECT_FALSE(h.failed("database locked", "database is locked", 5'000)) << "the count started again";
}

TEST(StorageHealth, FailuresOfAnyKindInARowAreOneFaultToldOnce) {
  StorageHealth h;
  EXPECT_FALSE(h.failed("database locked", "database is locked", 1'000));
  auto news = h.failed("disk full", "database or disk is full", 2'000);
  ASSERT_TRUE(news) << "a lock at BEGIN and a full disk at COMMIT, alternating, are one fault";
  EXPECT_EQ(news->fault.kind, "disk full") << "named by its latest failure";
  EXPECT_FALSE(h.failed("database locked", "database is locked", 3'000)) << "a change of kind is not news";
  EXPECT_EQ(h.told_fault()->kind, "database locked");
}

TEST(StorageHealth, ADiskThatFlapsIsOneFaultUntilItHasBeenQuietForTheSettleTime) {
  StorageHealth h(10'000);
  int news = 0;
  for (millis t = 0; t < 60'000; t += 1'000)  // two commits fail, one goes through, every 3 s
    news += (t / 1'000) % 3 == 2 ? h.committed(t).has_value() : h.failed("disk full", "full", t).has_value();
  EXPECT_EQ(news, 1) << "one storage.failing for the whole minute";
  EXPECT_TRUE(h.committed(70'000));
}

TEST(StorageHealth, AFaultSurvivesARestartOfTheActorWhetherToldOrNot) {
  StorageHealth before;
  before.failed("I/O error", "disk I/O error", 1'000);  // the actor restarts with a fresh connection
  StorageHealth after = before;  // kept in RuntimeStats across the restart
  ASSERT_TRUE(after.failed("I/O error", "disk I/O error", 2'000)) << "its second failure in a row";
  StorageHealth again = after;
  EXPECT_FALSE(again.failed("I/O error", "disk I/O error", 3'000)) << "already told";
  EXPECT_TRUE(again.committed(20'000));
}

TEST(StorageHealth, TheHeldReasonSaysWhatFailedForHowLongAndWhatToDo) {
  StorageFault f{"disk full", "database or disk is full", 0, 190'000, 14};
  std::string r = held_reason(f, 192'000);
  EXPECT_NE(r.find("storage: disk full for 3m"), std::string::npos) << r;
  EXPECT_NE(r.find("14 failed commits"), std::string::npos) << r;
  EXPECT_NE(r.find("free space"), std::string::npos) << r;
  EXPECT_NE(r.find("resumes by itself"), std::string::npos) << r;
}

TEST(StorageHealth, StorageHoldsDispatchWhileAToldFaultLastsAndADiskWithNoRoomIsWarnedOf) {
  DiskSpace roomy{"/var/lib/arc", 5'000'000'000, 10'000'000'000};
  DiskSpace full{"/var/lib/arc", 4096, 10'000'000'000};
  EXPECT_EQ(storage_hold(std::nullopt, 0), "");
  EXPECT_EQ(disk_warning(roomy), "");
  EXPECT_EQ(disk_warning(std::nullopt), "") << "a disk that cannot be looked at warns of nothing";
  std::string w = disk_warning(full);
  EXPECT_NE(w.find("the disk holding /var/lib/arc is full (4096 bytes free)"), std::string::npos) << w;
  StorageFault ioerr{"I/O error", "disk I/O error", 0, 1'000, 3};
  std::string r = storage_hold(ioerr, 2'000);
  EXPECT_NE(r.find("storage: I/O error"), std::string::npos) << r;
}

}  // namespace
}  // namespace arc
