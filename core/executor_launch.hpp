// How a claimed task becomes a child process: which executor runs it, the
// argv (never a shell string built from task text), the task as JSON on
// stdin, and the environment every executor gets (docs/executor-protocol.md):
// ARC_TASK_* for the task, ARC_DB and ARC_CONFIG so that `arc` inside the
// run reaches this runtime's database, ARC_LEASE_EPOCH so that
// `arc tasks close` from the run is known as the run closing its own task,
// and the folder holding `arc` first on PATH.
#pragma once
#include <string>

#include "core/config.hpp"
#include "core/process.hpp"
#include "core/task.hpp"

namespace arc {

// What arcd tells every executor about where it runs.
struct ExecutorEnv {
  std::string incarnation;  // ARC_INCARNATION: finds our executors after a crash
  std::string database;     // ARC_DB, absolute; empty on a cluster worker (no database there)
  std::string config;       // ARC_CONFIG, absolute (with ARC_DB only); empty when arcd runs on defaults
  std::string bin_dir;      // the folder of arcd and arc, put first on PATH; empty = PATH as it is
};

// How a run was made, for its row in `runs`.
struct RunInfo {
  millis started_at = 0;  // 0: finished_at - duration
  std::string executor;   // the skill's name, or "claude"
  std::string model;      // the model asked for (Claude runs)
  std::string skills;     // JSON: [{"name": ..., "sha256": ...}] of the SKILL.md files it ran with
};

// Which executor runs a task: the first of its skills that has a
// [skills.NAME] command; else, with an agent configured ([agent] or
// [claude]), the built-in Claude executor; else [arcd] default_skill (or,
// for a task that names no skill, the first configured skill).
struct ExecutorChoice {
  const SkillConfig* skill = nullptr;  // a configured command
  bool claude = false;                 // the built-in Claude executor
  std::string why;                     // neither: why not, and what to configure
};
ExecutorChoice pick_executor(const Config& cfg, const std::vector<std::string>& task_skills);

// The environment lines every executor of `task` gets.
std::vector<std::string> executor_env(const Task& task, const ExecutorEnv& env);

// A configured skill's run. Fills `out` and returns "" or returns why the
// task cannot be run.
std::string build_process_spec(const Task& task, const SkillConfig& skill, const ExecutorEnv& env,
                               ProcessSpec& out);

}  // namespace arc
