// kdump_recompress CODEC INPUT OUTPUT
//
// Writes OUTPUT, a copy of the kdump-compressed (or flattened) dump INPUT whose pages are
// stored with CODEC (raw, zlib, lzo, snappy, zstd). Test support only: it makes the snappy and
// zstd dumps no Debian tool writes (see kdump_recompressor.h).
#include <cstdio>
#include <string>

#include "kdump_recompressor.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s raw|zlib|lzo|snappy|zstd INPUT OUTPUT\n", argv[0]);
    return 2;
  }
  auto codec = vmscope::tools::parse_page_codec(argv[1]);
  if (!codec) {
    std::fprintf(stderr, "unknown codec %s\n", argv[1]);
    return 2;
  }
  auto stats = vmscope::tools::recompress_kdump(argv[2], argv[3], *codec);
  if (!stats.ok()) {
    std::fprintf(stderr, "%s\n", stats.error().to_string().c_str());
    return 1;
  }
  std::printf("%s: %llu pages (%llu zero, %llu raw), %llu bytes\n", argv[3],
              static_cast<unsigned long long>(stats->pages),
              static_cast<unsigned long long>(stats->zero_pages),
              static_cast<unsigned long long>(stats->raw_pages),
              static_cast<unsigned long long>(stats->output_bytes));
  return 0;
}
