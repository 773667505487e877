#pragma once

// `lambdaport serve --template template.yaml`: an AWS SAM template read into the engine's
// configuration. Supported: Parameters (with Default and --parameter-overrides), Globals.Function,
// AWS::Serverless::Function (provided.al2023 / provided.al2; S3, SQS, Schedule and ScheduleV2
// events), AWS::S3::Bucket and AWS::SQS::Queue, Outputs; the intrinsics Ref, Fn::GetAtt and
// Fn::Sub. Anything else stops start-up with one line naming the file, the place and the reason.
// The README's "One template for local and AWS" says how names map locally.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace lambdaport::runtime::sam {

/// What the template's values depend on besides the template.
struct load_options {
    std::string stack_name = "local";         // AWS::StackName
    std::string region = "us-east-1";         // AWS::Region, and the engine's region
    std::string account_id = "000000000000";  // AWS::AccountId, and the engine's account
    /// --parameter-overrides, by parameter name.
    std::map<std::string, std::string> parameter_overrides;
    /// The SQS endpoint queues are created on (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL);
    /// empty: none, and a template with queues or SQS events is refused.
    std::string sqs_endpoint;
    /// False when the engine has nowhere to put buckets (no --storage and no LAMBDAPORT_STORAGE
    /// or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL): a template with buckets is refused.
    bool has_storage = true;
    /// The engine's state folder (absolute): a zipped CodeUri is unpacked into
    /// <state>/code/<function>/.
    std::filesystem::path state_dir = "/tmp/.lambdaport";
};

/// A zipped CodeUri to unpack before the function can start.
struct code_package {
    std::filesystem::path zip;
    std::filesystem::path folder;  // where it goes: <state>/code/<function>
    std::string where;             // "Resources.F.Properties.CodeUri", for errors
};

struct parsed_template {
    config::engine_config config;  // functions, region, account and `stack`
    std::vector<code_package> packages;
};

/// Reads a template. `source` names it in errors; CodeUri paths are relative to `base_dir`.
/// Touches nothing on disk (zips are only listed). Throws config::config_error.
parsed_template parse(std::string_view text, const std::string& source,
                      const std::filesystem::path& base_dir, const load_options& options);

/// Reads the template file and unpacks its zipped CodeUri. Throws config::config_error.
config::engine_config load_file(const std::filesystem::path& file, const load_options& options);

/// `--parameter-overrides` values: "Key=Value", several separated by spaces in one argument as
/// `sam deploy` takes them. Throws config::config_error.
void parse_parameter_overrides(std::string_view text, std::map<std::string, std::string>& out);

}  // namespace lambdaport::runtime::sam
