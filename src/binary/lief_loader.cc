// Loads the LIEF module (src/lief, fipsgate-lief.so) the first time a PE or Mach-O file is read.
// Linking LIEF into the program would run its static constructors (enum-to-string maps, ~5 ms)
// and 100k relocations at every start, for the rare inputs that need it.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fipsgate/binary/lief_image.h"

namespace fipsgate {

namespace {

using ReadImage = void (*)(const ByteView*, Result<BinaryImage>*);
constexpr const char* kEntryPoint = "fipsgate_lief_read_image";
constexpr const char* kModuleName = "fipsgate-lief.so";

struct LiefModule {
  ReadImage read = nullptr;
  std::string error;  // why it could not be loaded, naming every place tried
};

std::vector<std::string> module_candidates() {
  std::vector<std::string> candidates;
  if (const char* chosen = std::getenv("FIPSGATE_LIEF_MODULE"); chosen != nullptr && *chosen) {
    candidates.emplace_back(chosen);
  }
  std::error_code error;
  std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back((program.parent_path() / kModuleName).string());
  candidates.emplace_back(FIPSGATE_LIEF_INSTALLED_MODULE);
  candidates.emplace_back(FIPSGATE_LIEF_BUILD_MODULE);
  return candidates;
}

LiefModule load_module() {
  LiefModule module;
  module.error = "the LIEF module " + std::string(kModuleName) + " could not be loaded";
  for (const std::string& path : module_candidates()) {
    if (!std::filesystem::exists(path)) {
      module.error += "; " + path + ": not found";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      module.error += "; " + path + ": " + dlerror();
      continue;
    }
    // Kept loaded for the life of the process: images it returns own strings it allocated.
    module.read = reinterpret_cast<ReadImage>(dlsym(handle, kEntryPoint));
    if (module.read != nullptr) return module;
    module.error += "; " + path + ": no " + kEntryPoint;
  }
  return module;
}

}  // namespace

Result<BinaryImage> read_with_lief(ByteView file) {
  static const LiefModule module = load_module();  // thread-safe, once per process
  if (module.read == nullptr) return Error(module.error);
  Result<BinaryImage> image = Error("the LIEF module returned no result");
  module.read(&file, &image);
  return image;
}

}  // namespace fipsgate
