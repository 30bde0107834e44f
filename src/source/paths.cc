#include "fipsgate/source/paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>
#include <utility>

namespace fipsgate {
namespace {

// Bounds on a hostile tree: a walk never recurses deeper or lists more than this.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxFiles = 1'000'000;

using FileId = std::pair<dev_t, ino_t>;

struct Walk {
  const PathWalkOptions& options;
  std::set<FileId> visited_directories;
  std::vector<FoundArtifact> found;
};

std::string join_path(const std::string& directory, const char* name) {
  if (!directory.empty() && directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

Status walk_directory(Walk& walk, const std::string& directory, int depth);

Status visit_entry(Walk& walk, const std::string& path, int depth) {
  struct stat status {};
  // stat, not lstat: symlinks are followed; loops end at the visited-directory check.
  if (stat(path.c_str(), &status) != 0) return Ok{};  // dangling link: nothing to scan
  if (S_ISDIR(status.st_mode)) return walk_directory(walk, path, depth + 1);
  if (!S_ISREG(status.st_mode)) return Ok{};
  if (!walk.options.all_files && !has_executable_magic(path)) return Ok{};
  if (walk.found.size() >= kMaxFiles) {
    return Error(path + ": more than " + std::to_string(kMaxFiles) + " files under the scan roots");
  }
  walk.found.push_back(FoundArtifact{path, false, static_cast<uint64_t>(status.st_size)});
  return Ok{};
}

Status walk_directory(Walk& walk, const std::string& directory, int depth) {
  struct stat status {};
  if (stat(directory.c_str(), &status) != 0) return Ok{};
  if (!walk.visited_directories.insert({status.st_dev, status.st_ino}).second) return Ok{};
  if (depth > kMaxDepth) return Ok{};
  DIR* handle = opendir(directory.c_str());
  if (handle == nullptr) {
    return Error(directory + ": cannot list directory: " + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent* entry = readdir(handle)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    names.emplace_back(entry->d_name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (Status visited = visit_entry(walk, join_path(directory, name.c_str()), depth); !visited) {
      return visited.error();
    }
  }
  return Ok{};
}

}  // namespace

bool has_executable_magic(const std::string& path) {
  int descriptor = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) return false;
  std::array<unsigned char, 4> magic{};
  ssize_t length = read(descriptor, magic.data(), magic.size());
  close(descriptor);
  if (length >= 2 && magic[0] == 'M' && magic[1] == 'Z') return true;  // PE (DOS stub)
  if (length < 4) return false;
  uint32_t big_endian = (uint32_t{magic[0]} << 24) | (uint32_t{magic[1]} << 16) |
                        (uint32_t{magic[2]} << 8) | uint32_t{magic[3]};
  switch (big_endian) {
    case 0x7f454c46:  // "\x7fELF"
    case 0xfeedface:  // Mach-O 32, big-endian
    case 0xfeedfacf:  // Mach-O 64, big-endian
    case 0xcefaedfe:  // Mach-O 32, little-endian
    case 0xcffaedfe:  // Mach-O 64, little-endian
    case 0xcafebabe:  // Mach-O universal (fat)
      return true;
    default:
      return false;
  }
}

Result<std::vector<FoundArtifact>> collect_artifacts(const std::vector<std::string>& roots,
                                                     const PathWalkOptions& options) {
  Walk walk{options, {}, {}};
  for (const std::string& root : roots) {
    struct stat status {};
    if (stat(root.c_str(), &status) != 0) {
      return Error(root + ": " + std::strerror(errno));
    }
    if (S_ISDIR(status.st_mode)) {
      if (Status walked = walk_directory(walk, root, 0); !walked) return walked.error();
    } else if (S_ISREG(status.st_mode)) {
      walk.found.push_back(FoundArtifact{root, true, static_cast<uint64_t>(status.st_size)});
    } else {
      return Error(root + ": not a regular file or directory");
    }
  }
  std::sort(walk.found.begin(), walk.found.end(), [](const auto& left, const auto& right) {
    return std::tie(left.path, right.named_explicitly) <
           std::tie(right.path, left.named_explicitly);
  });
  // The same path twice (named and also found in a walked directory): keep it once, named.
  auto last =
      std::unique(walk.found.begin(), walk.found.end(),
                  [](const auto& left, const auto& right) { return left.path == right.path; });
  walk.found.erase(last, walk.found.end());
  return walk.found;
}

}  // namespace fipsgate
