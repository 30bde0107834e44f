// Shared wording for the renderers: evidence kinds, locations and waiver notes, so every
// format says the same thing the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fipsgate/analysis/facts.h"
#include "fipsgate/policy/verdict.h"

namespace fipsgate::report_words {

std::string_view evidence_kind_name(Evidence::Kind kind);
std::string hex(uint64_t value);

// "function crypto/md5.Sum at 0x4a1b20 (file offset 0xa1b20, .text)"
std::string evidence_line(const Evidence& evidence);

// "boringcrypto fips-20190808 (#3678, FIPS 140-2, historical)" or "-"
std::string module_summary(const BinaryVerdict& binary, Date scan_date);

// "on", "off", "on (requirefips)", "on (TLS restricted)"
std::string fips_mode_summary(const FipsModeFact& mode);

// "boringcrypto", "standard-go", "boringcrypto+go-native-fips140", "-"
std::string backends_summary(const Facts& facts);

// "waived until 2026-12-31 (SEC-12): reason"
std::string waiver_note(const Waiver& waiver);

}  // namespace fipsgate::report_words
