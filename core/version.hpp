// The version and git revision, printed by `arc --version` / `arcd --version`.
// Defined in a file generated at configure time (cmake/version.cpp.in), so
// that a new commit recompiles one file, not the project.
#pragma once

namespace arc {
const char* version();
const char* git_revision();
}  // namespace arc
