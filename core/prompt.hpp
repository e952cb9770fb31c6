// The prompt a Claude run gets on stdin, assembled as Arc assembles it
// (arc-starter src/dispatch.ts buildPrompt, docs/agent.md): the agent's
// identity (SOUL.md), the parts of its memory that concern the task's
// skills, each skill's SKILL.md, the time in UTC and in the agent's zone,
// the recent runs, the task with its parent chain, and how to close it.
// Pure: everything it shows is in PromptInput; `arc tasks prompt ID` and
// the dispatcher call it with the same input and get the same text.
#pragma once
#include <string>
#include <vector>

#include "core/agent_home.hpp"
#include "core/task.hpp"

namespace arc {

// A recent run, as the prompt lists it (newest first).
struct PromptRun {
  int64_t task_id = 0;
  millis started_at = 0;
  int64_t duration_ms = 0;
  double cost_usd = 0;
  std::string outcome;  // completed, failed, ...
  std::string subject;  // of its task
};

// An ancestor of the task (nearest first).
struct PromptParent {
  int64_t id = 0;
  std::string subject;
  std::string status;
};

// What the database knows around a task: storage/prompt_context.hpp reads it.
struct PromptContext {
  std::vector<PromptParent> parents;  // at most kMaxParents
  std::vector<PromptRun> recent_runs;
};
inline constexpr int kMaxParents = 10;

struct PromptInput {
  Task task;
  std::string soul;                // SOUL.md
  std::string memory;              // MEMORY.md, unfiltered
  std::string memory_path = "memory/MEMORY.md";  // where the agent edits it, relative to its home
  std::vector<SkillDoc> skills;    // the task's skills that have a SKILL.md, in the task's order
  PromptContext context;
  millis now = 0;
  std::string zone = "UTC";        // the agent's local clock
};

std::string build_prompt(const PromptInput& in);

// Reads the home's files for `task` (SOUL.md, MEMORY.md, its skills) into
// an input; `missing` gets the task's skills that have no SKILL.md.
PromptInput prompt_input(const AgentHome& home, const Task& task, PromptContext context, millis now,
                         const std::string& zone, std::vector<std::string>* missing = nullptr);

}  // namespace arc
