// The answer to something a person asked for (cancel, close, requeue,
// update a task): done, or refused with why, in a sentence for them that
// says what to do instead. [[nodiscard]]: a refusal must reach the one who
// asked; before, "" meant done here and "lease lost" elsewhere.
#pragma once
#include <string>
#include <utility>

namespace arc {

class [[nodiscard]] ActionResult {
 public:
  static ActionResult done() { return ActionResult(); }
  static ActionResult refused(std::string why) {
    ActionResult r;
    r.refused_ = true;
    r.why_ = std::move(why);
    return r;
  }
  bool ok() const { return !refused_; }
  const std::string& why() const { return why_; }  // "" when ok()

 private:
  ActionResult() = default;
  bool refused_ = false;
  std::string why_;
};

}  // namespace arc
