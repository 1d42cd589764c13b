// Result<T>: a value or an Error (support/error.h). A minimal stand-in for C++23's
// std::expected, which g++ 12 offers only in C++23 mode. Access to the wrong alternative is a
// programming error and asserts; callers check ok() (or use VMSCOPE_TRY) first.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "support/error.h"

namespace vmscope {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

  T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
  return Ok{};
}

}  // namespace vmscope

// Propagate an error to the caller: VMSCOPE_TRY(auto x, compute()); binds x to the value.
#define VMSCOPE_CONCAT_INNER(a, b) a##b
#define VMSCOPE_CONCAT(a, b) VMSCOPE_CONCAT_INNER(a, b)
#define VMSCOPE_TRY_IMPL(tmp, decl, expr)       \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
#define VMSCOPE_TRY(decl, expr) VMSCOPE_TRY_IMPL(VMSCOPE_CONCAT(vmscope_try_, __LINE__), decl, expr)
// For Status-returning expressions whose value is not needed.
#define VMSCOPE_CHECK(expr)                                                         \
  do {                                                                              \
    auto vmscope_check_result = (expr);                                             \
    if (!vmscope_check_result.ok()) return std::move(vmscope_check_result).error(); \
  } while (0)
