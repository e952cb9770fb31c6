// An agent's home in Arc's layout (arc0btc/arc-starter): SOUL.md at the
// root, MEMORY.md in memory/ (or at the root), and one folder per skill,
// skills/NAME/SKILL.md with YAML front matter (name, description, tags),
// optionally beside sensor.ts, cli.ts and AGENT.md. Reads files; no other
// side effects. A missing file reads as empty, as in Arc.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace arc {

// What Arc reads of a SKILL.md's front matter (src/skills.ts parseFrontmatter).
struct SkillFrontMatter {
  std::string name;
  std::string description;
  std::vector<std::string> tags;
};

// The front matter between a leading "---" line and the next one; empty
// fields when there is none. Single-line `name:` and `description:` values
// (quotes stripped), `tags:` inline [a, b] or as "- item" lines. CRLF is
// read as LF (Arc does not; a file edited on Windows would lose its name).
SkillFrontMatter parse_front_matter(const std::string& text);

struct SkillDoc {
  std::string dir;          // the folder's name: what a task's skills name
  std::string name;         // front matter name, else dir
  std::string description;
  std::vector<std::string> tags;
  std::string text;         // SKILL.md, whole (front matter included, as Arc's prompt has it)
  std::string sha256;       // of text, hex
  bool has_sensor = false, has_cli = false, has_agent = false;
};

// A skill name a task may give: letters, digits, '.', '_' and '-', not
// starting with '.'; never a path. Empty when fine, else why not.
std::string check_skill_name(const std::string& name);

class AgentHome {
 public:
  explicit AgentHome(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Empty when the root is a readable folder, else what is wrong and what to do.
  std::string check() const;
  std::string soul() const;           // SOUL.md
  std::string memory() const;         // memory/MEMORY.md, else MEMORY.md
  std::string memory_path() const;    // which of the two, relative to the root ("memory/MEMORY.md" if neither)
  // skills/DIR/SKILL.md, or nullopt when the name is not allowed or there is no such file.
  std::optional<SkillDoc> skill(const std::string& dir) const;
  // Every skills/*/SKILL.md, by name.
  std::vector<SkillDoc> skills() const;

 private:
  std::string root_;
};

// Arc's filterMemoryBySkills (src/dispatch.ts): a task with no skills gets
// the whole file; otherwise the preamble, the "## [A]", "[F]", "[P]" and
// "[L]" sections, and of "## [S]" the entries (lines starting "**") that
// are [FLAG]ged, untagged, or tagged [SKILLS: ...] with one of the task's
// skills, dropping those whose [EXPIRES: YYYY-MM-DD] is before `today`.
// Other lettered sections are left out.
std::string filter_memory(const std::string& memory, const std::vector<std::string>& skills,
                          const std::string& today);

// The lowercase hex SHA-256 of `data`.
std::string sha256_hex(const std::string& data);

}  // namespace arc
