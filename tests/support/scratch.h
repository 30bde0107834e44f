// Scratch space for tests that write files: one directory per test process under $TMPDIR,
// created on first use and removed when the process exits, so test runs leave nothing behind.
#pragma once

#include <filesystem>
#include <string>

namespace fipsgate::testing {

// This process's scratch directory (mkdtemp under std::filesystem::temp_directory_path()).
const std::filesystem::path& scratch_root();

// A fresh, empty directory `name` inside the scratch root.
std::filesystem::path scratch_directory(const std::string& name);

// Writes `bytes` to the file `name` inside the scratch root and returns its path.
std::filesystem::path scratch_file(const std::string& name, const std::string& bytes);

}  // namespace fipsgate::testing
