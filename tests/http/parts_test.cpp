// The HTTP server's parts without a server: the token file, token checks,
// SSE framing and resume points, histograms.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <fstream>

#include "http/feed.hpp"
#include "http/metrics.hpp"
#include "http/token.hpp"
#include "support/temp_dir.hpp"

namespace arc::http {
namespace {

TEST(Token, IsCreatedOnceReadableOnlyByItsOwner) {
  test::TempDir dir;
  std::string path = dir.file("token");
  std::string t1 = load_or_create_token(path);
  EXPECT_EQ(t1.size(), 64u);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_or_create_token(path), t1);
  EXPECT_NE(load_or_create_token(dir.file("other")), t1);
}

TEST(Token, AFileOthersCanReadIsRefusedWithWhatToDo) {
  test::TempDir dir;
  std::string path = dir.file("token");
  load_or_create_token(path);
  chmod(path.c_str(), 0644);
  try {
    load_or_create_token(path);
    FAIL() << "accepted a world-readable token file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  std::ofstream(dir.file("short")) << "abc\n";
  chmod(dir.file("short").c_str(), 0600);
  EXPECT_THROW(load_or_create_token(dir.file("short")), std::runtime_error);
}

TEST(Token, ComparesWholeTokensOnly) {
  EXPECT_TRUE(token_equal("abcdef0123456789", "abcdef0123456789"));
  EXPECT_FALSE(token_equal("abcdef012345678", "abcdef0123456789"));
  EXPECT_FALSE(token_equal("abcdef01234567890", "abcdef0123456789"));
  EXPECT_FALSE(token_equal("", "abcdef0123456789"));
  EXPECT_FALSE(token_equal("", ""));
  EXPECT_FALSE(token_equal("Abcdef0123456789", "abcdef0123456789"));
}

TEST(Token, BearerHeaderIsParsed) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
  EXPECT_EQ(bearer_token("Bearer "), "");
  EXPECT_EQ(bearer_token("Bearer a b"), "");
  EXPECT_EQ(bearer_token(""), "");
}

TEST(Feed, MessagesAreOneLineOfDataWithIdAndTime) {
  std::string m = sse_message({42, 1'700'000'000'000, "task", R"({"task_id": 7, "reason": "two\nlines"})"});
  EXPECT_EQ(m.rfind("id: 42\nevent: task\ndata: ", 0), 0u) << m;
  EXPECT_EQ(m.substr(m.size() - 2), "\n\n");
  std::string data = m.substr(m.find("data: ") + 6);
  data.resize(data.size() - 2);
  EXPECT_EQ(data.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(data);
  EXPECT_EQ(j["id"], 42);
  EXPECT_EQ(j["task_id"], 7);
  EXPECT_EQ(j["reason"], "two\nlines");
  EXPECT_EQ(j["at"], "2023-11-14T22:13:20.000Z");
}

TEST(Feed, ResumePointPrefersLastEventId) {
  EXPECT_EQ(resume_point("", "", 99), 99);
  EXPECT_EQ(resume_point("12", "", 99), 12);
  EXPECT_EQ(resume_point("", "5", 99), 5);
  EXPECT_EQ(resume_point("12", "5", 99), 12);
  EXPECT_EQ(resume_point("1x", "", 99), -1);
  EXPECT_EQ(resume_point("-3", "", 99), -1);
  EXPECT_EQ(resume_point("99999999999999999999", "", 99), -1);
}

TEST(Histogram, BucketsAreCumulativeWithInf) {
  Histogram h({1, 5});
  h.observe(0.5);
  h.observe(1);
  h.observe(3);
  h.observe(100);
  std::string out;
  h.render(out, "x_seconds");
  EXPECT_EQ(out,
            "x_seconds_bucket{le=\"1\"} 2\nx_seconds_bucket{le=\"5\"} 3\nx_seconds_bucket{le=\"+Inf\"} 4\n"
            "x_seconds_sum 104.5\nx_seconds_count 4\n");
}

}  // namespace
}  // namespace arc::http
