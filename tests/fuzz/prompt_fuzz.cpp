// libFuzzer target: an agent's home is text anyone may have written. Front
// matter, the memory filter and the prompt take any bytes without a crash,
// and the prompt always ends with the close instruction for its task.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/agent_home.hpp"
#include "core/prompt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // The input is split in three at NUL bytes: SOUL.md, MEMORY.md, a SKILL.md.
  size_t a = text.find('\0'), b = a == std::string::npos ? a : text.find('\0', a + 1);
  arc::PromptInput in;
  in.soul = text.substr(0, a);
  in.memory = a == std::string::npos ? "" : text.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  std::string skill = b == std::string::npos ? text : text.substr(b + 1);
  auto fm = arc::parse_front_matter(skill);
  in.skills.push_back({"fuzz", fm.name, fm.description, fm.tags, skill, "", false, false, false});
  in.task.id = 42;
  in.task.subject = in.soul.substr(0, 40);
  in.task.skills = {"fuzz", fm.name.empty() ? "other" : fm.name};
  in.now = 1'796'547'600'000 + static_cast<int64_t>(size) * 3'600'000;
  in.zone = size % 2 ? "America/Chicago" : "Mars/Olympus";  // an unknown zone is left out, not thrown on
  in.context.recent_runs.push_back({7, in.now - 60'000, 5'000, 0.5, "completed", in.memory.substr(0, 30)});
  in.context.parents.push_back({3, skill.substr(0, 30), "active"});
  (void)arc::filter_memory(in.memory, in.task.skills, "2026-12-06");
  std::string prompt = arc::build_prompt(in);
  if (prompt.find("arc tasks close --id 42 ") == std::string::npos) std::abort();
  return 0;
}
