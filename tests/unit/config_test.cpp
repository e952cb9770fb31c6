#include <gtest/gtest.h>

#include "core/config.hpp"

namespace arc {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "t.toml");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsWork) {
  Config c = parse_config("", "t.toml");
  EXPECT_EQ(c.database, "arc.db");
  EXPECT_EQ(c.slots, 1);
  EXPECT_TRUE(c.skills.empty());
}

TEST(Config, TheExampleConfigLoads) {
  Config c = load_config(std::string(ARC_SOURCE_DIR) + "/examples/arc.toml");
  EXPECT_GE(c.skills.size(), 2u);
  EXPECT_FALSE(c.skills.at("shell").builtin_shell);
}

TEST(Config, ReadsSkills) {
  Config c = parse_config(R"(
[arcd]
slots = 4
[skills.demo]
command = ["/bin/echo", "hi"]
timeout_seconds = 7
)", "t.toml");
  EXPECT_EQ(c.slots, 4);
  EXPECT_EQ(c.skills.at("demo").command, (std::vector<std::string>{"/bin/echo", "hi"}));
  EXPECT_EQ(c.skills.at("demo").timeout_ms, 7000);
}

TEST(Config, ErrorsNameTheFileAndTheKey) {
  EXPECT_NE(error_of("[arcd]\nslotz = 2\n").find("arcd.slotz: unknown key"), std::string::npos);
  EXPECT_NE(error_of("[arcd]\nslots = 0\n").find("arcd.slots: must be between 1 and 256"), std::string::npos);
  EXPECT_NE(error_of("[arcd]\nslots = \"two\"\n").find("arcd.slots: must be an integer"), std::string::npos);
  EXPECT_NE(error_of("[skills.x]\ntimeout_seconds = 5\n").find("skills.x.command: required"), std::string::npos);
  EXPECT_NE(error_of("[skills.x]\ncommand = [1]\n").find("every element must be a string"), std::string::npos);
  EXPECT_NE(error_of("[arcd\n").find("t.toml:1:"), std::string::npos);
  EXPECT_NE(error_of("[arcd]\ndefault_skill = \"nope\"\n").find("arcd.default_skill"), std::string::npos);
}

TEST(HttpConfig, OffByDefaultAndListenIsChecked) {
  EXPECT_TRUE(parse_config("", "t.toml").http.listen.empty());
  Config c = parse_config("[http]\nlisten = \"127.0.0.1:7474\"\nmax_body_kb = 8\n", "t.toml");
  EXPECT_EQ(c.http.listen, "127.0.0.1:7474");
  EXPECT_EQ(c.http.max_body_bytes, 8 * 1024);
  EXPECT_EQ(c.http.token_file, "arcd-http.token");
  EXPECT_NE(error_of("[http]\nlisten = \"7474\"\n").find("http.listen"), std::string::npos);
  EXPECT_NE(error_of("[http]\nlisten = \"host:99999\"\n").find("http.listen"), std::string::npos);
  EXPECT_NE(error_of("[http]\nport = 1\n").find("http.port"), std::string::npos);
  ASSERT_TRUE(parse_listen("0.0.0.0:0"));
  EXPECT_EQ(parse_listen("localhost:80")->first, "localhost");
  EXPECT_EQ(parse_listen("localhost:80")->second, 80);
  EXPECT_FALSE(parse_listen(":80"));
  EXPECT_FALSE(parse_listen("host:"));
  EXPECT_FALSE(parse_listen("host:8x"));
}

TEST(ClusterConfig, SingleByDefaultAndEveryKeyIsChecked) {
  EXPECT_EQ(parse_config("", "t.toml").cluster.role, NodeRole::single);
  Config c = parse_config(
      "[cluster]\nrole = \"worker\"\nhub = \"hub.lan:7475\"\ncertificate = \"w.pem\"\nkey = \"w.key\"\n"
      "cafile = \"ca.pem\"\nreconnect_max_ms = 2000\n",
      "t.toml");
  EXPECT_EQ(c.cluster.role, NodeRole::worker);
  EXPECT_EQ(c.cluster.hub, "hub.lan:7475");
  EXPECT_EQ(c.cluster.cafile, "ca.pem");
  EXPECT_EQ(c.cluster.reconnect_max_ms, 2000);
  EXPECT_FALSE(c.cluster.insecure);
  EXPECT_NE(error_of("[cluster]\nrole = \"boss\"\n").find("cluster.role: must be single, hub or worker"),
            std::string::npos);
  EXPECT_NE(error_of("[cluster]\nlisten = \"7475\"\n").find("cluster.listen"), std::string::npos);
  EXPECT_NE(error_of("[cluster]\nhub = \"hub.lan\"\n").find("cluster.hub"), std::string::npos);
  EXPECT_NE(error_of("[cluster]\nhub_slots = -1\n").find("cluster.hub_slots"), std::string::npos);
  EXPECT_NE(error_of("[cluster]\nsecret = \"x\"\n").find("cluster.secret"), std::string::npos);
}

