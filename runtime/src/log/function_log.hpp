#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "log/log.hpp"

namespace lambdaport::runtime::log {

/// One function's log: every line goes to the console as `<time> [<function>] <text>` and to
/// `<state>/logs/<function>.log` as `<time> <text>`, like a CloudWatch log group. Buffered; flushed
/// by flush().
class function_log {
  public:
    function_log(std::string function, const std::filesystem::path& file);

    void line(std::string_view text);
    void flush();

  private:
    std::string prefix_;
    sink file_;
    std::string scratch_;
};

}  // namespace lambdaport::runtime::log
