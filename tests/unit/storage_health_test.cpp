// A storage fault is told once when it begins and once when it ends, never
// once per failed commit (core/storage_health.hpp).
#include <gtest/gtest.h>

#include "core/storage_health.hpp"

namespace arc {
namespace {

TEST(StorageHealth, AFaultIsToldAtItsSecondFailureAndItsEndOnceWhateverTheFailuresBetween) {
  StorageHealth h;
  EXPECT_FALSE(h.failed("disk full", "database or disk is full", 1'000)) << "one failure may be a blip";
  EXPECT_FALSE(h.told_fault());
  auto news = h.failed("disk full", "database or disk is full", 2'000);
  ASSERT_TRUE(news);
  EXPECT_EQ(news->event, "storage.failing");
  EXPECT_EQ(news->fault.since, 1'000) << "the fault began at its first failure";
  EXPECT_EQ(news->fault.failures, 2);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(h.failed("disk full", "database or disk is full", 3'000 + i));
  ASSERT_TRUE(h.told_fault());
  EXPECT_EQ(h.told_fault()->failures, 502);
  auto end = h.committed(9'000);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->event, "storage.recovered");
  EXPECT_EQ(end->fault.failures, 502);
  EXPECT_EQ(end->at, 9'000);
  EXPECT_FALSE(h.told_fault());
  EXPECT_FALSE(h.committed(10'000)) << "the end is told once";
}

TEST(StorageHealth, ABlipThatTheNextCommitCuresIsNeverTold) {
  StorageHealth h;
  EXPECT_FALSE(h.failed("database locked", "database is locked", 1'000));
  EXPECT_FALSE(h.committed(1'200));
  EXPECT_FALSE(h.failed("database locked", "database is locked", 5'000)) << "the count started again";
}

TEST(StorageHealth, ANewKindOfFailureIsToldAndKeepsWhenTroubleBegan) {
  StorageHealth h;
  h.failed("database locked", "database is locked", 1'000);
  ASSERT_TRUE(h.failed("database locked", "database is locked", 2'000));
  auto news = h.failed("disk full", "database or disk is full", 3'000);
  ASSERT_TRUE(news) << "the operator must learn the cause changed";
  EXPECT_EQ(news->fault.kind, "disk full");
  EXPECT_EQ(news->fault.since, 1'000);
  EXPECT_EQ(news->fault.failures, 1);
}

TEST(StorageHealth, AToldFaultSurvivesARestartOfTheActorAndItsEndIsStillTold) {
  StorageHealth before;
  before.failed("I/O error", "disk I/O error", 1'000);
  before.failed("I/O error", "disk I/O error", 2'000);
  StorageHealth after;  // the persistence actor restarted with a fresh connection
  after.resume(before.told_fault());
  EXPECT_FALSE(after.failed("I/O error", "disk I/O error", 3'000)) << "already told";
  ASSERT_TRUE(after.committed(4'000));
}

TEST(StorageHealth, TheHeldReasonSaysWhatFailedForHowLongAndWhatToDo) {
  StorageFault f{"disk full", "database or disk is full", 0, 190'000, 14};
  std::string r = held_reason(f, 192'000);
  EXPECT_NE(r.find("storage: disk full for 3m"), std::string::npos) << r;
  EXPECT_NE(r.find("14 failed commits"), std::string::npos) << r;
  EXPECT_NE(r.find("free space"), std::string::npos) << r;
  EXPECT_NE(r.find("resumes by itself"), std::string::npos) << r;
}

TEST(StorageHealth, StorageHoldsDispatchWhileAToldFaultLastsOrTheDiskHasNoRoomLeft) {
  DiskSpace roomy{"/var/lib/arc", 5'000'000'000, 10'000'000'000};
  DiskSpace full{"/var/lib/arc", 4096, 10'000'000'000};
  EXPECT_EQ(storage_hold(std::nullopt, roomy, 0), "");
  EXPECT_EQ(storage_hold(std::nullopt, std::nullopt, 0), "") << "a disk that cannot be looked at holds nothing";
  std::string r = storage_hold(std::nullopt, full, 0);
  EXPECT_NE(r.find("the disk holding /var/lib/arc is full (4096 bytes free)"), std::string::npos) << r;
  StorageFault ioerr{"I/O error", "disk I/O error", 0, 1'000, 3};
  r = storage_hold(ioerr, roomy, 2'000);
  EXPECT_NE(r.find("storage: I/O error"), std::string::npos) << "arcd's own word first: " << r;
}

}  // namespace
}  // namespace arc
