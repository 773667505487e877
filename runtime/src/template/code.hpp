#pragma once

// A function's CodeUri on local disk: a folder holding `bootstrap` (what `sam deploy` zips), a
// .zip with `bootstrap` at its root (what a packaging step makes; unpacked into the state
// folder), or the handler executable itself (lambdaport only).

#include <filesystem>
#include <string>

namespace lambdaport::runtime::sam {

struct code_location {
    enum class kind { folder, zip, executable };
    kind type = kind::folder;
    std::filesystem::path path;  // folder: its bootstrap; zip: the zip; executable: itself
};

/// Finds what `uri` (relative to `base_dir`) is. Throws reason_error saying what is wrong.
code_location locate_code(const std::string& uri, const std::filesystem::path& base_dir);

/// Replaces `folder` with the contents of `zip` (with Debian's `unzip`, which keeps the files'
/// modes) and checks that it holds an executable bootstrap. Throws reason_error.
void unpack_zip(const std::filesystem::path& zip, const std::filesystem::path& folder);

}  // namespace lambdaport::runtime::sam
