#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string query_plan(Db& db, const std::string& sql) {
  auto q = db.prepare("EXPLAIN QUERY PLAN " + sql);
  std::string plan;
  while (q.step()) plan += q.col_text(3) + "\n";
  return plan;
}

// True if the plan reads the tasks table without an index, or sorts.
bool scans_or_sorts(const std::string& plan) {
  std::istringstream in(plan);
  for (std::string line; std::getline(in, line);) {
    if (line.find("SCAN tasks") != std::string::npos && line.find("INDEX") == std::string::npos) return true;
    if (line.find("TEMP B-TREE") != std::string::npos) return true;
  }
  return false;
}

TEST(Schema, FreshDatabaseHasEveryTableAndVersion) {
  test::TempDir dir;
  auto db = open_database(dir.file("a.db"));
  EXPECT_EQ(db->scalar_int("PRAGMA user_version"), kSchemaVersion);
  for (auto* t : {"tasks", "task_events", "gate", "sensor_state", "incidents", "failure_patterns", "nodes"}) {
    auto q = db->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?");
    q.bind(1, std::string(t));
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.col_int(0), 1) << t;
  }
  auto q = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.col_text(0), "wal");
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM gate"), 1);
}

TEST(Schema, ReopenIsIdempotent) {
  test::TempDir dir;
  { auto db = open_database(dir.file("a.db")); db->exec("INSERT INTO tasks(subject, created_at) VALUES ('x', 1)"); }
  auto db = open_database(dir.file("a.db"));
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks"), 1);
}

TEST(Schema, RefusesAFileThatIsNotADatabaseAndLeavesItUnchanged) {
  test::TempDir dir;
  std::string path = dir.file("notes.txt");
  std::string text(8192, 'x');
  text.replace(0, 30, "these are not the droids\n");
  std::ofstream(path) << text;
  try {
    open_database(path);
    FAIL() << "expected an error";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("not an SQLite database"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(path), text);
  EXPECT_FALSE(std::ifstream(path + "-wal").good());
}

TEST(Schema, RefusesANewerSchemaAndLeavesItUnchanged) {
  test::TempDir dir;
  std::string path = dir.file("new.db");
  {
    Db raw(path, {});
    raw.exec("CREATE TABLE tasks(id INTEGER); PRAGMA user_version = 99;");
  }
  std::string before = read_file(path);
  try {
    open_database(path);
    FAIL() << "expected an error";
  } catch (const DbError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("schema version 99"), std::string::npos) << msg;
    EXPECT_NE(msg.find("upgrade arc"), std::string::npos) << msg;
  }
  EXPECT_EQ(read_file(path), before);
}

TEST(Schema, RefusesAnotherProgramsDatabase) {
  test::TempDir dir;
  std::string path = dir.file("other.db");
  { Db raw(path, {}); raw.exec("CREATE TABLE customers(id INTEGER)"); }
  std::string before = read_file(path);
  EXPECT_THROW(open_database(path), DbError);
  EXPECT_EQ(read_file(path), before);
}

TEST(Schema, HotQueriesUseIndexes) {
  test::TempDir dir;
  auto db = open_database(dir.file("a.db"));
  std::string next = query_plan(*db, hot_sql::kNextReady);
  std::string locks = query_plan(*db, hot_sql::kHeldLocks);
  std::string expired_leases = query_plan(*db, hot_sql::kExpiredLeases);
  std::string expiring = query_plan(*db, hot_sql::kExpiring);
  std::string by_owner = query_plan(*db,
      "SELECT id FROM tasks INDEXED BY tasks_active WHERE status = 'active' AND lease_owner = 'x'");
  // The triage scan (issue 9) reads failures since T through this index.
  std::string failed_since = query_plan(*db,
      "SELECT id FROM tasks INDEXED BY tasks_failed WHERE status = 'failed' AND finished_at >= 5 "
      "ORDER BY finished_at");
  std::string open_source = query_plan(*db,
      "SELECT id FROM tasks WHERE source = 'a' AND status IN ('pending','active')");
  for (auto* plan : {&next, &locks, &expired_leases, &expiring, &by_owner, &failed_since, &open_source})
    EXPECT_FALSE(scans_or_sorts(*plan)) << *plan;
  EXPECT_NE(next.find("tasks_ready"), std::string::npos) << next;
  EXPECT_NE(by_owner.find("tasks_active"), std::string::npos) << by_owner;
  EXPECT_NE(failed_since.find("tasks_failed"), std::string::npos) << failed_since;
}

}  // namespace
}  // namespace arc
