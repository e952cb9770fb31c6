// `arc tasks add`'s flags to a TaskSpec (core/task_flags.hpp): lists in
// both forms, times, durations, and errors that name the flag.
#include <gtest/gtest.h>

#include "core/task_flags.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

const millis kNow = 1'800'000'000'000;

TaskFlags subject(const char* s) {
  TaskFlags f;
  f.spec.subject = s;
  return f;
}

std::string error_of(const TaskFlags& f) {
  try {
    task_spec_from_flags(f, kNow);
  } catch (const TaskFlagError& e) {
    return e.what();
  }
  return "";
}

TEST(TaskFlags, ListsCommaSeparatedOrAsAJsonArray) {
  EXPECT_EQ(split_list(" a , b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list(R"( ["x", "", 3, "y z"])"), (std::vector<std::string>{"x", "y z"}));
  EXPECT_EQ(split_list("[not json"), (std::vector<std::string>{"[not json"}));
  EXPECT_TRUE(split_list("").empty());
  TaskFlags f = subject("s");
  f.skills = "pr-review,demo";
  f.locks = R"(["repo"])";
  auto spec = task_spec_from_flags(f, kNow);
  EXPECT_EQ(spec.skills, (std::vector<std::string>{"pr-review", "demo"}));
  EXPECT_EQ(spec.locks, (std::vector<std::string>{"repo"}));
}

TEST(TaskFlags, TimesAndDurations) {
  TaskFlags f = subject("s");
  f.scheduled_for = "+15m";
  f.max_age = "2h";
  auto spec = task_spec_from_flags(f, kNow);
  EXPECT_EQ(spec.scheduled_for, kNow + 15 * 60'000);
  EXPECT_EQ(spec.expires_at, spec.scheduled_for + 2 * 3'600'000);  // max age counts from when it is due
  f.defer = "1h";  // given both, --defer wins
  EXPECT_EQ(task_spec_from_flags(f, kNow).scheduled_for, kNow + 3'600'000);
  TaskFlags e = subject("s");
  e.expires_at = "2027-01-15T08:00:00Z";
  EXPECT_EQ(task_spec_from_flags(e, kNow).expires_at, *parse_when("2027-01-15T08:00:00Z", kNow));
}

TEST(TaskFlags, BadValuesAreErrorsNamingTheFlag) {
  auto with = [](auto set) {
    TaskFlags f = subject("s");
    set(f);
    return error_of(f);
  };
  EXPECT_NE(with([](TaskFlags& f) { f.scheduled_for = "someday"; }).find("--scheduled-for: cannot read \"someday\""),
            std::string::npos);
  EXPECT_NE(with([](TaskFlags& f) { f.expires_at = "+soon"; }).find("--expires-at"), std::string::npos);
  EXPECT_NE(with([](TaskFlags& f) { f.max_age = "0s"; }).find("--max-age"), std::string::npos);
  EXPECT_NE(with([](TaskFlags& f) { f.defer = "later"; }).find("--defer"), std::string::npos);
  EXPECT_NE(with([](TaskFlags& f) { f.spec.priority = 11; }).find("priority"), std::string::npos);
  EXPECT_NE(error_of(subject("")).find("subject"), std::string::npos);
  EXPECT_EQ(error_of(subject("fine")), "");
}

}  // namespace
}  // namespace arc
