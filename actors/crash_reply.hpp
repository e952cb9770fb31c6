// What an actor does when one of its handlers throws (a bug, or an injected
// fault): it answers the request it was handling with an error, so that the
// sender retries at once instead of waiting out its request timeout, and it
// exits with the error for its supervisor to restart it. (CAF's default
// handler leaves that request unanswered.)
#pragma once
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <string>

namespace arc {

inline void answer_requests_on_crash(caf::scheduled_actor* self, const char* name) {
  self->set_exception_handler([name](caf::scheduled_actor* a, std::exception_ptr& x) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(x);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{} crashed: {}", name, what);
    auto* current = a->current_mailbox_element();
    if (current && current->mid.is_request() && !current->mid.is_answered())
      a->make_response_promise().deliver(
          caf::make_error(caf::sec::request_receiver_down, std::string(name) + " crashed: " + what));
    return caf::make_error(caf::sec::runtime_error, std::string(name) + " crashed: " + what);
  });
}

}  // namespace arc
