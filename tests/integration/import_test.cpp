// `arc import arc-starter FILE` on a database made by Arc's own schema code
// (tests/data/arc-starter: arc-starter's src/db.ts on Bun), checked row by
// row and field by field against that file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "storage/arc_import.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

const std::string kArcDb = std::string(ARC_SOURCE_DIR) + "/tests/data/arc-starter/arc.sqlite";

TEST(ArcImport, EveryTaskAndCycleComesOverFieldByField) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  auto r = test::arc_cli(db, {"import", "arc-starter", kArcDb, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rep = nlohmann::json::parse(r.out);
  EXPECT_EQ(rep["tasks"], 10);
  EXPECT_EQ(rep["runs"], 3);
  EXPECT_EQ(rep["requeued_active"], 1);
  EXPECT_EQ(rep["id_offset"], 0);
  std::string unmapped = rep["unmapped"].dump();
  for (const char* said : {"1 script tasks", "1 stop conditions", "1 open tasks whose source", "1 priorities outside",
                           "1 result_detail"})
    EXPECT_NE(unmapped.find(said), std::string::npos) << said << " in " << unmapped;

  Db::Options ro;
  ro.read_only = true;
  Db arc(kArcDb, ro);
  auto ours = open_database(db);
  TaskStore store(*ours, system_clock());
  auto q = arc.prepare("SELECT id, subject, coalesce(description, ''), priority, status, coalesce(source, ''), "
                       "parent_id, model, created_at, started_at, completed_at, coalesce(result_summary, ''), cost_usd, "
                       "api_cost_usd, tokens_in, tokens_out, attempt_count, max_retries FROM tasks ORDER BY id");
  int rows = 0;
  std::set<std::string> open_sources;
  while (q.step()) {
    ++rows;
    int64_t id = q.col_int(0);
    auto t = store.get(id);
    ASSERT_TRUE(t) << "task " << id << " missing";
    SCOPED_TRACE("task " + std::to_string(id));
    EXPECT_EQ(t->subject, q.col_text(1));
    EXPECT_EQ(t->description.substr(0, q.col_text(2).size()), q.col_text(2));
    EXPECT_EQ(t->priority, std::clamp<int>(static_cast<int>(q.col_int(3)), 1, 10));
    std::string arc_status = q.col_text(4), source = q.col_text(5);
    std::string want = arc_status == "active" ? "pending" : arc_status;
    if (want == "pending" && !source.empty() && !open_sources.insert(source).second) want = "cancelled";
    EXPECT_EQ(to_string(t->status), want);
    EXPECT_EQ(t->source, source);
    EXPECT_EQ(t->parent_id, q.col_int(6));
    EXPECT_EQ(t->model, q.col_text(7));
    EXPECT_EQ(t->created_at, arc_time(q.col_text(8)));
    bool open = want == "pending";
    EXPECT_EQ(t->started_at, open ? 0 : arc_time(q.col_text(9)));
    if (!open) {
      millis done = arc_time(q.col_text(10));
      EXPECT_EQ(t->finished_at, done ? done : arc_time(q.col_text(9)) ? arc_time(q.col_text(9)) : t->created_at);
    }
    EXPECT_EQ(t->summary, q.col_text(11));
    EXPECT_DOUBLE_EQ(t->cost_usd, q.col_double(12));
    EXPECT_DOUBLE_EQ(t->api_cost_usd, q.col_double(13));
    EXPECT_EQ(t->tokens_in, q.col_int(14));
    EXPECT_EQ(t->tokens_out, q.col_int(15));
    EXPECT_EQ(t->attempts, open ? 0 : q.col_int(16));
    EXPECT_EQ(t->max_attempts, std::clamp<int64_t>(q.col_int(17), 1, 100));
    auto events = store.events(id);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].actor, "import");
  }
  EXPECT_EQ(rows, 10);
  // Skills: Arc's JSON arrays, and a hand-written "a, b".
  EXPECT_EQ(store.get(2)->skills, (std::vector<std::string>{"pr-review", "stacks-js"}));
  EXPECT_EQ(store.get(10)->skills, (std::vector<std::string>{"notes", "inbox-digest"}));
  EXPECT_EQ(store.get(4)->status, TaskStatus::blocked);  // kept: it needs a person
  EXPECT_NE(store.get(7)->description.find("find logs -mtime +30 -delete"), std::string::npos);

  auto c = arc.prepare("SELECT task_id, started_at, completed_at, duration_ms, cost_usd, api_cost_usd, tokens_in, "
                       "tokens_out, coalesce(model, '') FROM cycle_log ORDER BY id");
  auto runs = ours->prepare("SELECT task_id, started_at, finished_at, duration_ms, cost_usd, api_cost_usd, tokens_in, "
                            "tokens_out, coalesce(model, ''), skills FROM runs ORDER BY id");
  int n = 0;
  while (c.step()) {
    ASSERT_TRUE(runs.step());
    ++n;
    EXPECT_EQ(runs.col_int(0), c.col_int(0));
    EXPECT_EQ(runs.col_int(1), arc_time(c.col_text(1)));
    millis done = arc_time(c.col_text(2));
    EXPECT_EQ(runs.col_int(2), done ? done : arc_time(c.col_text(1)) + c.col_int(3));
    EXPECT_EQ(runs.col_int(3), c.col_int(3));
    EXPECT_DOUBLE_EQ(runs.col_double(4), c.col_double(4));
    EXPECT_DOUBLE_EQ(runs.col_double(5), c.col_double(5));
    EXPECT_EQ(runs.col_int(6), c.col_int(6));
    EXPECT_EQ(runs.col_int(7), c.col_int(7));
    EXPECT_EQ(runs.col_text(8), c.col_text(8));
  }
  EXPECT_EQ(n, 3);
  auto run2 = nlohmann::json::parse(test::arc_cli(db, {"runs", "--task", "2", "--json"}).out);
  ASSERT_EQ(run2.size(), 1u);
  EXPECT_EQ(run2[0]["skills"][0]["name"], "pr-review");
  EXPECT_EQ(run2[0]["skills"][0]["sha256"], "3f2a9c1d0b7e");
}

TEST(ArcImport, ANonEmptyTargetIsRefusedUnlessToldAndIdsAreThenShifted) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "mine"}).exit_code, 0);
  auto refused = test::arc_cli(db, {"import", "arc-starter", kArcDb});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("already has 1 tasks"), std::string::npos) << refused.err;
  auto forced = test::arc_cli(db, {"import", "arc-starter", kArcDb, "--into-non-empty", "--json"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(nlohmann::json::parse(forced.out)["id_offset"], 1);
  auto ours = open_database(db);
  EXPECT_EQ(ours->scalar_int("SELECT parent_id FROM tasks WHERE subject = 'Review PR 7 of rook/engine'"), 2);
  EXPECT_EQ(ours->scalar_int("SELECT count(*) FROM tasks"), 11);
}

TEST(ArcImport, ArcdAndArcPointedAtAnArcDatabaseSayHowToImportIt) {
  test::TempDir dir;
  std::string copy = dir.file("arc.sqlite");
  std::filesystem::copy_file(kArcDb, copy);
  auto r = test::arc_cli(copy, {"tasks", "list"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("import arc-starter"), std::string::npos) << r.err;
  auto not_arc = test::arc_cli(dir.file("new.db"), {"import", "arc-starter", dir.file("missing.sqlite")});
  EXPECT_EQ(not_arc.exit_code, 2);
}

}  // namespace
}  // namespace arc
