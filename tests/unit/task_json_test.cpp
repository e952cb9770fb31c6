#include <gtest/gtest.h>

#include "core/task_json.hpp"

namespace arc {
namespace {

const millis kNow = 1'700'000'000'000;

std::string error_of(const std::string& body) {
  try {
    task_spec_from_json(body, kNow);
  } catch (const TaskJsonError& e) {
    return e.what();
  }
  return "";
}

TEST(TaskJson, ReadsEveryField) {
  TaskSpec s = task_spec_from_json(R"({"subject": "s", "description": "d", "priority": 2, "skills": ["a", "b"],
    "locks": ["repo"], "source": "src", "model": "m", "parent_id": 4, "max_attempts": 7,
    "scheduled_for": "+1h", "max_age": "2h"})", kNow);
  EXPECT_EQ(s.subject, "s");
  EXPECT_EQ(s.priority, 2);
  EXPECT_EQ(s.skills, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.locks, std::vector<std::string>{"repo"});
  EXPECT_EQ(s.parent_id, 4);
  EXPECT_EQ(s.max_attempts, 7);
  EXPECT_EQ(s.scheduled_for, kNow + 3'600'000);
  EXPECT_EQ(s.expires_at, kNow + 3 * 3'600'000);  // max_age counts from when it is due
  TaskSpec d = task_spec_from_json(R"({"subject": "only", "model": null})", kNow);
  EXPECT_EQ(d.priority, 5);
  EXPECT_EQ(d.max_attempts, 3);
}

TEST(TaskJson, ErrorsNameTheField) {
  EXPECT_NE(error_of("").find("body"), std::string::npos);
  // Found by the fuzzer: nlohmann throws out_of_range, not parse_error, for this.
  EXPECT_NE(error_of(R"({"subject": "s", "priority": 1e999})").find("body"), std::string::npos);
  EXPECT_NE(error_of("\"text\"").find("body"), std::string::npos);
  EXPECT_NE(error_of("{}").find("subject: required"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": 3})").find("subject: must be a string"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "priority": 0})").find("priority"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "priority": 2.5})").find("priority: must be an integer"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "parent_id": 18446744073709551615})").find("parent_id"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "skills": [1]})").find("skills[]"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "skills": [""]})").find("skills"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "expires_at": "soon"})").find("expires_at"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "max_age": "-1h"})").find("max_age"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "max_age": "1h", "expires_at": "+2h"})").find("not both"), std::string::npos);
  EXPECT_NE(error_of(R"({"subject": "s", "prio": 1})").find("prio: unknown field"), std::string::npos);
}

}  // namespace
}  // namespace arc
