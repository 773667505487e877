#pragma once

// The one private header that names Asio for the engine. Beast stays in http/ and cli/ sources.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lambdaport::runtime {
namespace net = boost::asio;
}  // namespace lambdaport::runtime
