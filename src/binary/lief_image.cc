// PE and Mach-O through LIEF into the BinaryImage model.
#include "fipsgate/binary/lief_image.h"

namespace fipsgate {

bool is_pe(ByteView file) {
  // DOS header "MZ", e_lfanew at 0x3c pointing at "PE\0\0".
  if (file.size() < 0x40 || file.data()[0] != 'M' || file.data()[1] != 'Z') return false;
  auto pe_offset = file.u32(0x3c, Endian::little);
  if (!pe_offset.ok()) return false;
  auto signature = file.slice(*pe_offset, 4);
  return signature.ok() && signature->chars() == std::string_view("PE\0\0", 4);
}

bool is_macho(ByteView file) {
  auto magic = file.u32(0, Endian::big);
  if (!magic.ok()) return false;
  switch (*magic) {
    case 0xfeedface:  // MH_MAGIC, big-endian 32-bit
    case 0xfeedfacf:  // MH_MAGIC_64, big-endian
    case 0xcefaedfe:  // MH_CIGAM, little-endian 32-bit
    case 0xcffaedfe:  // MH_CIGAM_64, little-endian 64-bit
      return true;
    default:
      return false;
  }
}

Result<BinaryImage> read_with_lief(ByteView) {
  return Error("PE and Mach-O reading is not available yet");
}

}  // namespace fipsgate
