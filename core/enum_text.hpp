// Reading an enum's name back: the one loop every parse_* shares. Each enum
// beside its to_string(E) lists its values; from_text finds the one named.
#pragma once
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>

namespace arc {

// The value among `values` whose to_string is `text`, or nullopt.
template <class Range>
auto from_text(std::string_view text, const Range& values) -> std::optional<std::decay_t<decltype(*std::begin(values))>> {
  for (auto v : values)
    if (text == to_string(v)) return v;
  return std::nullopt;
}
template <class E>
std::optional<E> from_text(std::string_view text, std::initializer_list<E> values) {
  return from_text<std::initializer_list<E>>(text, values);
}

}  // namespace arc