TEST(Config, PickSkill) {
  Config c = parse_config(R"(
[skills.a]
command = ["/bin/true"]
[skills.b]
command = ["/bin/false"]
[skills.shell]
)", "t.toml");
  std::string why;
  EXPECT_EQ(pick_skill(c, {}, why)->name, "a");         // implicit default
  EXPECT_EQ(pick_skill(c, {"x", "b"}, why)->name, "b");  // first with an executor
  EXPECT_EQ(pick_skill(c, {"typo"}, why), nullptr);      // no silent fallback
  EXPECT_NE(why.find("typo"), std::string::npos);
  EXPECT_EQ(pick_skill(c, {"shell"}, why), nullptr);     // disabled unless enabled
}

TEST(SupervisorPolicy, PerChildPoliciesInheritTheDefaults) {
  auto c = parse_config("[supervisor]\nmax_restarts = 7\njitter_percent = 10\ntree_restarts = 2\n"
                        "[supervisor.children.persistence]\nmax_restarts = 20\nbackoff_max_ms = 9000\n"
                        "[supervisor.children.\"sensor:inbox\"]\nperiod_seconds = 5\n", "t.toml");
  EXPECT_EQ(c.supervisor.max_restarts, 7);
  EXPECT_EQ(c.supervisor.tree_restarts, 2);
  ASSERT_EQ(c.supervisor_children.count("persistence"), 1u);
  EXPECT_EQ(c.supervisor_children["persistence"].max_restarts, 20);
  EXPECT_EQ(c.supervisor_children["persistence"].backoff_max_ms, 9000);
  EXPECT_EQ(c.supervisor_children["persistence"].jitter_percent, 10);  // inherited
  EXPECT_EQ(c.supervisor_children["sensor:inbox"].period_ms, 5000);
  try {
    parse_config("[supervisor.children.qeueu]\nmax_restarts = 1\n", "t.toml");
    FAIL() << "a misspelt child was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("supervisor.children.qeueu"), std::string::npos) << e.what();
  }
}

// Found by the config fuzzer: toml++ turned a huge float into an integer
// with undefined behaviour.
TEST(ConfigValues, AFloatWhereAnIntegerBelongsIsAClearError) {
  try {
    parse_config("[arcd]\nslots = 3.5e97\n", "t.toml");
    FAIL() << "a float was taken as slots";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("arcd.slots: must be an integer"), std::string::npos) << e.what();
  }
}

TEST(TriageConfig, AQuietPeriodAsLongAsTheWindowIsRefused) {
  EXPECT_THROW(parse_config("[triage]\noutage_window_minutes = 30\nquiet_minutes = 30\n", "t.toml"),
               std::runtime_error);
  EXPECT_NO_THROW(parse_config("[triage]\noutage_window_minutes = 30\nquiet_minutes = 29\n", "t.toml"));
}

TEST(Backoff, DoublingDelayDoublesPerTryAndStopsAtItsCap) {
  EXPECT_EQ(doubling_delay(100, 5000, 1), 100);
  EXPECT_EQ(doubling_delay(100, 5000, 2), 200);
  EXPECT_EQ(doubling_delay(100, 5000, 6), 3200);
  EXPECT_EQ(doubling_delay(100, 5000, 7), 5000);
  EXPECT_EQ(doubling_delay(100, 5000, 1'000'000), 5000);  // no overflow however many tries
  EXPECT_EQ(doubling_delay(100, 5000, 0), 100);
}

TEST(SupervisorPolicy, RestartDelayDoublesIsCappedAndJittered) {
  SupervisorPolicy p;
  p.backoff_min_ms = 100;
  p.backoff_max_ms = 1000;
  p.jitter_percent = 0;
  EXPECT_EQ(restart_delay(p, 1, 0.5), 100);
  EXPECT_EQ(restart_delay(p, 3, 0.5), 400);
  EXPECT_EQ(restart_delay(p, 10, 0.5), 1000);
  p.jitter_percent = 20;
  EXPECT_EQ(restart_delay(p, 1, 0.0), 80);    // -20 %
  EXPECT_EQ(restart_delay(p, 1, 0.5), 100);
  EXPECT_EQ(restart_delay(p, 10, 0.999), 1199);  // just under +20 % of the cap
  // A worker's reconnect backoff (actors/hub_link) is the same function:
  // 100 ms doubled per failure up to reconnect_max_ms, +-20 %.
  EXPECT_EQ(jittered_delay(100, 5'000, 1, 20, 0.5), 100);
  EXPECT_EQ(jittered_delay(100, 5'000, 7, 20, 0.0), 4'000);  // 6,400 capped at 5,000, -20 %
}

}  // namespace
}  // namespace arc
