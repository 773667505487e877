#include "pool/lifecycle.hpp"

#include <doctest/doctest.h>

using namespace lambdaport::runtime::pool;
using phase = lifecycle::phase;

TEST_CASE("an instance goes initializing → waiting → busy → responded → waiting") {
    lifecycle l;
    CHECK(l.current() == phase::initializing);
    CHECK_FALSE(l.initialized());
    CHECK(l.next() == verdict::accepted);
    CHECK(l.initialized());
    CHECK(l.current() == phase::waiting);
    l.deliver("id-1");
    CHECK(l.current() == phase::busy);
    CHECK(l.answer("id-1") == verdict::accepted);
    CHECK(l.current() == phase::responded);
    CHECK(l.next() == verdict::accepted);
    CHECK(l.current() == phase::waiting);
}

TEST_CASE("answers for unknown ids are 400, for a finished invocation 403") {
    lifecycle l;
    CHECK(l.answer("nope") == verdict::unknown_request);
    l.next();
    l.deliver("id-1");
    CHECK(l.answer("id-2") == verdict::unknown_request);
    CHECK(l.current() == phase::busy);
    CHECK(l.answer("id-1") == verdict::accepted);
    CHECK(l.answer("id-1") == verdict::invalid_state);
}

TEST_CASE("GET /next while holding an invocation is a wrong state") {
    lifecycle l;
    l.next();
    CHECK(l.next() == verdict::invalid_state);
    l.deliver("id");
    CHECK(l.next() == verdict::invalid_state);
}

TEST_CASE("init errors are only accepted before the first /next") {
    lifecycle a;
    CHECK(a.init_error() == verdict::accepted);
    CHECK(a.current() == phase::init_failed);
    CHECK(a.next() == verdict::invalid_state);
    CHECK(a.init_error() == verdict::invalid_state);

    lifecycle b;
    b.next();
    CHECK(b.init_error() == verdict::invalid_state);
}

TEST_CASE("a dead instance accepts nothing") {
    lifecycle l;
    l.next();
    l.deliver("id");
    l.end();
    CHECK(l.answer("id") == verdict::invalid_state);
    CHECK(l.next() == verdict::invalid_state);
}
