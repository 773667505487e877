#pragma once

// Turns any supported handler shape into one non-template call, so that the Runtime API loop is
// compiled once, in the library. Nothing here is meant to be used directly by handlers.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lambdaport/context.hpp"
#include "lambdaport/invocation_response.hpp"

namespace lambdaport::detail {

/// A non-owning, non-allocating reference to a callable; empty when default-constructed.
template <class Signature>
class function_ref;

template <class R, class... Args>
class function_ref<R(Args...)> {
  public:
    constexpr function_ref() noexcept = default;

    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, function_ref> &&
             std::is_invocable_r_v<R, F&, Args...>) function_ref(F& callable)
    noexcept  // NOLINT(google-explicit-constructor)
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(callable)))),
          call_([](void* object, Args... args) -> R {
              return std::invoke(*static_cast<F*>(object), std::forward<Args>(args)...);
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

    explicit operator bool() const noexcept { return call_ != nullptr; }

  private:
    void* object_ = nullptr;
    R (*call_)(void*, Args...) = nullptr;
};

/// The one shape the loop knows: payload and context in, response out.
using handler_fn = function_ref<invocation_response(std::string_view, const context&)>;
/// Builds the handler during initialisation (run_with_init); empty for plain `run`.
using init_fn = function_ref<void()>;

/// The Runtime API loop (runtime.cpp). Runs `init` first when given, then serves invocations
/// with `handler` until the engine goes away. Returns the process exit status.
int run(handler_fn handler, init_fn init);

/// Parses an event for a JSON handler. Returns a `Runtime.UnmarshalError` failure when the
/// payload is not JSON, nothing otherwise.
std::optional<invocation_response> parse_event(std::string_view payload, nlohmann::json& event);

/// Serialises a JSON handler's result; a `Runtime.MarshalError` failure when it cannot be (a
/// string that is not UTF-8).
invocation_response json_response(const nlohmann::json& result);

// The parameter type of a callable with exactly one non-template call operator (lambdas without
// `auto` parameters, function objects, function pointers). Generic callables have none.
template <class F>
struct first_parameter {};
template <class R, class A, class B, bool N>
struct first_parameter<R(A, B) noexcept(N)> {
    using type = A;
};
template <class R, class A, class B, bool N>
struct first_parameter<R (*)(A, B) noexcept(N)> : first_parameter<R(A, B)> {};
template <class R, class C, class A, class B, bool N>
struct first_parameter<R (C::*)(A, B) noexcept(N)> : first_parameter<R(A, B)> {};
template <class R, class C, class A, class B, bool N>
struct first_parameter<R (C::*)(A, B) const noexcept(N)> : first_parameter<R(A, B)> {};
template <class F>
requires requires {
    &F::operator();
}
struct first_parameter<F> : first_parameter<decltype(&F::operator())> {};

// Whether a handler takes the parsed JSON event. A `nlohmann::json` converts implicitly from a
// string_view, so "is it invocable with a json" cannot tell the two shapes apart: look at the
// declared parameter when there is one. A generic callable gets the parsed event.
template <class H>
consteval bool takes_json_event() {
    using F = std::remove_cvref_t<H>;
    if constexpr (requires { typename first_parameter<F>::type; }) {
        return std::is_same_v<std::remove_cvref_t<typename first_parameter<F>::type>,
                              nlohmann::json>;
    } else {
        return std::is_invocable_v<H&, const nlohmann::json&, const context&>;
    }
}

template <class R>
inline constexpr bool is_response_v = std::is_same_v<std::remove_cvref_t<R>, invocation_response>;

template <class H>
using json_result_t = std::invoke_result_t<H&, const nlohmann::json&, const context&>;
template <class H>
using payload_result_t = std::invoke_result_t<H&, std::string_view, const context&>;

/// Calls a handler of any supported shape with the raw payload.
template <class H>
invocation_response invoke(H& handler, std::string_view payload, const context& ctx) {
    if constexpr (takes_json_event<H>()) {
        nlohmann::json event;
        if (auto error = parse_event(payload, event)) {
            return std::move(*error);
        }
        if constexpr (is_response_v<json_result_t<H>>) {
            return std::invoke(handler, std::as_const(event), ctx);
        } else {
            return json_response(nlohmann::json(std::invoke(handler, std::as_const(event), ctx)));
        }
    } else {
        using result = payload_result_t<H>;
        if constexpr (is_response_v<result>) {
            return std::invoke(handler, payload, ctx);
        } else if constexpr (std::is_same_v<std::remove_cvref_t<result>, nlohmann::json>) {
            return json_response(std::invoke(handler, payload, ctx));
        } else {
            return invocation_response::success(std::string(std::invoke(handler, payload, ctx)));
        }
    }
}

// Lets `std::optional<H>::emplace` construct a handler straight from the factory's result, so that
// handlers need not be movable.
template <class Factory>
struct construct_from {
    Factory& factory;
    operator std::invoke_result_t<Factory&>() const { return std::invoke(factory); }
};

}  // namespace lambdaport::detail
