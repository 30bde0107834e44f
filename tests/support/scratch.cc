#include "support/scratch.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace fipsgate::testing {
namespace fs = std::filesystem;

namespace {

// Owns the directory; a function-local static, so it is removed by the exit handlers.
class ScratchRoot {
 public:
  ScratchRoot() {
    std::string pattern = (fs::temp_directory_path() / "fipsgate-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~ScratchRoot() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

const fs::path& scratch_root() {
  static const ScratchRoot root;
  return root.path();
}

fs::path scratch_directory(const std::string& name) {
  fs::path dir = scratch_root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path scratch_file(const std::string& name, const std::string& bytes) {
  fs::path path = scratch_root() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace fipsgate::testing
