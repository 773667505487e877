#include "log/function_log.hpp"

namespace lambdaport::runtime::log {

function_log::function_log(std::string function, const std::filesystem::path& file)
    : prefix_(" [" + std::move(function) + "] "), file_(sink::open_append(file)) {}

void function_log::line(std::string_view text) {
    auto ts = timestamp();
    scratch_.assign(ts);
    scratch_ += ' ';
    scratch_ += text;
    file_.line(scratch_);
    scratch_.assign(ts);
    scratch_ += prefix_;
    scratch_ += text;
    console_line(scratch_);
}

void function_log::flush() {
    file_.flush();
    flush_all();
}

}  // namespace lambdaport::runtime::log
