// Capstone 4 wrappers (see disassemble.h).
#include "analysis/disassemble.h"

#include <capstone/capstone.h>

namespace fipsgate {

std::unique_ptr<Disassembler> Disassembler::for_arch(Arch arch, Endian endian) {
  cs_arch cs_architecture;
  int mode = 0;
  unsigned call_id = 0;
  bool fixed_width = false;
  const int byte_order = endian == Endian::big ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
  switch (arch) {
    case Arch::amd64:
      cs_architecture = CS_ARCH_X86;
      mode = CS_MODE_64;
      call_id = X86_INS_CALL;
      break;
    case Arch::x86:
      cs_architecture = CS_ARCH_X86;
      mode = CS_MODE_32;
      call_id = X86_INS_CALL;
      break;
    case Arch::arm64:
      cs_architecture = CS_ARCH_ARM64;
      mode = byte_order;
      call_id = ARM64_INS_BL;
      fixed_width = true;
      break;
    case Arch::ppc64:
    case Arch::ppc64le:
      cs_architecture = CS_ARCH_PPC;
      mode = CS_MODE_64 | byte_order;
      call_id = PPC_INS_BL;
      fixed_width = true;
      break;
    case Arch::s390x:
      cs_architecture = CS_ARCH_SYSZ;
      mode = CS_MODE_BIG_ENDIAN;
      call_id = SYSZ_INS_BRASL;
      break;
    default:
      return nullptr;
  }
  csh handle = 0;
  if (cs_open(cs_architecture, static_cast<cs_mode>(mode), &handle) != CS_ERR_OK) return nullptr;
  return std::unique_ptr<Disassembler>(new Disassembler(handle, call_id, fixed_width));
}

Disassembler::Disassembler(size_t handle, unsigned call_id, bool fixed_width)
    : handle_(handle), call_id_(call_id), fixed_width_(fixed_width) {}

Disassembler::~Disassembler() {
  csh handle = handle_;
  cs_close(&handle);
}

bool Disassembler::is_call_at(ByteView code, uint64_t entry, uint64_t site) const {
  if (site < entry || site - entry >= code.size()) return false;
  const uint8_t* bytes = code.data();
  size_t size = code.size();
  uint64_t address = entry;
  if (fixed_width_) {
    const uint64_t skip = site - entry;
    bytes += skip;
    size -= skip;
    address = site;
  }
  cs_insn* instruction = cs_malloc(handle_);
  if (!instruction) return false;
  bool found = false;
  while (cs_disasm_iter(handle_, &bytes, &size, &address, instruction)) {
    if (instruction->address == site) {
      found = instruction->id == call_id_;
      break;
    }
    if (instruction->address > site || fixed_width_) break;
  }
  cs_free(instruction, 1);
  return found;
}

}  // namespace fipsgate
