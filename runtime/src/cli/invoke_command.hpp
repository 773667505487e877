#pragma once

namespace lambdaport::runtime::cli {

/// `lambdaport invoke NAME [--payload JSON|@FILE] [--async] [--log-tail] [--endpoint URL]`.
/// Prints the response on stdout. Returns 0 on success, 1 on a function error, 2 on an API or
/// connection error (its message on stderr).
int invoke_command(int argc, char** argv);

}  // namespace lambdaport::runtime::cli
