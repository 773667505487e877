// Private to the report: the page's stylesheet, inlined into every report.
#pragma once

#include <string_view>

namespace pipeline::detail {

std::string_view report_css();

}  // namespace pipeline::detail
