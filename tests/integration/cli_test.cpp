// The CLI and arcd's refusals: bad input is exit code 2 with a clear message;
// a second arcd, a foreign file and a bad config are refused.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "support/daemon.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

TEST(Cli, BadInputIsExitCodeTwoWithAMessage) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  struct Case { std::vector<std::string> args; std::string says; };
  std::vector<Case> cases = {
      {{"tasks", "add", "--subject", "x", "--bogus"}, "bogus"},
      {{"tasks", "add", "--subject", "x", "--priority", "0"}, "priority"},
      {{"tasks", "add", "--subject", "x", "--priority", "11"}, "priority"},
      {{"tasks", "add", "--subject", "x", "--scheduled-for", "someday"}, "--scheduled-for"},
      {{"tasks", "add", "--priority", "3"}, "subject"},
      {{"tasks", "show", "4242"}, "no task with id 4242"},
      {{"tasks", "cancel", "4242"}, "no task with id 4242"},
      {{"tasks", "close", "4242", "--status", "done"}, "status"},
      {{"tasks", "list", "--status", "weird"}, "status"},
      {{"frobnicate"}, "subcommand"},
  };
  for (auto& c : cases) {
    auto r = test::arc_cli(db, c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.back() << ": " << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(c.says), std::string::npos) << r.out << r.err;
  }
  auto list = test::arc_cli(db, {"tasks", "list", "--json"});
  EXPECT_EQ(nlohmann::json::parse(list.out).size(), 0u);  // nothing was created
}

TEST(Cli, TaskLifecycleByHandWithJson) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  auto add = test::arc_cli(db, {"tasks", "add", "--json", "--subject", "review PR 7", "--priority", "2",
                                "--skills", "review,git", "--locks", "repo", "--source", "pr:7", "--max-age", "2h"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto created = nlohmann::json::parse(add.out);
  EXPECT_TRUE(created["created"].get<bool>());
  auto dup = nlohmann::json::parse(test::arc_cli(db, {"tasks", "add", "--json", "--subject", "again", "--source", "pr:7"}).out);
  EXPECT_FALSE(dup["created"].get<bool>());
  EXPECT_EQ(dup["id"], created["id"]);
  std::string id = std::to_string(created["id"].get<int64_t>());
  EXPECT_EQ(test::arc_cli(db, {"tasks", "update", id, "--priority", "1"}).exit_code, 0);
  auto show = nlohmann::json::parse(test::arc_cli(db, {"tasks", "show", id, "--json"}).out);
  EXPECT_EQ(show["priority"], 1);
  EXPECT_EQ(show["skills"], nlohmann::json({"review", "git"}));
  EXPECT_EQ(show["locks"], nlohmann::json({"repo"}));
  EXPECT_FALSE(show["expires_at"].is_null());
  EXPECT_GE(show["events"].size(), 2u);
  EXPECT_EQ(test::arc_cli(db, {"tasks", "cancel", id, "--reason", "not needed"}).exit_code, 0);
  auto again = test::arc_cli(db, {"tasks", "cancel", id});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already cancelled"), std::string::npos) << again.err;
  auto status = nlohmann::json::parse(test::arc_cli(db, {"status", "--json"}).out);
  EXPECT_EQ(status["counts"]["cancelled"], 1);
  EXPECT_FALSE(status["arcd_running"].get<bool>());
  auto human = test::arc_cli(db, {"tasks", "list"});
  EXPECT_NE(human.out.find("review PR 7"), std::string::npos);
}

TEST(Cli, TriageClassifyReportAndIncidents) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  auto classify = test::arc_cli(db, {"triage", "classify", "--json", "--input",
                                     std::string(ARC_SOURCE_DIR) + "/tests/data/failure_summaries.tsv"});
  ASSERT_EQ(classify.exit_code, 0) << classify.err;
  auto rows = nlohmann::json::parse(classify.out);
  EXPECT_EQ(rows.size(), 331u);  // the header line is a summary too
  EXPECT_EQ(rows[1]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_NE(classify.err.find("patterns"), std::string::npos);
  auto missing = test::arc_cli(db, {"triage", "classify", "--input", "/nonexistent"});
  EXPECT_EQ(missing.exit_code, 2);
  auto report = nlohmann::json::parse(test::arc_cli(db, {"report", "--since", "7d", "--json"}).out);
  EXPECT_EQ(report["failed"], 0);
  EXPECT_TRUE(report.contains("failure_rate_without_incidents"));
  EXPECT_EQ(test::arc_cli(db, {"report", "--since", "last tuesday"}).exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(test::arc_cli(db, {"incidents", "--json"}).out).size(), 0u);
  EXPECT_EQ(nlohmann::json::parse(test::arc_cli(db, {"triage", "--json"}).out).size(), 0u);
}

TEST(Arcd, ASecondArcdOnTheSameDatabaseRefuses) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  test::Daemon first({"--database", db}, dir.file("1.log"));
  ASSERT_TRUE(first.wait_ready()) << first.log();
  test::Daemon second({"--database", db}, dir.file("2.log"));
  EXPECT_NE(second.wait_exit(), 0);
  EXPECT_NE(second.log().find("another arcd (pid " + std::to_string(first.pid()) + ") is already running"),
            std::string::npos) << second.log();
  EXPECT_TRUE(first.alive());
}

TEST(Arcd, RefusesAFileThatIsNotADatabase) {
  test::TempDir dir;
  std::string path = dir.file("notes.txt");
  std::ofstream(path) << std::string(5000, 'z');
  test::Daemon arcd({"--database", path}, dir.file("arcd.log"));
  EXPECT_EQ(arcd.wait_exit(), 1);
  EXPECT_NE(arcd.log().find("is not an SQLite database"), std::string::npos) << arcd.log();
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, std::string(5000, 'z'));
}

TEST(Arcd, BadConfigIsExitCodeTwoNamingTheKey) {
  test::TempDir dir;
  std::string config = dir.file("bad.toml");
  std::ofstream(config) << "[arcd]\nslots = -3\n";
  test::Daemon arcd({"--config", config}, dir.file("arcd.log"));
  EXPECT_EQ(arcd.wait_exit(), 2);
  EXPECT_NE(arcd.log().find("arcd.slots"), std::string::npos) << arcd.log();
}

TEST(Cli, DoctorReportsWhatABugReportNeeds) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "x"}).exit_code, 0);
  ASSERT_EQ(test::arc_cli(db, {"tasks", "close", "1", "--status", "failed", "--summary", "broke"}).exit_code, 0);
  auto r = test::arc_cli(db, {"doctor", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (auto k : {"versions", "config", "arcd", "gate", "database", "recent_errors"}) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["versions"]["caf"], "0.17.6");
  EXPECT_EQ(j["database"]["integrity_check"], "ok");
  EXPECT_GT(j["database"]["disk"]["free_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(j["arcd"]["running"], false);
  ASSERT_EQ(j["recent_errors"]["failed_tasks"].size(), 1u);
  EXPECT_EQ(j["recent_errors"]["failed_tasks"][0]["summary"], "broke");
  auto text = test::arc_cli(db, {"doctor"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("integrity_check: ok"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace arc
