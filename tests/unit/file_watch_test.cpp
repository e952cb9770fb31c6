// FileWatch: a write to the database or its WAL wakes the caller; other
// files in the directory do not.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "core/file_watch.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

TEST(FileWatch, AWriteToTheDatabaseOrItsWalWakesTheCallerAndOtherFilesDoNot) {
  test::TempDir dir;
  std::atomic<int> calls{0};
  FileWatch watch(dir.file("arc.db"), [&] { ++calls; });
  ASSERT_TRUE(watch.ok());
  std::ofstream(dir.file("other.txt")) << "x";
  std::ofstream(dir.file("arc.db-shm")) << "x";
  EXPECT_FALSE(test::wait_for([&] { return calls.load() > 0; }, 200ms));
  std::ofstream(dir.file("arc.db-wal")) << "commit";
  EXPECT_TRUE(test::wait_for([&] { return calls.load() == 1; }, 2s));
  int before = calls.load();
  std::ofstream(dir.file("arc.db"), std::ios::app) << "page";
  EXPECT_TRUE(test::wait_for([&] { return calls.load() > before; }, 2s));
}

TEST(FileWatch, ABurstOfWritesIsCoalesced) {
  test::TempDir dir;
  std::atomic<int> calls{0};
  FileWatch watch(dir.file("arc.db"), [&] { ++calls; }, 200);
  ASSERT_TRUE(watch.ok());
  {
    std::ofstream wal(dir.file("arc.db-wal"));
    for (int i = 0; i < 50; ++i) wal << "commit " << i << std::endl;  // a write each
  }
  EXPECT_TRUE(test::wait_for([&] { return calls.load() >= 1; }, 2s));
  // One now, at most one more after the gap: never one per write.
  EXPECT_FALSE(test::wait_for([&] { return calls.load() > 2; }, 600ms)) << calls.load();
}

}  // namespace
}  // namespace arc
