// Result<T>: a value or an Error a person can act on. Errors are values; nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fipsgate {

// What went wrong, in words that say what was expected, what was found and where.
class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const std::string& message() const { return message_; }

  // Prefixes context, outermost last: Error("nfunc too big").within("pclntab").
  Error within(std::string_view context) const {
    return Error(std::string(context) + ": " + message_);
  }

 private:
  std::string message_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

  T value_or(T fallback) const { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

// Result<void> stand-in.
struct Ok {};
using Status = Result<Ok>;

}  // namespace fipsgate

#define FG_CONCAT_INNER(a, b) a##b
#define FG_CONCAT(a, b) FG_CONCAT_INNER(a, b)

// FG_TRY(auto x, expr): evaluates expr (a Result); on error returns its Error from the
// enclosing function, otherwise binds the value to the declaration.
#define FG_TRY(decl, expr) FG_TRY_IMPL(FG_CONCAT(fg_try_, __LINE__), decl, expr)
#define FG_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                 \
  if (!tmp.ok()) return tmp.error(); \
  decl = std::move(tmp).value()
