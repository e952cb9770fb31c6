// Waiting for another connection's write lock (storage/db.hpp busy_pause_us).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>

#include "storage/db.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

TEST(DbBusy, TriesEvery100MicrosecondsForTheFirst5MsThenEveryMillisecond) {
  EXPECT_EQ(busy_pause_us(0), 100);
  EXPECT_EQ(busy_pause_us(49), 100);
  EXPECT_EQ(busy_pause_us(50), 1000);
  EXPECT_EQ(busy_pause_us(5000), 1000);
}

TEST(DbBusy, AWriterGivesUpWithSqliteBusyAfterItsTimeoutNotBefore) {
  test::TempDir dir;
  std::string path = dir.file("busy.db");
  Db holder(path, Db::Options{});
  holder.exec("PRAGMA journal_mode = WAL");
  holder.exec("CREATE TABLE t (x INTEGER)");
  Db::Options o;
  o.busy_timeout_ms = 100;
  Db waiter(path, o);
  Transaction tx(holder);  // holds the write lock
  auto t0 = std::chrono::steady_clock::now();
  try {
    waiter.exec("INSERT INTO t VALUES (1)");
    FAIL() << "wrote while another connection held the write lock";
  } catch (const DbError& e) {
    EXPECT_EQ(e.code() & 0xff, SQLITE_BUSY) << e.what();
  }
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(95));
}

}  // namespace
}  // namespace arc
