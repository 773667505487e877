#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/message.hpp"

namespace lambdaport::runtime::http::detail {

/// A request as Beast parsed it, turned into the plain request the handlers see. Apart from the
/// server for the fuzz target that feeds raw bytes through Beast's parser to the Invoke API.
request to_request(boost::beast::http::request<boost::beast::http::string_body>&& msg);

}  // namespace lambdaport::runtime::http::detail
