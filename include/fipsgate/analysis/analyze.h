// The analysis stage: from a BinaryImage and what Go recorded in it (GoBinary) to Facts, using
// the signature database. Every conclusion carries the evidence that produced it.
//
//   auto db = load_signature_db(default_signatures_dir());
//   auto facts = analyze_file("/usr/bin/kubectl", *db);
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/mapped_file.h"
#include "fipsgate/io/result.h"
#include "fipsgate/match/signature_db.h"

namespace fipsgate {

struct AnalyzeOptions {
  // Date for module status ("historical" once a row's historical_from has passed), YYYY-MM-DD;
  // empty = today (UTC).
  std::string as_of_date;
  bool call_sites = true;  // scan .text for direct calls into non-approved packages
  // Candidate call sites confirmed with the disassembler per binary; beyond it: FG903.
  uint64_t max_confirmed_call_sites = 20000;
  size_t max_callers_per_package = 32;    // callers kept per package (all are counted)
  size_t max_functions_per_package = 64;  // function names kept per non-approved package
  size_t max_evidence_per_backend = 12;
  // SHA-256 of the whole file in Facts::sha256, hashed on a second thread while the analysis
  // runs. It is the largest single cost on big binaries (1.4 GB/s with SHA-NI against ~5 GB/s
  // for reading the file), so callers that do not report it turn it off.
  bool digest = true;
  // How analyze_file reads the file: small files whole, or always mapped, for the tests of the
  // passes that copy regions out of a mapping (io/mapped_file.h).
  MappedFile::Access file_access = MappedFile::Access::automatic;
};

Facts analyze(const BinaryImage& image, const GoBinary& go, const SignatureDb& db,
              const AnalyzeOptions& options = {});

// Reads or maps the file (options.file_access), reads its image and Go structures, analyzes,
// and fills path and (when options.digest) sha256.
// Error when the file cannot be read or is not an executable format fipsgate knows.
Result<Facts> analyze_file(const std::string& path, const SignatureDb& db,
                           const AnalyzeOptions& options = {});

// A signature database that may still be loading: asked for once the file is mapped and its
// image and Go structures are read (a one-file scan reads the binary while the signatures
// load); nullptr when it could not be loaded, which fails the file.
using SignatureSource = std::function<const SignatureDb*()>;
Result<Facts> analyze_file(const std::string& path, const SignatureSource& signatures,
                           const AnalyzeOptions& options = {});

std::string_view to_string(Backend backend);
std::string_view to_string(Severity severity);

}  // namespace fipsgate
