#pragma once

// Private to the template module: one template being read. It holds the resource table and the
// parameters, evaluates values (it is the resolver behind Ref, Fn::GetAtt and Fn::Sub), works out
// the local name, ARN and URL of every resource, and reads typed values with errors that name the
// file and the place.

#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "template/intrinsics.hpp"
#include "template/sam.hpp"
#include "template/yaml.hpp"

namespace lambdaport::runtime::sam::detail {

inline constexpr std::string_view function_type = "AWS::Serverless::Function";
inline constexpr std::string_view bucket_type = "AWS::S3::Bucket";
inline constexpr std::string_view queue_type = "AWS::SQS::Queue";

struct resource {
    std::string id;    // the logical id
    std::string type;  // one of the three above
    const node* properties = nullptr;
    std::string path() const { return "Resources." + id; }
    std::string property_path(std::string_view key) const {
        return path() + ".Properties." + std::string(key);
    }
    const node* property(std::string_view key) const {
        return properties ? properties->find(key) : nullptr;
    }
};

class stack final : public resolver {
  public:
    /// Reads the document's Parameters and its resource table (types and logical ids checked).
    stack(const node& document, const std::string& source, const std::filesystem::path& base_dir,
          const load_options& options);

    const std::string& source() const noexcept { return source_; }
    const std::filesystem::path& base_dir() const noexcept { return base_dir_; }
    const load_options& options() const noexcept { return options_; }
    const std::vector<resource>& resources() const noexcept { return resources_; }
    const resource* find(std::string_view id) const;

    [[noreturn]] void fail(const std::string& path, const std::string& reason) const;

    // Values: each is evaluated (intrinsics replaced) and then checked.
    node value(const node& raw, const std::string& path);
    std::string string(const node& raw, const std::string& path);
    unsigned integer(const node& raw, const std::string& path, unsigned min, unsigned max);
    bool boolean(const node& raw, const std::string& path);
    /// A string, or a list of strings (S3's Events, FunctionResponseTypes).
    std::vector<std::string> strings(const node& raw, const std::string& path);
    /// A mapping as written (intrinsics inside it are left for the caller to evaluate).
    const node& mapping(const node& raw, const std::string& path) const;
    /// Refuses a key of `mapping` not in `allowed`, saying `why`.
    void only_keys(const node& mapping, const std::string& path,
                   std::initializer_list<std::string_view> allowed, const std::string& why) const;

    // What resources are called locally (README: "One template for local and AWS").
    std::string name_of(const resource& r);
    std::string arn_of(const resource& r);
    std::string queue_url_of(const resource& r);
    /// The queue of this template whose ARN is `arn`, or nullptr.
    const resource* queue_with_arn(const std::string& arn);

    std::string ref(const std::string& name, const std::string& spelling) override;
    std::string get_att(const std::string& name, const std::string& attribute,
                        const std::string& spelling) override;

  private:
    void read_parameters(const node* parameters);
    void read_resources(const node* resources);
    std::string compute_name(const resource& r);

    const std::string& source_;
    std::filesystem::path base_dir_;
    const load_options& options_;
    std::map<std::string, std::string> parameters_;
    std::vector<resource> resources_;
    std::map<std::string, std::string> names_;  // logical id → local name, once worked out
    std::set<std::string> naming_;              // names being worked out (cycle check)
};

}  // namespace lambdaport::runtime::sam::detail
