// The bearer token that guards the API's writes (docs/http-api.md). It lives
// in a file only arcd's user can read; whoever can read it may write through
// the API, whatever address or headers their requests carry.
#pragma once
#include <string>
#include <string_view>

namespace arc::http {

// Reads the token from `path`, or creates the file (mode 0600, 32 random
// bytes as hex) if it does not exist. Throws std::runtime_error, saying what
// to do, when the file is readable by group or others, empty, or cannot be
// read or written.
std::string load_or_create_token(const std::string& path);

// True when `given` equals `expected`; takes the same time for every `given`
// of a length (no early exit on the first differing byte).
bool token_equal(std::string_view given, std::string_view expected);

// The token of an "Authorization: Bearer <token>" header value; "" if the
// value is not of that form.
std::string bearer_token(const std::string& authorization);

}  // namespace arc::http
