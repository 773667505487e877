#pragma once

// CloudFormation's intrinsic functions that lambdaport evaluates: Ref, Fn::GetAtt and Fn::Sub (in
// short or long form). Anything else (Fn::If, Fn::ImportValue, Fn::Join, ...) is refused with the
// place where it stands.

#include <stdexcept>
#include <string>

#include "template/yaml.hpp"

namespace lambdaport::runtime::sam {

/// A problem whose place the caller knows: what() is only the reason, and evaluate() prefixes it
/// with the template file and the path of the value being evaluated.
class reason_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// What the names in a template stand for. Either function may throw reason_error (a name that is
/// not there, an attribute that is not supported) or config::config_error (a problem found at
/// another place while working out the value, e.g. in the resource's own name).
class resolver {
  public:
    virtual ~resolver() = default;
    /// The value of `Ref name` (a parameter, a pseudo parameter such as AWS::Region, or a
    /// resource). `spelling` is how the template wrote it ("!Ref X", "Ref: X", "${X}").
    virtual std::string ref(const std::string& name, const std::string& spelling) = 0;
    /// The value of `Fn::GetAtt [name, attribute]`.
    virtual std::string get_att(const std::string& name, const std::string& attribute,
                                const std::string& spelling) = 0;
};

/// How the template wrote an intrinsic function, for messages: "!Ref" (short form) or "Ref:".
std::string spelled(const node& function);

/// `value` with every intrinsic function replaced by its result (a scalar). `source` and `path`
/// ("Resources.F.Properties.Environment") name the value in errors. Throws config::config_error.
node evaluate(const node& value, resolver& names, const std::string& source,
              const std::string& path);

}  // namespace lambdaport::runtime::sam
