// Artifacts from local paths: files as named, directories walked recursively. The walk is
// safe on hostile trees: symlink loops end (directories are tracked by device and inode),
// only regular files are opened (a FIFO would block), and files that are not ELF, PE or
// Mach-O are skipped quietly unless all_files is set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fipsgate/io/result.h"

namespace fipsgate {

struct PathWalkOptions {
  bool all_files = false;  // also return files whose first bytes are not an executable header
};

struct FoundArtifact {
  std::string path;
  bool named_explicitly = false;
  uint64_t size = 0;  // from the walk's stat
};

// Nonexistent or unreadable roots are errors (a usage error for the command line). The result
// is sorted by path and has no duplicates.
Result<std::vector<FoundArtifact>> collect_artifacts(const std::vector<std::string>& roots,
                                                     const PathWalkOptions& options);

}  // namespace fipsgate
