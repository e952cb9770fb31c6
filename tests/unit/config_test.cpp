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

}  // namespace
}  // namespace arc
