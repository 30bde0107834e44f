// Capstone behind a small interface, in its own file (like bloaty's disassemble.cc): the rest of
// the analysis asks questions about instructions, never about Capstone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class Disassembler {
 public:
  // nullptr for architectures without a Capstone mode here, or when Capstone cannot be loaded
  // (then load_error() says why).
  static std::unique_ptr<Disassembler> for_arch(Arch arch, Endian endian);
  // Empty once Capstone is loaded; else what was missing. Loads it on the first call.
  static const std::string& load_error();
  // Loads Capstone now, once per process, for a caller that can do it while another thread
  // works; the first for_arch() would otherwise load it (~2 ms of relocations).
  static void preload() { load_error(); }
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  // True when decoding `code` (the bytes of one function, starting at address `entry`)
  // instruction by instruction from its first byte reaches an instruction that starts exactly
  // at `site` and is a direct call. A linear sweep from the function entry is what makes an
  // E8 byte inside another instruction's immediate fail this test.
  bool is_call_at(ByteView code, uint64_t entry, uint64_t site) const;

  // Where a sweep of one function stopped: an instruction start it reached. A later site of the
  // same function is decoded from there, since a linear sweep resumed at one of its own
  // instruction starts goes through the same instructions (Capstone prints every instruction it
  // decodes, so the sweep, not the call scan, is the cost of confirming).
  struct Sweep {
    uint64_t entry = 0;
    uint64_t reached = 0;  // 0: nothing to resume from
  };
  // is_call_at() resuming from `sweep` when it swept the same function up to before `site`, and
  // leaving in it where this sweep stopped.
  bool is_call_at(ByteView code, uint64_t entry, uint64_t site, Sweep& sweep) const;

 private:
  Disassembler(size_t handle, unsigned call_id, bool fixed_width);
  size_t handle_ = 0;
  unsigned call_id_ = 0;
  bool fixed_width_ = false;  // every instruction is 4 bytes: decode only the one at `site`
};

}  // namespace fipsgate
