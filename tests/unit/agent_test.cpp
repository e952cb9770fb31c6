// The agent's pure parts: its home in Arc's layout (front matter, memory
// filter), the prompt (golden files), the Claude run plan, and their config.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/agent_home.hpp"
#include "core/budget.hpp"
#include "core/claude_plan.hpp"
#include "core/config.hpp"
#include "core/prompt.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

const std::string kData = std::string(ARC_SOURCE_DIR) + "/tests/data/";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares with tests/data/prompt/NAME; ARC_UPDATE_GOLDEN=1 rewrites it.
void expect_golden(const std::string& name, const std::string& text) {
  std::string path = kData + "prompt/" + name;
  if (std::getenv("ARC_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << text;
  EXPECT_EQ(text, read(path)) << "prompt differs from " << path << " (ARC_UPDATE_GOLDEN=1 rewrites it)";
}

TEST(AgentHome, FrontMatterAsArcReadsIt) {
  auto fm = parse_front_matter("---\nname: pr-review\ndescription: \"Review it\"\ntags:\n  - a\n  - b\n---\nbody\n");
  EXPECT_EQ(fm.name, "pr-review");
  EXPECT_EQ(fm.description, "Review it");
  EXPECT_EQ(fm.tags, (std::vector<std::string>{"a", "b"}));
  auto inline_tags = parse_front_matter("---\nname: x\ntags: [markets, 'reports']\n---\n");
  EXPECT_EQ(inline_tags.tags, (std::vector<std::string>{"markets", "reports"}));
  auto crlf = parse_front_matter("---\r\nname: win\r\ndescription: edited on Windows\r\n---\r\n");
  EXPECT_EQ(crlf.name, "win");
  EXPECT_EQ(crlf.description, "edited on Windows");
  EXPECT_EQ(parse_front_matter("no front matter\nname: x\n").name, "");
  EXPECT_EQ(parse_front_matter("---\nname: unterminated\n").name, "");
}

TEST(AgentHome, SkillNamesNeverReachOutsideTheSkillsFolder) {
  for (const char* bad : {"../etc", "a/b", ".hidden", "", "x y", "..", "a\\b"})
    EXPECT_NE(check_skill_name(bad), "") << bad;
  EXPECT_EQ(check_skill_name("pr-review_2.x"), "");
  AgentHome home(kData + "agent-home");
  EXPECT_FALSE(home.skill("../agent-home/skills/pr-review"));
  EXPECT_FALSE(home.skill(".hidden"));
}

TEST(AgentHome, ReadsSoulMemoryAndSkillsWithHashes) {
  AgentHome home(kData + "agent-home");
  EXPECT_EQ(home.check(), "");
  EXPECT_NE(home.soul().find("I am Rook"), std::string::npos);
  EXPECT_EQ(home.memory_path(), "memory/MEMORY.md");
  auto skills = home.skills();
  ASSERT_EQ(skills.size(), 2u);  // .hidden is not a skill
  EXPECT_EQ(skills[0].name, "market-watch");
  EXPECT_TRUE(skills[0].has_sensor);
  EXPECT_EQ(skills[1].description, "Review a pull request and post comments");
  EXPECT_TRUE(skills[1].has_agent);
  EXPECT_EQ(skills[1].sha256, sha256_hex(read(kData + "agent-home/skills/pr-review/SKILL.md")));
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(AgentHome("/nonexistent/home").check(), "");
}

TEST(AgentHome, MemoryKeepsWhatConcernsTheTasksSkills) {
  std::string memory = read(kData + "agent-home/memory/MEMORY.md");
  std::string m = filter_memory(memory, {"pr-review"}, "2026-12-06");
  EXPECT_NE(m.find("## [A] Active Items"), std::string::npos);
  EXPECT_NE(m.find("**github-api**"), std::string::npos);    // tagged with the skill
  EXPECT_NE(m.find("**status-page**"), std::string::npos);   // untagged: for every task
  EXPECT_NE(m.find("**on-call**"), std::string::npos);       // flagged: always
  EXPECT_EQ(m.find("**price-feed**"), std::string::npos);    // another skill's
  EXPECT_EQ(m.find("**old-endpoint**"), std::string::npos);  // expired
  EXPECT_EQ(m.find("[T] Temporal"), std::string::npos);      // never per task
  EXPECT_EQ(m.find("[N] Network"), std::string::npos);
  EXPECT_NE(m.find("## [L] Learnings"), std::string::npos);
  EXPECT_EQ(filter_memory(memory, {}, "2026-12-06"), memory);  // no skills: all of it
}

TEST(AgentHome, AMegabyteLineInMemoryIsReadWithoutDeepRecursion) {
  // A std::regex over such a line overflowed a runner thread's stack (review).
  std::string big(1 << 20, 'x');
  std::string memory = "Last updated: " + big + "\n## [S] Services\n**a [EXPIRES: " + big + "\n**b [SKILLS: " + big +
                       "]\n**c untagged\n";
  std::string m = filter_memory(memory, {"pr-review"}, "2026-12-06");
  EXPECT_NE(m.find("**c untagged"), std::string::npos);
  Task t;
  t.id = 9;
  t.skills = {"pr-review"};
  PromptInput in;
  in.task = t;
  in.memory = memory;
  EXPECT_NE(build_prompt(in).find("# Memory\n"), std::string::npos);  // no date read: not stale
}

TEST(Prompt, GoldenForATaskWithSkillsMemoryAndAParentChain) {
  AgentHome home(kData + "agent-home");
  Task t;
  t.id = 42;
  t.subject = "Review PR 7 of rook/engine";
  t.description = "Look at the locking change.";
  t.priority = 3;
  t.source = "github:pr:rook/engine#7";
  t.skills = {"pr-review", "no-such-skill"};
  t.attempts = 2;
  t.max_attempts = 3;
  PromptContext ctx;
  ctx.parents = {{41, "Triage the rook/engine queue", "completed"}, {7, "Keep the engine healthy", "active"}};
  millis now = *parse_iso_instant("2026-12-06T17:43:10Z");
  ctx.recent_runs = {{40, now - 13 * 60'000, 95'000, 0.4123, "completed", "Summarise the morning's markets"},
                     {39, now - 50 * 60'000, 0, 0, "failed", "Post the weekly report"}};
  std::vector<std::string> missing;
  auto in = prompt_input(home, t, ctx, now, "America/Denver", &missing);
  EXPECT_EQ(missing, std::vector<std::string>{"no-such-skill"});
  expect_golden("with-skills-memory-parents.txt", build_prompt(in));
}

TEST(Prompt, GoldenForATaskWithoutSkillsInAnEmptyHome) {
  Task t;
  t.id = 3;
  t.subject = "Say hello";
  t.attempts = 1;
  auto in = prompt_input(AgentHome(kData + "no-such-home"), t, {}, *parse_iso_instant("2026-12-06T09:05:00Z"), "UTC");
  expect_golden("no-skills-empty-home.txt", build_prompt(in));
}

TEST(Prompt, TellsTheAgentHowToCloseItsTask) {
  Task t;
  t.id = 1234;
  t.subject = "x";
  std::string p = build_prompt(prompt_input(AgentHome(""), t, {}, 0, "UTC"));
  EXPECT_NE(p.find("arc tasks close --id 1234 --status completed|failed|blocked --summary"), std::string::npos);
  EXPECT_NE(p.find("--parent 1234"), std::string::npos);
  EXPECT_NE(p.back(), '\n');  // as Arc: no trailing newline
}

ClaudeConfig claude_config(const std::string& extra = "") {
  return parse_config("[claude]\n" + extra, "test.toml").claude;
}

TEST(ClaudePlan, ModelComesFromTheTaskThenSkillThenPriorityThenDefault) {
  auto c = claude_config("model_by_skill = { pr-review = \"opus\" }\nmodel_by_priority = { 1 = \"haiku\" }\n");
  Task t;
  t.priority = 1;
  t.skills = {"notes", "pr-review"};
  EXPECT_EQ(plan_claude_run(t, c, "UTC", 0).why, "skill pr-review");
  t.skills.clear();
  EXPECT_EQ(plan_claude_run(t, c, "UTC", 0).model_id, "haiku");
  t.priority = 5;
  auto def = plan_claude_run(t, c, "UTC", 0);
  EXPECT_EQ(def.model_id, "sonnet");
  EXPECT_EQ(def.why, "default");
  t.model = "claude-opus-4-8";  // a full name: passed as it is, with opus's limits
  auto full = plan_claude_run(t, c, "UTC", 0);
  EXPECT_EQ(full.model_id, "claude-opus-4-8");
  EXPECT_EQ(full.model->name, "opus");
  EXPECT_EQ(full.why, "task");
}

TEST(ClaudePlan, TimeoutsAndCapsAreArcsWithALongerNight) {
  auto c = claude_config("night = \"00:00-08:00\"\n");
  Task t;
  t.model = "opus";
  millis day = *parse_iso_instant("2026-12-06T18:00:00Z");    // 11:00 in Denver
  millis night = *parse_iso_instant("2026-12-06T09:00:00Z");  // 02:00 in Denver
  EXPECT_EQ(plan_claude_run(t, c, "America/Denver", day).timeout_ms, 30 * 60'000);
  auto n = plan_claude_run(t, c, "America/Denver", night);
  EXPECT_TRUE(n.night);
  EXPECT_EQ(n.timeout_ms, 90 * 60'000);
  t.model = "haiku";
  EXPECT_EQ(plan_claude_run(t, c, "America/Denver", night).timeout_ms, 5 * 60'000);  // no night timeout of its own
  t.model = "sonnet";
  EXPECT_EQ(plan_claude_run(t, c, "UTC", day).timeout_ms, 15 * 60'000);
}

TEST(ClaudePlan, TheArgvHoldsTheFlagsArcdPasses) {
  auto c = claude_config("binary = \"/opt/claude\"\nargs = [\"--permission-mode\", \"acceptEdits\"]\n");
  Task t;
  t.model = "opus";
  auto p = plan_claude_run(t, c, "UTC", 0);
  std::vector<std::string> want = {"/opt/claude", "--print", "--output-format", "stream-json", "--verbose",
                                   "--no-session-persistence", "--exclude-dynamic-system-prompt-sections",
                                   "--model", "opus", "--max-budget-usd", "10.00", "--fallback-model", "sonnet",
                                   "--permission-mode", "acceptEdits"};
  EXPECT_EQ(p.argv, want);
  t.model = "haiku";
  auto h = plan_claude_run(t, c, "UTC", 0).argv;
  EXPECT_EQ(std::count(h.begin(), h.end(), "--fallback-model"), 0);
}

TEST(ClaudePlan, ApiCostIsTokensTimesThePricePerMillion) {
  Pricing p{3, 15, 3.75, 0.30};
  EXPECT_DOUBLE_EQ(api_cost_usd(p, 1'000'000, 0, 0, 0), 3.0);
  EXPECT_NEAR(api_cost_usd(p, 1200, 640, 300, 8000), (1200 * 3 + 640 * 15 + 300 * 3.75 + 8000 * 0.3) / 1e6, 1e-15);
}

TEST(Budget, TheDayIsTheAgentsAndOnlyUrgentWorkRunsOnceItIsSpent) {
  // 2026-11-01 is a 25-hour day in Chicago (CDT -> CST): the next day starts 25 h later.
  auto day = budget_day(*parse_iso_instant("2026-11-01T12:00:00Z"), "America/Chicago");
  EXPECT_EQ(format_iso_utc(day.start), "2026-11-01T05:00:00.000Z");
  EXPECT_EQ(format_iso_utc(day.next), "2026-11-02T06:00:00.000Z");
  EXPECT_EQ(format_iso_utc(budget_day(*parse_iso_instant("2026-12-06T03:00:00Z"), "Nowhere/Atlantis").start),
            "2026-12-06T00:00:00.000Z");  // an unknown zone: UTC
  BudgetConfig b;
  EXPECT_EQ(claimable_priority(b, 1e6), 10);  // no budget
  b.daily_usd = 200;
  EXPECT_EQ(claimable_priority(b, 199.99), 10);
  EXPECT_TRUE(budget_reached(b, 200));
  EXPECT_EQ(claimable_priority(b, 200), 2);
}

TEST(AgentConfig, SectionsAreReadWithTheirDefaultsAndErrorsNameTheKey) {
  auto c = parse_config(
      "[agent]\nroot = \"home\"\ntimezone = \"America/Chicago\"\n"
      "[claude.models.opus]\nid = \"claude-opus-4-8\"\ntimeout_minutes = 40\npricing = { input = 6 }\n"
      "[budget]\ndaily_usd = 200\n",
      "t.toml");
  EXPECT_TRUE(c.claude.enabled);
  EXPECT_EQ(c.agent.root, "home");
  EXPECT_EQ(c.budget.zone, "America/Chicago");
  EXPECT_EQ(c.budget.max_priority, 2);
  EXPECT_DOUBLE_EQ(c.budget.daily_usd, 200);
  EXPECT_EQ(c.claude.models["opus"].id, "claude-opus-4-8");
  EXPECT_EQ(c.claude.models["opus"].timeout_ms, 40 * 60'000);
  EXPECT_EQ(c.claude.models["opus"].night_timeout_ms, 90 * 60'000);  // kept from Arc's default
  EXPECT_DOUBLE_EQ(c.claude.models["opus"].pricing.input, 6);
  EXPECT_DOUBLE_EQ(c.claude.models["opus"].pricing.output, 25);
  EXPECT_FALSE(parse_config("", "t.toml").claude.enabled);
  auto fails = [](const std::string& text, const std::string& key) {
    try {
      parse_config(text, "t.toml");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  fails("[agent]\ntimezone = \"Mars/Olympus\"\n", "agent.timezone");
  fails("[claude]\ndefault_model = \"gpt\"\n", "claude.default_model");
  fails("[claude]\nmodel_by_priority = { 11 = \"opus\" }\n", "claude.model_by_priority.11");
  fails("[claude]\nnight = \"late\"\n", "claude.night");
  fails("[budget]\ndaily_usd = -1\n", "budget.daily_usd");
  fails("[claude]\nbinary = \"\"\n", "claude.binary");
}

}  // namespace
}  // namespace arc
