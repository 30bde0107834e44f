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

// ELF, PE ("MZ") or Mach-O (thin or fat) magic in the first `length` bytes read of a file.
bool is_executable_magic(const unsigned char* magic, ssize_t length) {
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

Status walk_directory(Walk& walk, const std::string& directory, int depth);

// A regular file of the directory open as `directory_fd`, opened relative to it (the kernel does
// not walk the whole path again) and kept when its first bytes are an executable's, with the size
// of the file opened. Most files of an image layer are not executables: each costs an open, a
// read and a close, and no stat. A FIFO or a terminal put in its place since the listing neither
// blocks the open (O_NONBLOCK) nor becomes the process's terminal (O_NOCTTY).
Status visit_file(Walk& walk, int directory_fd, const char* name, const std::string& path) {
  const int fd = openat(directory_fd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return Ok{};
  struct stat status {};
  bool keep = true;
  if (!walk.options.all_files) {
    std::array<unsigned char, 4> magic{};
    keep = is_executable_magic(magic.data(), read(fd, magic.data(), magic.size()));
  }
  keep = keep && fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
  close(fd);
  if (!keep) return Ok{};
  if (walk.found.size() >= kMaxFiles) {
    return Error(path + ": more than " + std::to_string(kMaxFiles) + " files under the scan roots");
  }
  walk.found.push_back(FoundArtifact{path, false, static_cast<uint64_t>(status.st_size)});
  return Ok{};
}

Status visit_entry(Walk& walk, int directory_fd, const dirent& entry, const std::string& path,
                   int depth) {
  if (entry.d_type == DT_REG) return visit_file(walk, directory_fd, entry.d_name, path);
  if (entry.d_type == DT_DIR) return walk_directory(walk, path, depth + 1);
  // A symlink (followed: loops end at the visited-directory check), or a file system that does
  // not say what the entry is.
  struct stat status {};
  if (fstatat(directory_fd, entry.d_name, &status, 0) != 0) return Ok{};  // dangling link
  if (S_ISDIR(status.st_mode)) return walk_directory(walk, path, depth + 1);
  if (S_ISREG(status.st_mode)) return visit_file(walk, directory_fd, entry.d_name, path);
  return Ok{};
}

Status walk_directory(Walk& walk, const std::string& directory, int depth) {
  if (depth > kMaxDepth) return Ok{};
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Ok{};  // gone since it was listed
    return Error(directory + ": cannot list directory: " + std::strerror(errno));
  }
  struct stat status {};
  DIR* handle = fstat(fd, &status) == 0 ? fdopendir(fd) : nullptr;
  if (handle == nullptr) {
    close(fd);
    return Error(directory + ": cannot list directory: " + std::strerror(errno));
  }
  if (!walk.visited_directories.insert({status.st_dev, status.st_ino}).second) {
    closedir(handle);
    return Ok{};
  }
  std::vector<dirent> entries;
  while (const dirent* entry = readdir(handle)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    entries.push_back(*entry);
  }
  std::sort(entries.begin(), entries.end(), [](const dirent& left, const dirent& right) {
    return std::strcmp(left.d_name, right.d_name) < 0;
  });
  Status visited = Ok{};
  for (const dirent& entry : entries) {
    visited = visit_entry(walk, dirfd(handle), entry, join_path(directory, entry.d_name), depth);
    if (!visited) break;
  }
  closedir(handle);
  return visited;
}

}  // namespace

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
